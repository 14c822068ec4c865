// The JSON-lines wire format of run events (schemas/events.schema.json): `v` on every line, camelCase keys.
// The engine's model may use other spellings (summary counts are would_change there); this is the one place
// that maps them, so the stream keeps one convention whatever the model does.
import type { RunEvent } from "../model/events.js";

export const EVENTS_VERSION = 1;

const camel = (k: string): string => k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

function camelKeys(v: unknown, key?: string): unknown {
  // facts keys are fact names (facts.os_family in playbooks): data, not field names
  if (key === "facts") return v;
  if (Array.isArray(v)) return v.map((x) => camelKeys(x));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [camel(k), camelKeys(x, k)]));
  return v;
}

export function wireEvent(e: RunEvent): Record<string, unknown> {
  return { v: EVENTS_VERSION, ...(camelKeys(e) as Record<string, unknown>) };
}

export const jsonLine = (e: RunEvent): string => JSON.stringify(wireEvent(e)) + "\n";
