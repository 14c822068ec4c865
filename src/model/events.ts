// Engine events: the only thing reporters (plain/live output, JSON-lines, JUnit, journal) and tests look at.
import type { Facts } from "./facts.js";

export type Mode = "check" | "plan" | "apply";
/** Where a failing step failed. */
export type FailPhase = "check" | "apply" | "verify" | "rollback";
/** The phases a host goes through; a host that ends early says in which. */
export type HostPhase = "connect" | "lock" | "facts" | "plan_check" | "steps" | "end";

export interface RollbackResult {
  /** false: the step has no rollback */
  ran: boolean;
  ok: boolean;
  message?: string;
}
export type Phase = "facts" | "check" | "apply" | "verify" | "rollback";
/** the `status` of a StepOutcome (src/model/outcome.ts) */
export type StepStatus = "ok" | "would_change" | "would_fail" | "changed" | "failed" | "skipped" | "unreachable";
export type HostStatus = "ok" | "changed" | "would_change" | "would_fail" | "failed" | "unreachable" | "skipped" | "untouched";

export interface CommandRecord {
  command: string;
  exitCode: number | null;
  signal?: string;
  timedOut?: boolean;
  durationMs: number;
  /** excerpts (bounded) */
  stdout: string;
  stderr: string;
}

export type RunEvent =
  | { type: "run_start"; runId: string; mode: Mode; playbook: string; hosts: string[]; time: string }
  | { type: "batch_start"; index: number; hosts: string[]; time: string }
  | { type: "batch_end"; index: number; failed: string[]; time: string }
  | { type: "host_start"; host: string; time: string }
  /** a host entering a phase of its lifecycle (connect → lock → facts → plan_check → steps → end) */
  | { type: "host_phase"; host: string; phase: HostPhase; time: string }
  /** an audit line appended on the node (intent before a mutating action, result after) */
  | { type: "audit"; host: string; step: string; event: "intent" | "result" | "step"; ok: boolean; time: string }
  | { type: "facts"; host: string; facts: Facts }
  | { type: "step_start"; host: string; step: string; name: string; time: string }
  | { type: "command"; host: string; step: string; phase: Phase; record: CommandRecord }
  | { type: "reboot"; host: string; step: string; state: string; detail?: string; time: string }
  | { type: "artifact"; host: string; step: string; name: string; key: string; source: "build" | "cache" | "would_build" | "would_use_cache"; builder: string; sha256?: string }
  | {
      type: "step_end";
      host: string;
      step: string;
      name: string;
      status: StepStatus;
      /** why: skipped reason, failure message, "would change" detail, "would fail" reason */
      message?: string;
      /** failed: where (check, apply, verify, rollback) and what the rollback did */
      phase?: FailPhase;
      rollback?: RollbackResult;
      /** commands apply would run (check/plan) or ran (apply) */
      commands?: string[];
      /** --diff: unified diff of the files copy/template would write (check/plan) or wrote (apply) */
      diff?: string;
      durationMs: number;
      time: string;
    }
  | { type: "host_end"; host: string; status: HostStatus; message?: string; time: string }
  | { type: "warning"; host?: string; message: string; time: string }
  /** exitCode: stamped by the CLI (the engine returns a typed summary; only the CLI maps it to a code) */
  | { type: "run_end"; runId?: string; exitCode?: number; summary: RunSummary; time: string };

export interface HostSummary {
  host: string;
  status: HostStatus;
  ok: number;
  changed: number;
  would_change: number;
  would_fail: number;
  failed: number;
  skipped: number;
  message?: string;
  /** apply --plan refused this host (typed: stale, already applied, locked...) */
  refused?: string;
}

export interface RunSummary {
  mode: Mode;
  hosts: HostSummary[];
  runId?: string;
  /** apply --plan refused before applying anything: the kinds of refusal (see PlanRefusal) */
  planRefused?: Array<"stale" | "already_applied" | "locked" | "unreachable" | "failed">;
  /** steps per status; failed/unreachable/untouched/would_fail_hosts count hosts */
  totals: { ok: number; changed: number; would_change: number; would_fail: number; failed: number; unreachable: number; skipped: number; untouched: number; would_fail_hosts: number };
  interrupted: boolean;
}

export type EventSink = (e: RunEvent) => void;
