// Audit records (pure). Written on the node as the run goes: an "intent" line before each mutating action,
// a "result" line after it, and one "step" line per step that apply changed or tried to change.
import type { HostResult } from "../model/outcome.js";
import type { PlanCreator } from "./format.js";
import { MAX_AUDIT_LINE } from "./remote.js";
import { mapStrings } from "../report/redact.js";

export interface AuditContext {
  creator: PlanCreator;
  runId: string;
  planId?: string;
  playbook: { path: string; sha256: string };
}

export interface AuditRecord {
  time: string;
  who: string;
  ci_user?: string;
  ci_job?: string;
  run_id: string;
  plan_id: string | null;
  playbook: { path: string; sha256: string };
  host: string;
  step: { id: string; name: string };
  event: "intent" | "result" | "step";
  /** intent/result: the action, as `show` and dry runs describe it */
  action?: string;
  phase?: string;
  /** result: did the action succeed */
  ok?: boolean;
  /** step: the step's final result */
  result?: "changed" | "failed";
  message?: string;
}

export interface AuditEvent {
  step: { id: string; name: string };
  event: "intent" | "result" | "step";
  phase?: string;
  action?: string;
  ok?: boolean;
  result?: "changed" | "failed";
  message?: string;
}

/** One record for something that just happened (or is about to) on `host`. */
export function auditRecord(ctx: AuditContext, host: string, e: AuditEvent, time: string): AuditRecord {
  return {
    time,
    who: ctx.creator.who,
    ...(ctx.creator.ci?.user ? { ci_user: ctx.creator.ci.user } : {}),
    ...(ctx.creator.ci?.job ? { ci_job: ctx.creator.ci.job } : {}),
    run_id: ctx.runId,
    plan_id: ctx.planId ?? null,
    playbook: ctx.playbook,
    host,
    step: e.step,
    event: e.event,
    ...(e.phase ? { phase: e.phase } : {}),
    ...(e.action !== undefined ? { action: e.action } : {}),
    ...(e.ok !== undefined ? { ok: e.ok } : {}),
    ...(e.result ? { result: e.result } : {}),
    ...(e.message ? { message: e.message } : {}),
  };
}

/** The "step" lines of a finished host (what apply changed or tried to change). */
export function auditRecords(ctx: AuditContext, r: HostResult, time: string): AuditRecord[] {
  return r.steps
    .filter((s) => s.status === "changed" || ((s.status === "failed" || s.status === "unreachable") && s.commands.length > 0))
    .map((s) => auditRecord(ctx, r.host, { step: { id: s.id, name: s.name }, event: "step", result: s.status === "changed" ? "changed" : "failed", message: s.message }, time));
}

/** Pure: the audit file's text → the records of one run (a torn last line, from a killed writer, is skipped). */
export function auditOfRun(text: string, runId: string): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as AuditRecord;
      if (r.run_id === runId) out.push(r);
    } catch {
      // not ours to judge: another writer's torn or foreign line
    }
  }
  return out;
}

/** JSON line, redacted, bounded (a long message is cut so the line stays one atomic append). */
export function auditLine(rec: AuditRecord, redact: (s: string) => string): string {
  // redact each string before serialising: the JSON-escaped form of a secret is not its text
  let line = JSON.stringify(mapStrings(rec, redact));
  if (line.length > MAX_AUDIT_LINE && rec.message) {
    const over = line.length - MAX_AUDIT_LINE + 20;
    line = JSON.stringify(mapStrings({ ...rec, message: `${rec.message.slice(0, Math.max(0, rec.message.length - over))}… (cut)` }, redact));
  }
  return line;
}
