// Phase "steps": for each step, when → check → (dry run: would_change / would_fail) or (apply → verify |
// rollback). Every step ends with a typed StepOutcome; only losing the host's connection throws.
import { createHash } from "node:crypto";
import type { Action, Match, Step } from "../model/playbook.js";
import type { Facts } from "../model/facts.js";
import type { Phase } from "../model/events.js";
import type { FailPhase, PlanRefusal, RollbackResult, StepOutcome, StepRecord } from "../model/outcome.js";
import { stepMessage } from "../model/outcome.js";
import type { ExecResult } from "../transport/transport.js";
import { errorMessage } from "../errors.js";
import { interpolate, evalCondition, type Scope } from "../playbook/index.js";
import { decideCheck, excerpt, matches, mismatch } from "./decide.js";
import { describeAction } from "./render.js";
import { selected } from "./prefetch.js";
import { renderAction, resolveCheck, resolveMatch } from "./step-values.js";
import type { HostContext } from "./context.js";
import { now, type HostOptions } from "./host-options.js";
import type { HostGate } from "./gate.js";
import { actionKind } from "./actions/index.js";
import { registered } from "./registered.js";
import { copyDiff } from "./copy-diff.js";

export function checkDigest(r: ExecResult): string {
  return createHash("sha256").update(`${r.exitCode}\n${r.stdout}`).digest("hex");
}

export interface StepsInput extends HostOptions {
  scope: Scope;
  facts: Facts;
  prefetched: Map<string, ExecResult>;
  ctx: (step: string) => HostContext;
  /** the lost-host test: a TransportError of this host whose connection is down */
  hostLost(e: unknown): boolean;
  /** step records are appended here as they start (so a lost host still reports them) */
  into?: StepRecord[];
}

export interface StepsResult {
  steps: StepRecord[];
  /** the outcome that ended the host early (failed, would_fail, unreachable) */
  stoppedBy?: StepRecord;
  refusal?: PlanRefusal;
  anyChanged: boolean;
  anyPending: boolean;
}


/** A lost connection, carrying the step record it interrupted. */
export class HostLost extends Error {
  constructor(lost: unknown, readonly record?: StepRecord) {
    super(errorMessage(lost), { cause: lost });
  }
}

