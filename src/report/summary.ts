// The end-of-run table: per host step counts and status.
import type { RunSummary } from "../model/events.js";

export function renderSummary(s: RunSummary): string {
  const rows = s.hosts.map((h) => [h.host, h.status, String(h.ok), String(s.mode === "apply" ? h.changed : h.would_change), String(h.failed), String(h.skipped), h.message ?? ""]);
  const head = ["HOST", "STATUS", "OK", s.mode === "apply" ? "CHANGED" : "WOULD CHANGE", "FAILED", "SKIPPED", "MESSAGE"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === 6 ? 0 : (r[i] ?? "").length))));
  const line = (r: string[]) => r.map((c, i) => (i === 6 ? c : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd();
  const t = s.totals;
  const totals =
    s.mode === "apply"
      ? `${s.hosts.length} hosts: ${t.changed} steps changed, ${t.ok} ok, ${t.skipped} skipped; ${t.failed} hosts failed, ${t.unreachable} unreachable, ${t.untouched} untouched`
      : `${s.hosts.length} hosts: ${t.would_change} steps would change, ${t.would_fail ?? 0} would fail, ${t.ok} ok, ${t.skipped} skipped; ${t.would_fail_hosts ?? 0} hosts would fail, ${t.failed} hosts failed, ${t.unreachable} unreachable`;
  return [line(head), ...rows.map(line), "", totals + (s.interrupted ? " (INTERRUPTED)" : "")].join("\n") + "\n";
}
