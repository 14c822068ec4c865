// Audit records (pure): one JSON line per step that apply changed or tried to change on a host.
import type { HostResult } from "../engine/host-run.js";
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
  result: "changed" | "failed";
  message?: string;
}

export function auditRecords(ctx: AuditContext, r: HostResult, time: string): AuditRecord[] {
  return r.steps
    .filter((s) => s.status === "changed" || ((s.status === "failed" || s.status === "unreachable") && s.commands.length > 0))
    .map((s) => ({
      time,
      who: ctx.creator.who,
      ...(ctx.creator.ci?.user ? { ci_user: ctx.creator.ci.user } : {}),
      ...(ctx.creator.ci?.job ? { ci_job: ctx.creator.ci.job } : {}),
      run_id: ctx.runId,
      plan_id: ctx.planId ?? null,
      playbook: ctx.playbook,
      host: r.host,
      step: { id: s.id, name: s.name },
      result: s.status === "changed" ? "changed" : "failed",
      ...(s.message ? { message: s.message } : {}),
    }));
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
