// ansible-vault: the documented $ANSIBLE_VAULT;1.1 / 1.2 AES256 format (whole files and inline `!vault`
// values). PBKDF2-HMAC-SHA256 (10000 iterations) of the password and salt gives 80 bytes: AES-256-CTR key,
// HMAC-SHA256 key, CTR IV. The envelope is hexlified twice: body = hex("salt_hex\nhmac_hex\nciphertext_hex").
// Decrypted values are secrets: every plaintext is recorded on the keyring for the redactor.
import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from "node:crypto";
import { InputError } from "../errors.js";
import type { Inventory } from "../model/inventory.js";

export interface VaultSecret {
  /** vault id ("default" when none was given) */
  id: string;
  password: string;
  /** where the password came from, for messages */
  source: string;
}

export interface VaultLoc {
  file: string;
  line?: number;
  col?: number;
}

/** An inline `!vault` value as parsed, before (or without) a password. */
export class Vaulted {
  constructor(
    readonly envelope: string,
    readonly at: VaultLoc,
  ) {}
}

export interface Envelope {
  version: "1.1" | "1.2";
  cipher: string;
  /** vault id from a 1.2 header */
  id?: string;
  salt: Buffer;
  hmac: Buffer;
  ciphertext: Buffer;
}

/** The YAML tag of an inline vaulted value (`key: !vault |`): read as its envelope text, then sealed as a Vaulted. */
export const VAULT_YAML_TAG = { tag: "!vault", resolve: (s: string): string => s };

export const isVaultText = (text: string): boolean => text.trimStart().startsWith("$ANSIBLE_VAULT;");

const where = (at: VaultLoc) => `${at.file}${at.line ? `:${at.line}${at.col ? `:${at.col}` : ""}` : ""}`;

function hexOrFail(s: string, at: VaultLoc, what: string): Buffer {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(s)) throw new InputError(`${where(at)}: damaged ansible-vault data (${what} is not hex)`);
  return Buffer.from(s, "hex");
}

export function parseEnvelope(text: string, at: VaultLoc): Envelope {
  const lines = text.trim().split(/\r?\n/).map((l) => l.trim());
  const header = (lines.shift() ?? "").split(";");
  const version = header[1];
  if (header[0] !== "$ANSIBLE_VAULT" || (version !== "1.1" && version !== "1.2")) {
    throw new InputError(`${where(at)}: unsupported ansible-vault header "${header.join(";")}" (remedy reads $ANSIBLE_VAULT;1.1 and 1.2)`);
  }
  const cipher = header[2] ?? "";
  if (cipher !== "AES256") throw new InputError(`${where(at)}: ansible-vault cipher ${cipher || "(none)"} is not supported (only AES256)`);
  const inner = hexOrFail(lines.join(""), at, "body").toString("latin1").split("\n");
  if (inner.length !== 3) throw new InputError(`${where(at)}: damaged ansible-vault data (expected salt, hmac and ciphertext)`);
  return {
    version,
    cipher,
    id: version === "1.2" ? header[3] : undefined,
    salt: hexOrFail(inner[0]!, at, "salt"),
    hmac: hexOrFail(inner[1]!, at, "hmac"),
    ciphertext: hexOrFail(inner[2]!, at, "ciphertext"),
  };
}

/** Plaintext, or undefined when this password does not open it (HMAC mismatch). */
export function tryDecrypt(env: Envelope, password: string): string | undefined {
  const material = pbkdf2Sync(Buffer.from(password, "utf8"), env.salt, 10000, 80, "sha256");
  const key = material.subarray(0, 32);
  const hmacKey = material.subarray(32, 64);
  const iv = material.subarray(64, 80);
  const mac = createHmac("sha256", hmacKey).update(env.ciphertext).digest();
  if (mac.length !== env.hmac.length || !timingSafeEqual(mac, env.hmac)) return undefined;
  const d = createDecipheriv("aes-256-ctr", key, iv);
  const padded = Buffer.concat([d.update(env.ciphertext), d.final()]);
  // PKCS#7 padding to the AES block size
  const pad = padded[padded.length - 1] ?? 0;
  const body = pad >= 1 && pad <= 16 ? padded.subarray(0, padded.length - pad) : padded;
  return body.toString("utf8");
}

export class VaultKeyring {
  /** every plaintext this keyring produced: secrets for the redactor */
  readonly revealed = new Set<string>();
  constructor(readonly secrets: readonly VaultSecret[]) {}

  get empty(): boolean {
    return this.secrets.length === 0;
  }

  /** Decrypts one inline value (recorded as secret). */
  decrypt(text: string, at: VaultLoc): string {
    const plain = this.decryptText(text, at);
    this.reveal(plain);
    return plain;
  }

