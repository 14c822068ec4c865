// Vault passwords for a run: --vault-id id@source (repeatable), --vault-password-file / ANSIBLE_VAULT_PASSWORD_FILE /
// ansible.cfg vault_password_file, --ask-vault-pass. A file is read and stripped; an executable file is run and its
// output used (ansible's password scripts).
import { execFileSync } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { resolve } from "node:path";
import { InputError } from "../errors.js";
import { VaultKeyring, type VaultSecret } from "../inventory/vault.js";
import type { Io } from "./io.js";

export interface VaultFlags {
  vaultId?: string[];
  vaultPasswordFile?: string;
  askVaultPass?: boolean;
}

export async function vaultKeyringFor(flags: VaultFlags, io: Pick<Io, "askSecret" | "cwd" | "env">): Promise<VaultKeyring> {
  const secrets: VaultSecret[] = [];
  for (const spec of flags.vaultId ?? []) {
    const at = spec.indexOf("@");
    const id = at > 0 ? spec.slice(0, at) : "default";
    const source = at > 0 ? spec.slice(at + 1) : spec;
    if (!source) throw new InputError(`--vault-id ${JSON.stringify(spec)}: expected id@file or id@prompt, e.g. prod@~/.vault-prod`);
    secrets.push(source === "prompt" ? await ask(id, io, `--vault-id ${spec}`) : fromFile(id, source, io, `--vault-id ${spec}`));
  }
  if (flags.vaultPasswordFile) secrets.push(fromFile("default", flags.vaultPasswordFile, io, "--vault-password-file"));
  if (flags.askVaultPass) secrets.push(await ask("default", io, "--ask-vault-pass"));
  return new VaultKeyring(secrets);
}

async function ask(id: string, io: Pick<Io, "askSecret">, flag: string): Promise<VaultSecret> {
  if (!io.askSecret) throw new InputError(`${flag}: no terminal to ask the vault password on; use --vault-password-file FILE`);
  const password = await io.askSecret(id === "default" ? "Vault password: " : `Vault password (${id}): `);
  if (!password) throw new InputError(`${flag}: an empty vault password`);
  return { id, password, source: `${flag} (prompt)` };
}

function fromFile(id: string, file: string, io: Pick<Io, "cwd" | "env">, flag: string): VaultSecret {
  const home = io.env["HOME"] || homedir();
  const path = resolve(io.cwd, file === "~" ? home : file.startsWith("~/") ? `${home}/${file.slice(2)}` : file);
  let password: string;
  try {
    password = isExecutable(path) ? execFileSync(path, [], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 60_000 }) : readFileSync(path, "utf8");
  } catch (e) {
    throw new InputError(`${flag}: cannot ${isExecutable(path) ? "run" : "read"} ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message.split("\n")[0]})`);
  }
  password = password.trim(); // as ansible: surrounding whitespace and the newline are not part of it
  if (!password) throw new InputError(`${flag}: ${path} holds no password`);
  return { id, password, source: path };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
