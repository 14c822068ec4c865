// Secrets never reach logs, JSON output, plan files, the journal or audit lines. A secret is the value of
// a var declared `secret: true` or whose name looks secret (src/secret-names.ts); it is masked in every
// form it can take in output: raw, shell-quoted, JSON-escaped, base64, and line by line.
// Structured values are redacted string by string before serialisation, never as serialised JSON.
import type { RunEvent } from "../model/events.js";
import { isSecretName } from "../secret-names.js";
import { shellQuote } from "../transport/quote.js";

export const REDACTED_TEXT = "<redacted>";

/** Kept for callers that test names: `SECRET_NAME.test(name)`. */
export const SECRET_NAME: { test(name: string): boolean } = { test: isSecretName };

/** Shorter values would mask ordinary text everywhere; they are still never shown by name (inventory, plan vars). */
const MIN_SECRET_LENGTH = 3;

function leaves(v: unknown, out: string[]): void {
  if (typeof v === "string" || typeof v === "number" || typeof v === "bigint") out.push(String(v));
  else if (Array.isArray(v)) for (const x of v) leaves(x, out);
  else if (v !== null && typeof v === "object") for (const x of Object.values(v)) leaves(x, out);
}

/**
 * Values of the secret vars in `vars` (every string leaf of a secret list or mapping too).
 * `declared`: names a playbook declares secret (inputs with `secret: true`).
 */
export function secretValues(vars: Record<string, unknown>, declared?: Record<string, { secret?: boolean }> | Iterable<string>): string[] {
  const names = new Set<string>();
  if (declared) {
    if (Symbol.iterator in Object(declared)) for (const n of declared as Iterable<string>) names.add(n);
    else for (const [n, spec] of Object.entries(declared as Record<string, { secret?: boolean }>)) if (spec.secret) names.add(n);
  }
  const out: string[] = [];
  for (const [k, v] of Object.entries(vars)) if (isSecretName(k) || names.has(k)) leaves(v, out);
  return out.filter((s) => s.length >= MIN_SECRET_LENGTH);
}

/** The forms a secret takes in output: as is, shell-quoted, JSON-escaped (incl. \uXXXX), base64, each line. */
export function secretForms(value: string): string[] {
  const forms = new Set<string>([value]);
  const quoted = shellQuote(value);
  forms.add(quoted);
  if (quoted.startsWith("'")) forms.add(quoted.slice(1, -1)); // the middle of '...' when cut by a line break
  const json = JSON.stringify(value).slice(1, -1);
  forms.add(json);
  forms.add(json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
  forms.add(JSON.stringify(quoted).slice(1, -1));
  const bytes = Buffer.from(value, "utf8");
  forms.add(bytes.toString("base64"));
  forms.add(bytes.toString("base64").replace(/=+$/, ""));
  for (const line of value.split(/\r?\n/)) if (line.length >= MIN_SECRET_LENGTH && line !== value) forms.add(line);
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

/** Calls `f` on every string in a JSON-able value (keys kept), returning a copy. */
export function mapStrings<T>(v: T, f: (s: string) => string): T {
  if (typeof v === "string") return f(v) as T;
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f)) as T;
  if (v !== null && typeof v === "object" && !(v instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = mapStrings(x, f);
    return out as T;
  }
  return v;
}

export class Redactor {
  private readonly forms = new Set<string>();
  private sorted: string[] = [];
  add(values: Iterable<string>): void {
    for (const v of values) for (const f of secretForms(v)) this.forms.add(f);
    // longest first: a form that contains another is masked whole
    this.sorted = [...this.forms].sort((a, b) => b.length - a.length);
  }
  get size(): number {
    return this.forms.size;
  }
  text(s: string): string {
    let out = s;
    for (const v of this.sorted) if (out.includes(v)) out = out.split(v).join(REDACTED_TEXT);
    return out;
  }
  /** deep-redacts every string in a JSON-able value, before it is serialised */
  value<T>(v: T): T {
    if (this.forms.size === 0) return v;
    return mapStrings(v, (s) => this.text(s));
  }
  event(e: RunEvent): RunEvent {
    return this.value(e);
  }
}
