// Pure helpers for `remedy cache list|prune`: durations, ages, table rows, prune selection.
import type { CacheEntry } from "./cache.js";

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** "30d", "12h", "90m", "45s", "2w" → ms; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)\s*([smhdw])$/.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : undefined;
}

export function formatAge(ms: number): string {
  if (ms < 60_000) return `${Math.max(0, Math.floor(ms / 1000))}s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)}h`;
  return `${Math.floor(ms / 86_400_000)}d`;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)}K`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)}M`;
  return `${(bytes / 1024 ** 3).toFixed(1)}G`;
}

export interface ListRow {
  key: string;
  name: string;
  size: number;
  sha256: string;
  created: string;
  ageSec: number;
  keyValues: string[];
  builder: string;
}

export function listRows(entries: CacheEntry[], now: number): ListRow[] {
  return entries.map(({ meta }) => ({
    key: meta.hash,
    name: meta.name,
    size: meta.size,
    sha256: meta.sha256,
    created: meta.created,
    ageSec: Math.floor((now - Date.parse(meta.created)) / 1000),
    keyValues: meta.key,
    builder: meta.builder,
  }));
}

export function renderTable(rows: ListRow[]): string {
  if (rows.length === 0) return "artifact cache is empty\n";
  const head = ["KEY", "NAME", "SIZE", "SHA256", "AGE", "BUILDER", "KEY VALUES"];
  const body = rows.map((r) => [r.key.slice(0, 12), r.name, formatSize(r.size), r.sha256.slice(0, 12), formatAge(r.ageSec * 1000), r.builder, r.keyValues.join(" ")]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd() + "\n";
  return line(head) + body.map(line).join("");
}

/** Entries to remove: all, or those created at least `olderThanMs` ago. */
export function selectPrune(entries: CacheEntry[], o: { all?: boolean; olderThanMs?: number }, now: number): CacheEntry[] {
  if (o.all) return entries;
  const limit = o.olderThanMs ?? 30 * 86_400_000;
  return entries.filter((e) => now - Date.parse(e.meta.created) >= limit);
}
