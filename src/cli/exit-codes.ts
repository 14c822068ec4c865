// The one table of exit codes (DESIGN.md "Exit codes"); README documents the same table.
export enum ExitCode {
  Ok = 0,
  Failed = 1,
  ChangesPending = 2,
  Unreachable = 3,
  InvalidInput = 4,
  PlanRefused = 5,
  Internal = 70,
  Interrupted = 130,
}

export const EXIT_CODE_MEANING: Record<ExitCode, string> = {
  [ExitCode.Ok]: "success; in check/plan: every host compliant",
  [ExitCode.Failed]: "at least one host failed a step, or the interactive apply prompt was declined",
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
  interrupted?: boolean;
}

/** Pure: run outcome → exit code. `mode` check/plan report pending changes as 2; apply does not. */
export function exitCodeFor(t: RunTotals, mode: "check" | "plan" | "apply" | "diagnose"): ExitCode {
  if (t.interrupted) return ExitCode.Interrupted;
  if (t.failed > 0) return ExitCode.Failed;
  if (t.unreachable > 0) return ExitCode.Unreachable;
  if (mode !== "apply" && t.changed > 0) return ExitCode.ChangesPending;
  return ExitCode.Ok;
}