export async function runSteps(o: StepsInput): Promise<StepsResult> {
  const out: StepsResult = { steps: o.into ?? [], anyChanged: false, anyPending: false };
  let prefetched = o.prefetched;
  const { host, emit, scope } = o;

  const exec = async (phase: Phase, step: string, command: string, timeoutSec: number): Promise<ExecResult> => {
    // Ctrl-C never kills a change half-way (its own timeout still bounds it); read-only phases stop at once
    const signal = phase === "apply" || phase === "rollback" ? undefined : o.signal;
    const r = await o.ctx(step).transport().exec(command, { timeoutMs: timeoutSec * 1000, become: o.playbook.become, signal });
    emit({ type: "command", host, step, phase, record: { command, exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, durationMs: r.durationMs, stdout: excerpt(r.stdout, 2000), stderr: excerpt(r.stderr, 2000) } });
    return r;
  };

  const audit = async (step: Step, e: Omit<Parameters<HostGate["audit"]>[2], "step">) => {
    if (!o.gate) return;
    const okWritten = await o.gate.audit(host, o.ctx(step.id).transport(), { step: { id: step.id, name: step.name }, ...e });
    emit({ type: "audit", host, step: step.id, event: e.event, ok: okWritten, time: now() });
  };

  /** --diff of the step's copy/template actions, read before they run */
  const diffOf = async (actions: Action[], step: Step): Promise<string | undefined> => {
    if (!o.diff) return undefined;
    const parts: string[] = [];
    for (const a of actions) if (a.kind === "copy") parts.push(await copyDiff(a, { host, scope, playbook: o.playbook, transport: o.ctx(step.id).transport(), timeoutSec: step.timeoutSec, signal: o.signal }));
    return parts.join("") || undefined;
  };

  const runActions = async (actions: Action[], phase: "apply" | "rollback", step: Step, rec?: StepRecord): Promise<string | undefined> => {
    for (const a of actions) {
      if (o.signal.aborted) return "interrupted before this action";
      const kind = actionKind(a);
      let what: string;
      try {
        what = describeAction(a, { host, text: a.kind === "run" ? interpolate(a.run, scope, "shell") : undefined });
      } catch (e) {
        return errorMessage(e); // e.g. a value that is not there: nothing ran
      }
      if (rec && a.kind === "copy" && o.diff) rec.diff = ((rec.diff ?? "") + ((await diffOf([a], step)) ?? "")) || undefined;
      if (kind.mutating) await audit(step, { event: "intent", phase, action: what });
      let r;
      try {
        r = await kind.run(a, { host, step, phase, scope, playbook: o.playbook, facts: o.facts, ctx: o.ctx(step.id), exec: (c, t) => exec(phase, step.id, c, t), emit, tracker: o.tracker, artifacts: o.artifacts });
      } catch (e) {
        if (o.hostLost(e)) throw e;
        r = { ok: false as const, reason: errorMessage(e) };
      }
      if (kind.mutating) await audit(step, { event: "result", phase, action: what, ok: r.ok, ...(r.ok ? {} : { message: r.reason }) });
      if (!r.ok) return r.reason;
    }
    return undefined;
  };

  const rollback = async (step: Step): Promise<RollbackResult> => {
    if (!step.rollback.length) return { ran: false, ok: true };
    try {
      const f = await runActions(step.rollback, "rollback", step);
      return f ? { ran: true, ok: false, message: f } : { ran: true, ok: true };
    } catch (e) {
      if (o.hostLost(e)) return { ran: true, ok: false, message: `connection lost: ${errorMessage(e)}` };
      return { ran: true, ok: false, message: errorMessage(e) };
    }
  };

  const verify = async (step: Step): Promise<string | undefined> => {
    const v = step.verify;
    const run = v?.run ?? step.check?.run;
    if (!run) return undefined; // no check and no verify: the apply exit codes are the proof
    const match: Match = v ? resolveMatch(v.compliant, scope) : resolveCheck(step, scope).compliant;
    const retries = v?.retries ?? 3;
    const delay = (v?.delaySec ?? 2) * 1000;
    let last = "";
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await o.clock.sleep(delay, o.signal);
      const cmd = interpolate(run, scope, "shell");
      const r = await exec("verify", step.id, cmd, v?.timeoutSec ?? step.check?.timeoutSec ?? step.timeoutSec);
      if (matches(match, r)) {
        if (step.check?.register) scope.registered[step.check.register] = registered(r, { compliant: true, changed: true });
        return undefined;
      }
      last = mismatch(match, r);
    }
    return `${last} (after ${retries + 1} attempts)`;
  };

  /** Dry run: would the apply fail? (a `fail:` it would reach, an artifact that cannot be had) */
  const wouldFail = async (step: Step): Promise<string | undefined> => {
    for (const a of step.apply) {
      if (a.kind === "fail") return interpolate(a.message, scope, "plain");
      if (a.kind === "artifact" && o.artifacts) {
        try {
          await o.artifacts.preview(o.ctx(step.id), a, scope);
        } catch (e) {
          if (o.hostLost(e)) throw e;
          return errorMessage(e);
        }
      }
    }
    return undefined;
  };

  const fail = (phase: FailPhase, reason: string, rb?: RollbackResult): StepOutcome => ({ status: "failed", phase, reason, ...(rb ? { rollback: rb } : {}) });

  const decide = async (step: Step, rec: StepRecord): Promise<StepOutcome> => {
    if (step.when && !evalCondition(step.when, scope)) return { status: "skipped", why: "when", reason: step.whenReason ?? `condition is false: ${step.when.source}` };
    let detail: string | undefined;
    if (step.check) {
      const cmd = interpolate(step.check.run, scope, "shell");
      const cached = prefetched.get(cmd);
      let r: ExecResult;
      if (cached) {
        r = cached;
        emit({ type: "command", host, step: step.id, phase: "check", record: { command: cmd, exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, durationMs: r.durationMs, stdout: excerpt(r.stdout, 2000), stderr: excerpt(r.stderr, 2000) } });
      } else r = await exec("check", step.id, cmd, step.check.timeoutSec ?? step.timeoutSec);
      rec.checkDigest = checkDigest(r);
      rec.checkExit = r.exitCode;
      const d = decideCheck(resolveCheck(step, scope), r);
      if (step.check.register) scope.registered[step.check.register] = registered(r, { compliant: d.kind === "compliant" });
      if (d.kind === "error") return fail("check", d.message);
      if (d.kind === "not_applicable") return { status: "skipped", why: "not_applicable", reason: d.reason };
      if (d.kind === "compliant") return { status: "ok" };
      detail = d.detail;
      // a check-only step is an assertion: nothing could make it true
      if (step.apply.length === 0) return o.mode === "apply" ? fail("check", `not satisfied: ${d.detail}`) : { status: "would_fail", reason: `not satisfied: ${d.detail}` };
    }
    rec.commands = await Promise.all(step.apply.map((a) => renderAction(a, step, scope, o.playbook)));
    if (o.mode !== "apply") {
      rec.diff = await diffOf(step.apply, step);
      const wf = await wouldFail(step);
      return wf !== undefined ? { status: "would_fail", reason: wf } : { status: "would_change", detail };
    }
    const approved = o.approved?.steps.get(step.id);
    if (o.approved && approved?.status !== "would_change") {
      // apply --plan: only what was approved; a step that was compliant at plan time must not run now
      const reason = `step "${step.name}": not in the approved plan (planned status: ${approved?.status ?? "absent"}); re-plan`;
      out.refusal = { kind: "stale", host, reasons: [reason] };
      return fail("check", reason);
    }
    prefetched = new Map(); // the host is about to change: later checks must look again
    const failure = await runActions(step.apply, "apply", step, rec);
    if (failure !== undefined) return fail("apply", failure, await rollback(step));
    if (o.signal.aborted) return fail("verify", "interrupted after the apply: the change was made but not verified; re-run to verify it");
    const vfail = await verify(step);
    if (vfail !== undefined) return fail("verify", vfail, await rollback(step));
    return { status: "changed", detail };
  };

  for (const step of o.playbook.steps) {
    if (o.signal.aborted) break;
    if (!selected(step, o)) continue;
    const t0 = o.clock.now();
    emit({ type: "step_start", host, step: step.id, name: step.name, time: now() });
    const rec: StepRecord = { id: step.id, name: step.name, status: "ok", outcome: { status: "ok" }, commands: [] };
    out.steps.push(rec);
    let outcome: StepOutcome;
    try {
      outcome = await decide(step, rec);
    } catch (e) {
      if (o.hostLost(e)) {
        set(rec, { status: "unreachable", reason: errorMessage(e) });
        emitEnd(rec, t0);
        throw new HostLost(e, rec);
      }
      // e.g. a value that cannot be interpolated, a bad node name: this step's failure, in the phase it was in
      outcome = fail(o.mode === "apply" && rec.commands.length ? "apply" : "check", errorMessage(e));
    }
    set(rec, outcome);
    emitEnd(rec, t0);
    if (o.mode === "apply" && rec.commands.length && (outcome.status === "changed" || outcome.status === "failed") && !out.refusal) {
      await audit(step, { event: "step", result: outcome.status, message: rec.message });
    }
    if (outcome.status === "changed") out.anyChanged = true;
    if (outcome.status === "would_change") out.anyPending = true;
    if (outcome.status === "failed" || outcome.status === "would_fail") {
      out.stoppedBy = rec;
      break;
    }
  }
  return out;

  function set(rec: StepRecord, outcome: StepOutcome): void {
    rec.outcome = outcome;
    rec.status = outcome.status;
    rec.message = stepMessage(outcome);
  }

  function emitEnd(rec: StepRecord, t0: number): void {
    const oc = rec.outcome;
    emit({
      type: "step_end",
      host,
      step: rec.id,
      name: rec.name,
      status: rec.status,
      message: rec.message,
      ...(oc.status === "failed" ? { phase: oc.phase, ...(oc.rollback ? { rollback: oc.rollback } : {}) } : {}),
      commands: rec.commands.length ? rec.commands : undefined,
      ...(rec.diff ? { diff: rec.diff } : {}),
      durationMs: o.clock.now() - t0,
      time: now(),
    });
  }
}
