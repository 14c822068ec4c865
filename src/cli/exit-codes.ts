// The one place a run's typed outcome becomes an exit code (DESIGN.md "Exit codes"; README has the table).
import { ExitCode } from "../exit-code.js";
import type { Mode, RunSummary } from "../model/events.js";
import type { PlanRefusal } from "../model/outcome.js";

export { ExitCode };

export const EXIT_CODE_MEANING: Record<ExitCode, string> = {
  [ExitCode.Ok]: "success; in check/plan: every host compliant",
  [ExitCode.Failed]: "at least one host failed a step, (check/plan) a step would fail, or the interactive apply prompt was declined",
  [ExitCode.ChangesPending]: "check/plan succeeded and changes are pending",
  [ExitCode.Unreachable]: "at least one host unreachable (and none failed)",
  [ExitCode.InvalidInput]: "invalid input; nothing was run",
  [ExitCode.PlanRefused]: "plan refused: stale, already applied, or for another playbook/inventory",
  [ExitCode.Internal]: "internal error (a bug in remedy)",
  [ExitCode.Interrupted]: "interrupted (SIGINT)",
};

export interface RunTotals {
  hosts: number;
  failed: number;
  unreachable: number;
  /** steps that would change (check/plan) or were changed (apply) */
  changed: number;
  /** check/plan: hosts where a step would fail */
  wouldFail?: number;
  interrupted?: boolean;
}

/** Pure: run outcome → exit code. `mode` check/plan report pending changes as 2; apply does not. */
export function exitCodeFor(t: RunTotals, mode: "check" | "plan" | "apply" | "diagnose"): ExitCode {
  if (t.interrupted) return ExitCode.Interrupted;
  if (t.failed > 0 || (t.wouldFail ?? 0) > 0) return ExitCode.Failed;
  if (t.unreachable > 0) return ExitCode.Unreachable;
  if (mode !== "apply" && t.changed > 0) return ExitCode.ChangesPending;
  return ExitCode.Ok;
}

/** Pure: apply --plan refused before applying anything → 5 (stale, already applied), 3 (only unreachable), 1 (locked/failed). */
export function exitCodeForRefusals(kinds: ReadonlyArray<PlanRefusal["kind"]>): ExitCode {
  if (kinds.some((k) => k === "stale" || k === "already_applied")) return ExitCode.PlanRefused;
  if (kinds.every((k) => k === "unreachable")) return ExitCode.Unreachable;
  return ExitCode.Failed;
}

/** Pure: a finished run's typed summary → exit code. */
export function exitCodeForRun(summary: RunSummary): ExitCode {
  if (summary.interrupted) return ExitCode.Interrupted;
  if (summary.planRefused?.length) return exitCodeForRefusals(summary.planRefused);
  const failedHosts = summary.hosts.filter((h) => h.status === "failed");
  // apply --plan: hosts whose only problem is that the plan no longer holds for them were refused, not broken
  if (!summary.interrupted && failedHosts.length > 0 && failedHosts.every((h) => h.refused === "stale" || h.refused === "already_applied")) return ExitCode.PlanRefused;
  return exitCodeFor(
    { hosts: summary.hosts.length, failed: summary.totals.failed, unreachable: summary.totals.unreachable, changed: summary.totals.would_change, wouldFail: summary.totals.would_fail_hosts, interrupted: summary.interrupted },
    summary.mode as Mode,
  );
}
