// Settings with ansible's precedence, lowest first: built-in default, ansible.cfg [defaults],
// environment (REMEDY_* beats ANSIBLE_*), command line. Each resolved value says where it came from.
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { InputError } from "../errors.js";
import { cfgPath, loadAnsibleCfg, type AnsibleCfg } from "./ansible-cfg.js";

export type SettingKey =
  | "inventory"
  | "remote_user"
  | "private_key_file"
  | "become"
  | "host_key_checking"
  | "connect_timeout"
  | "forks"
  | "vault_password_file"
  | "state_dir";

type Kind = "path" | "string" | "bool" | "int";

interface SettingDef {
  key: SettingKey;
  kind: Kind;
  /** command-line flag, as shown */
  flag?: string;
  env: string[];
  /** key in ansible.cfg [defaults] */
  cfg?: string;
  default?: string;
  /** range for ints */
  min?: number;
  max?: number;
  help: string;
}

export const SETTINGS: readonly SettingDef[] = [
  { key: "inventory", kind: "path", flag: "-i/--inventory", env: ["REMEDY_INVENTORY", "ANSIBLE_INVENTORY"], cfg: "inventory", help: "inventory file or directory" },
  { key: "remote_user", kind: "string", flag: "-u/--user", env: ["REMEDY_REMOTE_USER", "ANSIBLE_REMOTE_USER"], cfg: "remote_user", help: "SSH user when the inventory sets no ansible_user" },
  { key: "private_key_file", kind: "path", flag: "--private-key", env: ["REMEDY_PRIVATE_KEY_FILE", "ANSIBLE_PRIVATE_KEY_FILE"], cfg: "private_key_file", help: "SSH key when the inventory sets no ansible_ssh_private_key_file" },
  { key: "become", kind: "bool", flag: "-b/--become", env: ["REMEDY_BECOME", "ANSIBLE_BECOME"], default: "false", help: "sudo on every host that does not set ansible_become" },
  { key: "host_key_checking", kind: "bool", env: ["REMEDY_HOST_KEY_CHECKING", "ANSIBLE_HOST_KEY_CHECKING"], cfg: "host_key_checking", default: "true", help: "refuse unknown and changed host keys" },
  { key: "connect_timeout", kind: "int", env: ["REMEDY_CONNECT_TIMEOUT", "ANSIBLE_TIMEOUT"], cfg: "timeout", default: "10", min: 1, max: 3600, help: "SSH connect timeout in seconds (ansible.cfg timeout)" },
  { key: "forks", kind: "int", flag: "-f/--forks", env: ["REMEDY_FORKS", "ANSIBLE_FORKS"], cfg: "forks", default: "50", min: 1, max: 5000, help: "hosts worked on in parallel" },
  { key: "vault_password_file", kind: "path", flag: "--vault-password-file", env: ["REMEDY_VAULT_PASSWORD_FILE", "ANSIBLE_VAULT_PASSWORD_FILE"], cfg: "vault_password_file", help: "file with the ansible-vault password" },
  { key: "state_dir", kind: "path", env: ["REMEDY_STATE_DIR"], help: "run journals (default $XDG_STATE_HOME/remedy, else ~/.local/state/remedy)" },
];

export interface Setting {
  key: SettingKey;
  /** raw text; absent when unset */
  value?: string;
  /** "command line (-u/--user)", "environment REMEDY_INVENTORY", "/etc/ansible/ansible.cfg:3", "default" */
  source: string;
}

export interface Settings {
  cfgFile?: string;
  all: Setting[];
  get(key: SettingKey): Setting;
  str(key: SettingKey): string | undefined;
  bool(key: SettingKey): boolean | undefined;
  int(key: SettingKey): number | undefined;
}

export interface SettingsInput {
  /** values given on the command line (undefined = not given) */
  cli: Partial<Record<SettingKey, string | undefined>>;
  env: Record<string, string | undefined>;
  cwd: string;
  home?: string;
  /** for tests: /etc/ansible/ansible.cfg */
  etcCfg?: string;
}

