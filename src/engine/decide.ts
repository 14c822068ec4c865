// Pure decisions from command results: no I/O here, tested from recorded outputs.
import type { ExecResult } from "../transport/transport.js";
import type { Check, Match } from "../model/playbook.js";

export type CheckDecision =
  | { kind: "compliant" }
  | { kind: "not_compliant"; detail: string }
  | { kind: "not_applicable"; reason: string }
  | { kind: "error"; message: string };

export function excerpt(s: string, max = 400): string {
  const t = s.trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

/** Why a command did not produce an answer at all (timeout, signal), or undefined. */
export function abnormalEnd(r: ExecResult, timeoutSec?: number): string | undefined {
  if (r.timedOut) return `timed out after ${timeoutSec ?? Math.round(r.durationMs / 1000)}s and was killed`;
  if (r.exitCode === null) return `ended by signal ${r.signal ?? "unknown"}`;
  return undefined;
}

function regex(src: string): RegExp {
  return new RegExp(src, "m");
}

export function matches(m: Match, r: ExecResult): boolean {
  const exits = m.exit ?? [0];
  if (r.exitCode === null || !exits.includes(r.exitCode)) return false;
  if (m.stdout !== undefined && !regex(m.stdout).test(r.stdout)) return false;
  if (m.stdoutNot !== undefined && regex(m.stdoutNot).test(r.stdout)) return false;
  if (m.equals !== undefined && r.stdout.trim() !== m.equals.trim()) return false;
  return true;
}

/** Human description of why a match failed, for "would change" and verify messages. */
export function mismatch(m: Match, r: ExecResult): string {
  const exits = m.exit ?? [0];
  if (r.exitCode === null || !exits.includes(r.exitCode)) {
    const err = excerpt(r.stderr || r.stdout, 200);
    return `exit ${r.exitCode ?? r.signal} (wanted ${exits.join("/")})${err ? `: ${err}` : ""}`;
  }
  if (m.stdout !== undefined && !regex(m.stdout).test(r.stdout)) return `output does not match /${m.stdout}/: ${excerpt(r.stdout, 200) || "(empty)"}`;
  if (m.stdoutNot !== undefined && regex(m.stdoutNot).test(r.stdout)) return `output matches /${m.stdoutNot}/: ${excerpt(r.stdout, 200)}`;
  if (m.equals !== undefined) return `output is "${excerpt(r.stdout, 200)}", wanted "${m.equals.trim()}"`;
  return "matches";
}

export function decideCheck(check: Check, r: ExecResult): CheckDecision {
  const abnormal = abnormalEnd(r, check.timeoutSec);
  if (abnormal) return { kind: "error", message: `check ${abnormal}` };
  if (!check.expectExit.includes(r.exitCode as number)) {
    const why = r.exitCode === 127 ? " (command not found)" : r.exitCode === 126 ? " (not executable)" : "";
    return {
      kind: "error",
      message: `check exited ${r.exitCode}${why}, expected ${check.expectExit.join(" or ")}${r.stderr.trim() ? `: ${excerpt(r.stderr, 300)}` : ""}`,
    };
  }
  if (check.notApplicable && matches(check.notApplicable.match, r)) return { kind: "not_applicable", reason: check.notApplicable.reason };
  if (matches(check.compliant, r)) return { kind: "compliant" };
  return { kind: "not_compliant", detail: mismatch(check.compliant, r) };
}

/** A command action succeeded? Returns undefined on success, else the failure message. */
export function actionFailure(okExit: number[], r: ExecResult, timeoutSec?: number): string | undefined {
  const abnormal = abnormalEnd(r, timeoutSec);
  if (abnormal) return abnormal;
  if (okExit.includes(r.exitCode as number)) return undefined;
  const out = excerpt(r.stderr || r.stdout, 400);
  return `exited ${r.exitCode}${out ? `: ${out}` : ""}`;
}
