// Secrets never reach logs, JSON output or plan files: values of secret-looking vars are masked.
import type { RunEvent } from "../model/events.js";

export const SECRET_NAME = /(pass(word)?|secret|token|private_?key_?data|api_?key|credential)/i;

export function secretValues(vars: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(vars)) {
    if (SECRET_NAME.test(k) && (typeof v === "string" || typeof v === "number") && String(v).length >= 3) out.push(String(v));
  }
  return out;
}

export class Redactor {
  private readonly values = new Set<string>();
  add(values: Iterable<string>): void {
    for (const v of values) this.values.add(v);
  }
  text(s: string): string {
    let out = s;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join("<redacted>");
    return out;
  }
  /** deep-redacts every string in a JSON-able value */
  value<T>(v: T): T {
    if (this.values.size === 0) return v;
    return JSON.parse(JSON.stringify(v), (_k, x) => (typeof x === "string" ? this.text(x) : x)) as T;
  }
  event(e: RunEvent): RunEvent {
    return this.value(e);
  }
}
