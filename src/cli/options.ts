// Parsing and checking of CLI flag values: every bad value is an InputError naming the flag.
import { InputError } from "../errors.js";
import { isSecretName } from "../secret-names.js";

/** An -e argument as shown in an error: not at all when it names a secret (its value may follow). */
function shownItem(item: string): string {
  return isSecretName(item) ? "(an argument naming a secret; its value is not shown)" : JSON.stringify(item);
}

export interface RunFlags {
  inventory?: string;
  limit?: string;
  forks: string;
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
}

export function intFlag(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InputError(`--${name} ${JSON.stringify(value)}: expected a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

/** `-e key=value`, `-e '{"json": true}'`, `-e @file` is not supported (say so). */
export function parseExtraVars(items: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    const t = item.trim();
    if (t.startsWith("{")) {
      try {
        const v = JSON.parse(t) as unknown;
        if (v && typeof v === "object" && !Array.isArray(v)) Object.assign(out, v);
        else throw new Error("not an object");
        continue;
      } catch (e) {
        throw new InputError(`-e ${shownItem(item)}: invalid JSON object (${(e as Error).message.replace(/"[^"]*"/g, '"…"')})`);
      }
    }
    const i = t.indexOf("=");
    if (i <= 0) throw new InputError(`-e ${shownItem(item)}: expected key=value or a JSON object, e.g. -e target_kernel=5.4.94`);
    const key = t.slice(0, i);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new InputError(`-e ${shownItem(item)}: "${isSecretName(key) ? "…" : key}" is not a valid variable name`);
    out[key] = t.slice(i + 1);
  }
  return out;
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