export function resolveSettings(i: SettingsInput): Settings {
  const cfg = loadAnsibleCfg({ env: i.env, cwd: i.cwd, home: i.home, etc: i.etcCfg });
  const all = SETTINGS.map((d) => resolveOne(d, i, cfg));
  for (const s of all) check(SETTINGS.find((d) => d.key === s.key)!, s);
  const get = (key: SettingKey) => all.find((s) => s.key === key)!;
  return {
    cfgFile: cfg?.file,
    all,
    get,
    str: (k) => get(k).value,
    bool: (k) => (get(k).value === undefined ? undefined : toBool(get(k).value!)),
    int: (k) => (get(k).value === undefined ? undefined : Number(get(k).value)),
  };
}

function resolveOne(d: SettingDef, i: SettingsInput, cfg: AnsibleCfg | undefined): Setting {
  const cli = i.cli[d.key];
  if (cli !== undefined) return { key: d.key, value: d.kind === "path" ? resolve(i.cwd, cli) : cli, source: `command line (${d.flag})` };
  for (const name of d.env) {
    const v = i.env[name];
    if (v !== undefined && v !== "") return { key: d.key, value: d.kind === "path" ? resolve(i.cwd, expandHome(v, i.home)) : v, source: `environment ${name}` };
  }
  const c = d.cfg ? cfg?.defaults.get(d.cfg) : undefined;
  if (cfg && c && c.value !== "") return { key: d.key, value: d.kind === "path" ? cfgPath(cfg, c.value, i.home) : c.value, source: `${cfg.file}:${c.line} [defaults] ${d.cfg}` };
  if (d.key === "state_dir") return { key: d.key, value: defaultStateDir(i.env, i.home), source: i.env["XDG_STATE_HOME"] ? "default ($XDG_STATE_HOME/remedy)" : "default (~/.local/state/remedy)" };
  return { key: d.key, value: d.default, source: "default" };
}

export function defaultStateDir(env: Record<string, string | undefined>, home = homedir()): string {
  const xdg = env["XDG_STATE_HOME"];
  return xdg && xdg.startsWith("/") ? join(xdg, "remedy") : join(home, ".local", "state", "remedy");
}

function expandHome(p: string, home = homedir()): string {
  return p === "~" ? home : p.startsWith("~/") ? join(home, p.slice(2)) : p;
}

const TRUE = ["true", "yes", "on", "1", "y", "t"];
const FALSE = ["false", "no", "off", "0", "n", "f"];

function toBool(v: string): boolean {
  return TRUE.includes(v.trim().toLowerCase());
}

function check(d: SettingDef, s: Setting): void {
  if (s.value === undefined) return;
  const v = s.value.trim();
  if (d.kind === "bool" && !TRUE.includes(v.toLowerCase()) && !FALSE.includes(v.toLowerCase())) {
    throw new InputError(`${s.source}: ${d.key}=${JSON.stringify(s.value)} is not a boolean; use true or false`);
  }
  if (d.kind === "int" && (!/^\d+$/.test(v) || Number(v) < (d.min ?? 0) || Number(v) > (d.max ?? Infinity))) {
    const what = d.flag && s.source.startsWith("command line") ? `${d.flag.split("/").pop()} ${JSON.stringify(s.value)}` : `${s.source}: ${d.key}=${JSON.stringify(s.value)}`;
    throw new InputError(`${what}: expected a whole number from ${d.min} to ${d.max}`);
  }
  if (d.key === "inventory" && v.includes(",")) {
    throw new InputError(`${s.source}: inventory ${JSON.stringify(s.value)} names several sources; remedy reads one inventory file or directory`);
  }
}

/** `remedy config`: one line per setting, with where its value came from. */
export function renderSettings(s: Settings): string {
  const rows = s.all.map((x) => [x.key, x.value ?? "(unset)", x.source]);
  const w0 = Math.max(...rows.map((r) => r[0]!.length));
  const w1 = Math.min(60, Math.max(...rows.map((r) => r[1]!.length)));
  const lines = [`ansible.cfg: ${s.cfgFile ?? "none found (searched $ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg, /etc/ansible/ansible.cfg)"}`];
  for (const r of rows) lines.push(`${r[0]!.padEnd(w0)}  ${r[1]!.padEnd(w1)}  ${r[2]}`);
  return lines.join("\n") + "\n";
}
