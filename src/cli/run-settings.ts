// Fills the run flags from settings (command line > environment > ansible.cfg > default) and turns the
// connection settings into low-precedence host vars: inventory vars still win, as in ansible.
import { homedir } from "node:os";
import { resolve } from "node:path";
import { InputError } from "../errors.js";
import { resolveSettings, type Settings } from "../config/settings.js";
import type { Io } from "./io.js";
import type { RunFlags } from "./options.js";

export interface ConnectDefaults {
  /** ansible_* vars applied under each host's inventory vars */
  defaultVars: Record<string, unknown>;
  connectTimeoutSec?: number;
}

export function settingsFor(flags: Partial<RunFlags>, io: Pick<Io, "env" | "cwd">): Settings {
  return resolveSettings({
    cli: {
      inventory: flags.inventory,
      remote_user: flags.user,
      private_key_file: flags.privateKey,
      become: flags.become ? "true" : undefined,
      forks: flags.forks,
      vault_password_file: flags.vaultPasswordFile,
    },
    env: io.env,
    cwd: io.cwd,
    home: io.env["HOME"] || homedir(),
  });
}

/** The run flags with inventory, forks and the connection settings resolved. */
export function resolveRunFlags<F extends Partial<RunFlags>>(flags: F, io: Pick<Io, "env" | "cwd">): F & { inventory: string; forks: string; connect: ConnectDefaults; settings: Settings } {
  const s = settingsFor(flags, io);
  const inventory = s.str("inventory");
  if (!inventory) {
    throw new InputError("no inventory: pass -i <file or directory>, set REMEDY_INVENTORY, or set `inventory =` under [defaults] in ansible.cfg (see `remedy config`)");
  }
  // -e @file is relative to the working directory of this invocation
  const extraVars = flags.extraVars?.map((e) => (e.trim().startsWith("@") && e.trim().length > 1 ? `@${resolve(io.cwd, e.trim().slice(1))}` : e));
  // like ansible's junit callback: JUNIT_FAIL_ON_CHANGE=true
  const junitFailOnChange = flags.junitFailOnChange || /^(1|true|yes|on)$/i.test(io.env["JUNIT_FAIL_ON_CHANGE"] ?? "");
  return { ...flags, ...(extraVars ? { extraVars } : {}), junitFailOnChange, inventory, forks: s.str("forks")!, vaultPasswordFile: s.str("vault_password_file"), connect: connectDefaults(s), settings: s };
}

/** -v: the settings that did not come from the built-in default, one line each, with their source. */
export function settingsNote(s: Settings): string {
  const given = s.all.filter((x) => x.source !== "default" && !x.source.startsWith("default ") && x.value !== undefined);
  const head = `settings${s.cfgFile ? ` (ansible.cfg: ${s.cfgFile})` : ""}:`;
  return [head, ...given.map((x) => `  ${x.key} = ${x.value}  (${x.source})`)].join("\n") + "\n";
}

export function connectDefaults(s: Settings): ConnectDefaults {
  const vars: Record<string, unknown> = {};
  const given = (k: Parameters<Settings["get"]>[0]) => s.get(k).source !== "default" && s.get(k).value !== undefined;
  if (given("remote_user")) vars["ansible_user"] = s.str("remote_user");
  if (given("private_key_file")) vars["ansible_ssh_private_key_file"] = s.str("private_key_file");
  if (given("become")) vars["ansible_become"] = s.bool("become");
  // only when set: a default here would override an inventory's ansible_ssh_common_args StrictHostKeyChecking
  if (given("host_key_checking")) vars["ansible_host_key_checking"] = s.bool("host_key_checking");
  return { defaultVars: vars, connectTimeoutSec: given("connect_timeout") ? s.int("connect_timeout") : undefined };
}
