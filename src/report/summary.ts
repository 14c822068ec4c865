// The end-of-run table. Beyond GROUP_ABOVE hosts, hosts with the same status, counts and message share one
// row (names compressed: "el7-node[01:37]"); up to it, one row per host. The table fits `width` columns
// (MESSAGE, then HOSTS, are cut to fit; the grouped results above it carry the full messages).
import type { HostSummary, RunSummary } from "../model/events.js";
import { compressHosts, fit, wrap } from "./hostlist.js";

export interface SummaryOptions {
  /** terminal columns; default: no limit */
  width?: number;
}

const generic = (s: string, host: string): string => (host.length >= 2 ? s.split(host).join("<host>") : s);

export const GROUP_ABOVE = 12;

function rowsOf(s: RunSummary): Array<{ hosts: string[]; h: HostSummary; message: string }> {
  const rows = new Map<string, { hosts: string[]; h: HostSummary; message: string }>();
  for (const h of s.hosts) {
    const first = h.message?.split("\n")[0] ?? "";
    const message = s.hosts.length > GROUP_ABOVE ? generic(first, h.host) : first;
    const key = s.hosts.length > GROUP_ABOVE ? JSON.stringify([h.status, h.ok, h.changed, h.would_change, h.failed, h.skipped, message]) : h.host;
    const r = rows.get(key);
    if (r) r.hosts.push(h.host);
    else rows.set(key, { hosts: [h.host], h, message });
  }
  return [...rows.values()];
}

export function renderSummary(s: RunSummary, o: SummaryOptions = {}): string {
  const apply = s.mode === "apply";
  const rows = rowsOf(s).map((r) => [
    compressHosts(r.hosts),
    r.h.status.replace("_", " "),
    String(r.h.ok),
    String(apply ? r.h.changed : r.h.would_change),
    String(r.h.failed),
    String(r.h.skipped),
    r.message,
  ]);
  const head = [rows.length < s.hosts.length ? "HOSTS" : "HOST", "STATUS", "OK", apply ? "CHANGED" : "WOULD CHANGE", "FAILED", "SKIPPED", "MESSAGE"];
  const width = o.width ?? 0; // 0: no limit
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === 6 ? 0 : [...(r[i] ?? "")].length))));
  // the fixed middle columns always show; HOSTS gets at most 40% of the width, MESSAGE what is left
  const middle = widths.slice(1, 6).reduce((a, b) => a + b + 2, 0);
  if (width) widths[0] = Math.min(widths[0]!, Math.max(head[0]!.length, Math.min(Math.floor(width * 0.4), width - middle - 12)));
  const messageWidth = width ? Math.max(10, width - widths[0]! - 2 - middle) : Infinity;
  const line = (r: string[]) =>
    fit(
      r
        .map((c, i) => (i === 6 ? fit(c, messageWidth) : fit(c, widths[i]!).padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
      width,
    );
  const t = s.totals;
  const totals = apply
    ? `${s.hosts.length} hosts: ${t.changed} steps changed, ${t.ok} ok, ${t.skipped} skipped; ${t.failed} hosts failed, ${t.unreachable} unreachable, ${t.untouched} untouched`
    : `${s.hosts.length} hosts: ${t.would_change} steps would change, ${t.would_fail ?? 0} would fail, ${t.ok} ok, ${t.skipped} skipped; ${t.would_fail_hosts ?? 0} hosts would fail, ${t.failed} hosts failed, ${t.unreachable} unreachable`;
  return [line(head), ...rows.map(line), "", wrap(totals + (s.interrupted ? " (INTERRUPTED)" : ""), width, 2)].join("\n") + "\n";
}
