// Engine events: the only thing reporters (listr2, plain, JSON-lines, JUnit) and tests look at.
import type { Facts } from "./facts.js";

export type Mode = "check" | "plan" | "apply";
export type Phase = "facts" | "check" | "apply" | "verify" | "rollback";
export type StepStatus = "ok" | "would_change" | "changed" | "failed" | "skipped" | "unreachable";
export type HostStatus = "ok" | "changed" | "would_change" | "failed" | "unreachable" | "skipped" | "untouched";

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
      /** why: skipped reason, failure message, "would change" detail */
      message?: string;
      /** commands apply would run (check/plan) or ran (apply) */
      commands?: string[];
      /** --diff: unified diff of the files copy/template would write (check/plan) or wrote (apply) */
      diff?: string;
      durationMs: number;
      time: string;
    }
  | { type: "host_end"; host: string; status: HostStatus; message?: string; time: string }
  | { type: "warning"; host?: string; message: string; time: string }
  | { type: "run_end"; exitCode: number; summary: RunSummary; time: string };

export interface HostSummary {
  host: string;
  status: HostStatus;
  ok: number;
  changed: number;
  would_change: number;
  failed: number;
  skipped: number;
  message?: string;
}

export interface RunSummary {
  mode: Mode;
  hosts: HostSummary[];
  totals: { ok: number; changed: number; would_change: number; failed: number; unreachable: number; skipped: number; untouched: number };
  interrupted: boolean;
}

export type EventSink = (e: RunEvent) => void;
