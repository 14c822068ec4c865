// Typed outcomes the run pipeline returns: per step, per host, and why a plan was refused. Reporters,
// the plan file and the CLI's exit code read these; nothing is ever derived from a message or an error class.
import type { Facts } from "./facts.js";
import type { FailPhase, HostPhase, HostStatus, RollbackResult, StepStatus } from "./events.js";

export type { FailPhase, HostPhase, RollbackResult } from "./events.js";

export type StepOutcome =
  | { status: "ok" }
  | { status: "would_change"; detail?: string }
  /** dry run: the apply would fail (a `fail:` it would reach, an artifact that cannot be built) */
  | { status: "would_fail"; reason: string }
  | { status: "changed"; detail?: string }
  | { status: "failed"; phase: FailPhase; reason: string; rollback?: RollbackResult }
  /** `when` false, a check's not_applicable match, or (apply --plan) nothing approved to do */
  | { status: "skipped"; reason: string; why: "when" | "not_applicable" }
  /** only for losing the host itself (connect, handshake, dropped connection) */
  | { status: "unreachable"; reason: string };

export interface StepRecord {
  id: string;
  name: string;
  status: StepStatus;
  message?: string;
  outcome: StepOutcome;
  /** sha256 of the check's exit code + stdout, for plan staleness */
  checkDigest?: string;
  checkExit?: number | null;
  commands: string[];
  /** --diff: unified diff of what copy/template would write or wrote */
  diff?: string;
}

/** Why apply --plan refused a host (typed; the CLI turns it into exit 5, 1 or 3). */
export type PlanRefusal =
  | { kind: "stale"; host: string; reasons: string[] }
  | { kind: "already_applied"; host: string; reasons: string[] }
  | { kind: "locked"; host: string; reasons: string[] }
  | { kind: "unreachable"; host: string; reasons: string[] }
  | { kind: "failed"; host: string; reasons: string[] };

export interface HostResult {
  host: string;
  status: HostStatus;
  message?: string;
  /** the phase the host ended in when it did not get through all steps */
  endedIn?: HostPhase;
  facts?: Facts;
  steps: StepRecord[];
  /** apply --plan: this host was refused (its steps did not run) */
  refusal?: PlanRefusal;
}

/** What `apply --plan` approved for this host: step id → the check digest seen at plan time. */
export interface ApprovedHost {
  steps: Map<string, { status: StepStatus; checkDigest?: string }>;
}

export function stepMessage(o: StepOutcome): string | undefined {
  switch (o.status) {
    case "ok":
      return undefined;
    case "would_change":
    case "changed":
      return o.detail;
    case "would_fail":
    case "skipped":
    case "unreachable":
      return o.reason;
    case "failed": {
      const rb = !o.rollback?.ran ? "" : o.rollback.ok ? "; rollback ran and succeeded" : `; rollback FAILED: ${o.rollback.message ?? "unknown"}`;
      return `${o.phase === "verify" ? "verify failed: " : ""}${o.reason}${rb}`;
    }
  }
}