  /** Decrypts one envelope: the secret with the envelope's vault id first, then the others (as ansible does). */
  decryptText(text: string, at: VaultLoc, what: "value" | "file" = "value"): string {
    if (this.empty) {
      const id = /^\$ANSIBLE_VAULT;1\.2;[^;]*;([^\s;]+)/.exec(text.trimStart())?.[1];
      throw new InputError(
        `${where(at)}: this ${what} is encrypted with ansible-vault${id ? ` (vault id ${id})` : ""}; pass --vault-password-file FILE or --ask-vault-pass, or set ANSIBLE_VAULT_PASSWORD_FILE`,
      );
    }
    const env = parseEnvelope(text, at);
    const ordered = [...this.secrets.filter((s) => s.id === env.id), ...this.secrets.filter((s) => s.id !== env.id)];
    for (const s of ordered) {
      const plain = tryDecrypt(env, s.password);
      if (plain !== undefined) return plain;
    }
    throw new InputError(`${where(at)}: no vault password given opens this ${what}${env.id ? ` (vault id ${env.id})` : ""}; tried ${this.secrets.map((s) => s.source).join(", ")}`);
  }

  /** Records a decrypted value (and, for a decrypted vars file, each of its string leaves) as secret. */
  reveal(v: unknown): void {
    if (typeof v === "string" || typeof v === "number") {
      const s = String(v);
      if (s.length >= 3) this.revealed.add(s);
    } else if (Array.isArray(v)) v.forEach((x) => this.reveal(x));
    else if (v && typeof v === "object") Object.values(v).forEach((x) => this.reveal(x));
  }

  /**
   * Replaces every Vaulted inside `v` (deeply) by its plaintext. Objects are changed in place
   * so every holder of a vars map (inventory, connector) sees plaintext.
   */
  open<T>(v: T): T {
    if (v instanceof Vaulted) return this.decrypt(v.envelope, v.at) as T;
    if (Array.isArray(v)) {
      v.forEach((x, i) => (v[i] = this.open(x)));
      return v;
    }
    if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) o[k] = this.open(o[k]);
    }
    return v;
  }
}

/** First Vaulted inside `v`, for "refused before connecting" checks. */
export function findVaulted(v: unknown): Vaulted | undefined {
  if (v instanceof Vaulted) return v;
  if (Array.isArray(v)) {
    for (const x of v) {
      const f = findVaulted(x);
      if (f) return f;
    }
  } else if (v && typeof v === "object") {
    for (const x of Object.values(v)) {
      const f = findVaulted(x);
      if (f) return f;
    }
  }
  return undefined;
}

/**
 * Opens the inline vaulted values of an inventory in place. Without a password, the first sealed value
 * a host of the run needs is refused (file:line) before anything connects; other hosts' stay sealed.
 */
export function openInventory(inv: Inventory, hosts: readonly string[], k: VaultKeyring, varsOf: (host: string) => Record<string, unknown>): void {
  if (k.empty) {
    for (const h of hosts) {
      const sealed = findVaulted(varsOf(h));
      if (sealed) k.decrypt(sealed.envelope, sealed.at); // throws the located "needs a password" error
    }
    return;
  }
  for (const g of inv.groups.values()) k.open(g.vars);
  for (const h of inv.hosts.values()) k.open(h.vars);
  // a loaded inventory also keeps its vars by origin (group_vars files rank above inventory vars)
  const layers = (inv as { layers?: Record<string, Map<string, Record<string, unknown>>> }).layers;
  for (const layer of Object.values(layers ?? {})) for (const vars of layer.values()) k.open(vars);
}

/** The names in `vars` whose value holds a decrypted vault value: secret whatever they are called. */
export function vaultedNames(vars: Record<string, unknown>, k: VaultKeyring): Set<string> {
  const holds = (v: unknown): boolean =>
    typeof v === "string" || typeof v === "number" ? k.revealed.has(String(v)) : Array.isArray(v) ? v.some(holds) : v !== null && typeof v === "object" ? Object.values(v).some(holds) : false;
  return new Set(Object.keys(vars).filter((n) => holds(vars[n])));
}

/** For display (`remedy inventory`): sealed values and values decrypted from vaulted files read "<vaulted>". */
export function maskVaulted(inv: Inventory, k: VaultKeyring): void {
  const mask = (v: unknown): unknown => {
    if (v instanceof Vaulted) return "<vaulted>";
    if ((typeof v === "string" || typeof v === "number") && k.revealed.has(String(v))) return "<vaulted>";
    if (Array.isArray(v)) return v.map(mask);
    if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      for (const key of Object.keys(o)) o[key] = mask(o[key]);
    }
    return v;
  };
  const layers = (inv as { layers?: Record<string, Map<string, Record<string, unknown>>> }).layers;
  for (const vars of [...[...inv.groups.values()].map((g) => g.vars), ...[...inv.hosts.values()].map((h) => h.vars), ...Object.values(layers ?? {}).flatMap((l) => [...l.values()])]) mask(vars);
}

// The keyring of this process's run: set by the CLI before inputs load (whole vaulted files are
// decrypted while loading; inline values stay Vaulted until the CLI opens them).
let active = new VaultKeyring([]);
export const setVaultKeyring = (k: VaultKeyring): void => void (active = k);
export const vaultKeyring = (): VaultKeyring => active;

/**
 * Text of a file that may be vaulted as a whole: decrypted with the active keyring, else a located
 * refusal. The caller marks the parsed values secret with `vaultKeyring().reveal(value)` when `vaulted`.
 */
export function openVaultFile(text: string, file: string): { text: string; vaulted: boolean } {
  if (!isVaultText(text)) return { text, vaulted: false };
  return { text: active.decryptText(text, { file, line: 1, col: 1 }, "file"), vaulted: true };
}
