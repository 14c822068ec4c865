// Parsing and checking of CLI flag values: every bad value is an InputError naming the flag.
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import YAML from "yaml";
import { InputError } from "../errors.js";
import { isSecretName } from "../secret-names.js";

import { openVaultFile, vaultKeyring } from "../inventory/vault.js";

/**
 * An -e argument as shown in an error: not at all when it names a secret (its value may follow), and
 * never with its values, since a playbook may declare any input secret and the playbook is not read yet.
 */
function shownItem(item: string): string {
  if (isSecretName(item)) return "(an argument naming a secret; its value is not shown)";
  const t = item.trim();
  if (t.startsWith("{") || t.startsWith("@") || !t.includes("=")) return t.startsWith("@") ? JSON.stringify(item) : `(${t.startsWith("{") ? "a JSON object" : "an argument"} of ${[...t].length} characters; values are not shown)`;
  // keys are shown even when invalid (`1x=…`), so the message can point at the bad one
  const keys = [...t.matchAll(/(?:^|\s)([^\s='"]+)=/g)].map((m) => m[1]);
  return JSON.stringify(keys.map((k) => `${k}=…`).join(" "));
}
import { parseYamlSource } from "../inventory/yamldoc.js";

export interface RunFlags {
  inventory?: string;
  limit?: string;
  /** absent: from the environment, ansible.cfg or the default 50 (see src/config/settings.ts) */
  forks?: string;
  serial?: string;
  timeout?: string;
  extraVars: string[];
  json?: boolean;
  junit?: string;
  verbose?: boolean;
  yes?: boolean;
  plan?: string;
  out?: string;
  tags?: string;
  knownHosts?: string;
  sshConfig?: string;
  resume?: string;
  skipTags?: string;
  listHosts?: boolean;
  listTasks?: boolean;
  user?: string;
  privateKey?: string;
  become?: boolean;
  vaultPasswordFile?: string;
  askVaultPass?: boolean;
  vaultId?: string[];
  diff?: boolean;
  junitFailOnChange?: boolean;
}

export function intFlag(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InputError(`--${name} ${JSON.stringify(value)}: expected a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

/**
 * Ansible's `-e`: `@file` (YAML or JSON mapping), an inline JSON/YAML mapping (`{...}`), or
 * `key=value` pairs split like ansible's parse_kv (`-e "a=1 b='two words'"` sets a and b; values
 * stay strings). Repeatable; later ones win. `readFile` and `cwd` resolve `@file` (tests inject them).
 */
export function parseExtraVars(
  items: string[],
  o: { cwd?: string; readFile?: (path: string) => string; decode?: (text: string, file: string) => unknown } = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    const t = item.trim();
    if (t.startsWith("@")) {
      Object.assign(out, extraVarsFile(t.slice(1), item, o));
      continue;
    }
    if (t.startsWith("{")) {
      let v: unknown;
      try {
        v = jsonOrYaml(t);
      } catch (e) {
        throw new InputError(`-e ${shownItem(item)}: invalid JSON or YAML object (${(e as Error).message.split("\n")[0]})`);
      }
      if (!v || typeof v !== "object" || Array.isArray(v)) throw new InputError(`-e ${shownItem(item)}: invalid JSON object (not an object)`);
      Object.assign(out, v);
      continue;
    }
    Object.assign(out, parseKeyValues(item));
  }
  return out;
}

function extraVarsFile(path: string, item: string, o: { cwd?: string; readFile?: (path: string) => string; decode?: (text: string, file: string) => unknown }): Record<string, unknown> {
  if (!path) throw new InputError(`-e ${JSON.stringify(item)}: name a file after @, e.g. -e @vars.yml`);
  const file = isAbsolute(path) ? path : resolve(o.cwd ?? process.cwd(), path);
  let text: string;
  try {
    text = (o.readFile ?? ((f: string) => readFileSync(f, "utf8")))(file);
  } catch (e) {
    throw new InputError(`-e @${path}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let v: unknown;
  try {
    v = (o.decode ?? decodeVarsFile)(text, file);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`-e @${path}: ${file} is not valid YAML or JSON (${(e as Error).message.split("\n")[0]})`);
  }
  if (v === null || v === undefined) return {};
  if (typeof v !== "object" || Array.isArray(v)) throw new InputError(`-e @${path}: ${file} must hold a mapping of variable names to values`);
  for (const k of Object.keys(v)) {
    if (!VAR_NAME.test(k)) throw new InputError(`-e @${path}: "${k}" in ${file} is not a valid variable name`);
  }
  return v as Record<string, unknown>;
}

function jsonOrYaml(t: string): unknown {
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return YAML.parse(t) as unknown; // ansible loads -e '{...}' as YAML (JSON is a subset)
  }
}

/** A vars file: vaulted as a whole and/or with inline `!vault` values, opened with the run's vault password. */
function decodeVarsFile(raw: string, file: string): unknown {
  const keyring = vaultKeyring();
  const { text, vaulted } = openVaultFile(raw, file);
  const v: unknown = keyring.open(parseYamlSource(text, file).doc.toJS());
  if (vaulted) keyring.reveal(v);
  return v;
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Splits on whitespace outside quotes (ansible's split_args), then each `k=v` on its first '='; quotes around v are removed. */
export function parseKeyValues(item: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const token of splitArgs(item, item)) {
    const i = token.indexOf("=");
    if (i <= 0) throw new InputError(`-e ${shownItem(item)}: expected key=value, @file or a JSON object, e.g. -e target_kernel=5.4.94 or -e @vars.yml`);
    const key = token.slice(0, i);
    if (!VAR_NAME.test(key)) throw new InputError(`-e ${shownItem(item)}: "${isSecretName(key) ? "…" : key}" is not a valid variable name`);
    out[key] = unquote(token.slice(i + 1));
  }
  return out;
}

function splitArgs(s: string, item: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === "\\" && s[i + 1] === quote) {
        cur += c + quote;
        i++;
        continue;
      }
      if (c === quote) quote = undefined;
      cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      cur += c;
    } else if (/\s/.test(c)) {
      if (cur) out.push(cur);
      cur = "";
    } else cur += c;
  }
  if (quote) throw new InputError(`-e ${shownItem(item)}: unbalanced ${quote} quote`);
  if (cur) out.push(cur);
  return out;
}

/** `'x'` / `"x"` → x, with a backslash-escaped quote inside → the quote (ansible's unquote). */
function unquote(v: string): string {
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) return v.slice(1, -1).split(`\\${v[0]}`).join(v[0]);
  return v;
}

/** --serial "1,30%" → [1, "30%"] */
export function parseSerial(value: string | undefined): Array<number | string> | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(",").map((p) => p.trim());
  return parts.map((p) => {
    if (/^\d+$/.test(p) && Number(p) > 0) return Number(p);
    if (/^\d+(\.\d+)?%$/.test(p) && Number.parseFloat(p) > 0 && Number.parseFloat(p) <= 100) return p;
    throw new InputError(`--serial ${JSON.stringify(value)}: each batch size must be a positive number or a percentage like 30%`);
  });
}
