// Plain line-per-event output for non-TTY use (CI logs, pipes).
import type { RunEvent } from "../model/events.js";

const LABEL: Record<string, string> = { ok: "ok", would_change: "would change", changed: "changed", failed: "FAILED", would_fail: "WOULD FAIL", skipped: "skipped", unreachable: "UNREACHABLE" };

export function plainLine(e: RunEvent, verbose: boolean): string | undefined {
  switch (e.type) {
    case "run_start":
      return `${e.mode} ${e.playbook} on ${e.hosts.length} host(s)`;
    case "batch_start":
      return e.index > 0 || verbose ? `--- batch ${e.index + 1}: ${e.hosts.join(", ")}` : undefined;
    case "step_end": {
      const base = `[${e.host}] ${e.name}: ${LABEL[e.status] ?? e.status}${e.message ? ` (${e.message})` : ""}`;
      if (e.status === "would_change" && e.commands?.length) return `${base}\n${e.commands.map((c) => `    would run: ${c}`).join("\n")}`;
      return base;
    }
    case "host_end":
      return e.status === "unreachable" || (e.status === "failed" && e.message) ? `[${e.host}] ${e.status.toUpperCase()}: ${e.message ?? ""}` : undefined;
    case "command":
      return verbose ? `[${e.host}] ${e.phase}: ${e.record.command} -> ${e.record.timedOut ? "timed out" : `rc=${e.record.exitCode ?? e.record.signal}`} (${e.record.durationMs} ms)` : undefined;
    case "reboot":
      return `[${e.host}] reboot: ${e.state}${e.detail ? ` (${e.detail})` : ""}`;
    case "artifact":
      return `[${e.host}] artifact ${e.name}: ${e.source.replace(/_/g, " ")} on ${e.builder} (key ${e.key.slice(0, 12)})`;
    case "warning":
      return `${e.host ? `[${e.host}] ` : ""}WARNING: ${e.message}`;
    default:
      return undefined;
  }
}
