// One host, all steps: facts → for each step: when → check → (apply → verify | rollback).
import { createHash } from "node:crypto";
import type { Action, Match, Playbook, Step } from "../model/playbook.js";
import type { Vars } from "../model/inventory.js";
import type { Facts } from "../model/facts.js";
import type { CommandRecord, EventSink, HostStatus, Mode, Phase, StepStatus } from "../model/events.js";
import type { ExecResult, Transport } from "../transport/transport.js";
import { TransportError, errorMessage } from "../errors.js";
import { interpolate, evalCondition, type Scope } from "../playbook/index.js";
import { FACTS_COMMAND, parseFacts } from "./facts.js";
import { actionFailure, decideCheck, excerpt, matches, mismatch } from "./decide.js";
import { describeAction } from "./render.js";
import { batchScript, collectChecks, newToken, parseBatch, prefetchChecks } from "./prefetch.js";
import { copyContent, renderAction, resolveCheck, resolveMatch } from "./step-values.js";
import type { Connector } from "./connector.js";
import type { Clock, HostContext } from "./context.js";
import { runReboot } from "./reboot.js";
import { kubeAction } from "./kube.js";
import type { CordonTracker } from "./cordon-tracker.js";
import type { ArtifactService } from "../artifacts/service.js";
import { shellQuote } from "../transport/quote.js";
import { unifiedDiff } from "../report/diff.js";

export interface StepRecord {
  id: string;
  name: string;
  status: StepStatus;
  message?: string;
  /** sha256 of the check's exit code + stdout, for plan staleness */
  checkDigest?: string;
  checkExit?: number | null;
  commands: string[];
  /** --diff: unified diff of what copy/template would write or wrote */
  diff?: string;
}

export interface HostResult {
  host: string;
  status: HostStatus;
  message?: string;
  facts?: Facts;
  steps: StepRecord[];
}

/** What `apply --plan` approved for this host: step id → the check digest seen at plan time. */
export interface ApprovedHost {
  steps: Map<string, { status: StepStatus; checkDigest?: string }>;
}

export interface HostRunOptions {
  host: string;
  mode: Mode;
  playbook: Playbook;
  vars: Vars;
  groups: Record<string, string[]>;
  connector: Connector;
  emit: EventSink;
  signal: AbortSignal;
  clock: Clock;
  tracker: CordonTracker;
  artifacts?: ArtifactService;
  approved?: ApprovedHost;
  /** tag filter */
  tags?: string[];
  /** --diff: read each copy/template destination and diff it against the new content */
  diff?: boolean;
  /** called after the host's facts are known and before any apply (e.g. run lock, plan fingerprint check); throwing fails the host */
  beforeApply?: (t: Transport, facts: Facts) => Promise<void>;
  afterApply?: (t: Transport, result: HostResult) => Promise<void>;
  /** resume: an earlier, killed run left this host's node cordoned (seeded in the tracker); uncordon it at the end */
  inheritedCordon?: boolean;
}

const now = () => new Date().toISOString();

export function checkDigest(r: ExecResult): string {
  return createHash("sha256").update(`${r.exitCode}\n${r.stdout}`).digest("hex");
}

class StepFailure extends Error {}

export async function runHost(o: HostRunOptions): Promise<HostResult> {
  const { host, emit } = o;
  const result: HostResult = { host, status: "ok", steps: [] };
  emit({ type: "host_start", host, time: now() });
  let transport: Transport;
  try {
    transport = await o.connector.get(host, o.signal);
  } catch (e) {
    return finish(result, "unreachable", errorMessage(e), emit);
  }

  const exec = async (phase: Phase, step: string, command: string, timeoutSec: number, become = o.playbook.become): Promise<ExecResult> => {
    // Ctrl-C never kills a change half-way (its own timeout still bounds it); read-only phases stop at once
    const signal = phase === "apply" || phase === "rollback" ? undefined : o.signal;
    const r = await transport.exec(command, { timeoutMs: timeoutSec * 1000, become, signal });
    const record: CommandRecord = {
      command,
      exitCode: r.exitCode,
      signal: r.signal,
      timedOut: r.timedOut,
      durationMs: r.durationMs,
      stdout: excerpt(r.stdout, 2000),
      stderr: excerpt(r.stderr, 2000),
    };
    emit({ type: "command", host, step, phase, record });
    return r;
  };

  const recordCached = (step: string, command: string, r: ExecResult): ExecResult => {
    emit({ type: "command", host, step, phase: "check", record: { command, exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, durationMs: r.durationMs, stdout: excerpt(r.stdout, 2000), stderr: excerpt(r.stderr, 2000) } });
    return r;
  };

  let facts: Facts;
  // results of read-only checks fetched in batches; valid until this host's first apply
  let prefetched = new Map<string, ExecResult>();
  try {
    // facts ride along with every check that needs no facts: one round trip for a plain probe playbook
    const early = collectChecks(o, { vars: o.vars, host, groups: o.groups, registered: {} }, prefetched);
    const token = newToken();
    const script = early.length ? `${FACTS_COMMAND}\nprintf '\\n%s\\n' ${token}-FACTS\n${batchScript(early, token)}` : FACTS_COMMAND;
    const budget = Math.min(30, ...early.map((i) => i.timeoutSec)) + 10;
    const r = await transport.exec(script, { timeoutMs: budget * 1000, become: early.length ? o.playbook.become : false, signal: o.signal });
    const cut = early.length ? r.stdout.indexOf(`\n${token}-FACTS\n`) : -1;
    const factsOut = cut >= 0 ? r.stdout.slice(0, cut) : r.stdout;
    emit({ type: "command", host, step: "", phase: "facts", record: { command: FACTS_COMMAND, exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, durationMs: r.durationMs, stdout: excerpt(factsOut, 2000), stderr: excerpt(r.stderr, 2000) } });
    if (!/^kernel=\S/m.test(factsOut)) return finish(result, "failed", `gathering facts failed (exit ${r.exitCode ?? r.signal}): ${excerpt(r.stderr || factsOut)}`, emit);
    if (cut >= 0) for (const [i, res] of parseBatch(r.stdout.slice(cut), token, early, r.durationMs)) prefetched.set(early[i]!.command, res);
    facts = parseFacts(factsOut);
    result.facts = facts;
    emit({ type: "facts", host, facts });
  } catch (e) {
    return finish(result, "unreachable", errorMessage(e), emit);
  }

  const scope: Scope = { vars: o.vars, facts, host, groups: o.groups, registered: {} };
  for (const [cmd, res] of await prefetchChecks(o, scope, transport, prefetched)) prefetched.set(cmd, res);
  const ctx = (step: string): HostContext => ({
    host,
    transport: () => transport,
    reconnect: async () => (transport = await o.connector.reconnect(host, o.signal)),
    delegate: (h) => (h === host ? Promise.resolve(transport) : o.connector.get(h, o.signal)),
    clock: o.clock,
    signal: o.signal,
    emit,
    step,
    become: o.playbook.become,
  });

  let applyStarted = false;
  let anyChanged = false;
  let anyPending = false;
  try {
    for (const step of o.playbook.steps) {
      if (o.signal.aborted) break;
      if (o.tags?.length && !step.tags.some((t) => o.tags!.includes(t))) continue;
      const t0 = o.clock.now();
      emit({ type: "step_start", host, step: step.id, name: step.name, time: now() });
      const rec: StepRecord = { id: step.id, name: step.name, status: "ok", commands: [] };
      result.steps.push(rec);
      const end = (status: StepStatus, message?: string) => {
        rec.status = status;
        rec.message = message;
        emit({ type: "step_end", host, step: step.id, name: step.name, status, message, commands: rec.commands.length ? rec.commands : undefined, ...(rec.diff ? { diff: rec.diff } : {}), durationMs: o.clock.now() - t0, time: now() });
      };

      if (step.when && !evalCondition(step.when, scope)) {
        end("skipped", step.whenReason ?? `condition is false: ${step.when.source}`);
        continue;
      }

      if (step.check) {
        const cmd = interpolate(step.check.run, scope, "shell");
        const cached = prefetched.get(cmd);
        const r = cached ? recordCached(step.id, cmd, cached) : await exec("check", step.id, cmd, step.check.timeoutSec ?? step.timeoutSec);
        rec.checkDigest = checkDigest(r);
        rec.checkExit = r.exitCode;
        const d = decideCheck(resolveCheck(step, scope), r);
        if (step.check.register) scope.registered[step.check.register] = registered(r, { compliant: d.kind === "compliant" });
        if (d.kind === "error") {
          end("failed", d.message);
          throw new StepFailure(`step "${step.name}": ${d.message}`);
        }
        if (d.kind === "not_applicable") {
          end("skipped", d.reason);
          continue;
        }
        if (d.kind === "compliant") {
          end("ok");
          continue;
        }
        rec.message = d.detail;
        if (step.apply.length === 0) {
          // a check-only step is an assertion: nothing could make it true
          end("failed", `not satisfied: ${d.detail}`);
          throw new StepFailure(`step "${step.name}": ${d.detail}`);
        }
      }

      rec.commands = await Promise.all(step.apply.map((a) => renderAction(a, step, scope, o.playbook)));
      const approved = o.approved?.steps.get(step.id);
      if (o.mode !== "apply") {
        if (o.diff) rec.diff = (await Promise.all(step.apply.map((a) => (a.kind === "copy" ? copyDiff(a, step) : "")))).join("") || undefined;
        // artifacts: report build vs cache per host (builds nothing)
        const pf = await previewArtifacts(step);
        if (pf) {
          end("failed", pf);
          throw new StepFailure(pf);
        }
        anyPending = true;
        end("would_change", rec.message);
        continue;
      }
      if (o.approved && approved?.status !== "would_change") {
        // apply --plan: only what was approved; a step that was compliant at plan time must not run now
        end("failed", `not in the approved plan (planned status: ${approved?.status ?? "absent"}); re-plan`);
        throw new StepFailure(`step "${step.name}" changed since the plan`);
      }
      if (!applyStarted && o.beforeApply) await o.beforeApply(transport, facts);
      applyStarted = true;
      prefetched = new Map(); // the host is about to change: later checks must look again
      const failure = await runActions(step.apply, "apply", step, rec);
      if (failure) {
        const rb = await rollback(step, rec);
        end("failed", `${failure}${rb}`);
        throw new StepFailure(failure);
      }
      if (o.signal.aborted) {
        end("failed", "interrupted after the apply: the change was made but not verified; re-run to verify it");
        throw new StepFailure(`step "${step.name}" interrupted before verify`);
      }
      const vfail = await verify(step, rec);
      if (vfail) {
        const rb = await rollback(step, rec);
        end("failed", `verify failed: ${vfail}${rb}`);
        throw new StepFailure(vfail);
      }
      anyChanged = true;
      end("changed", rec.message);
    }
  } catch (e) {
    // a delegate (e.g. the kubectl host) being unreachable fails this host; it does not make it unreachable
    const status: HostStatus = e instanceof TransportError && e.host === host ? "unreachable" : "failed";
    if (!(e instanceof StepFailure)) {
      const open = result.steps.at(-1);
      if (open && open.status === "ok" && !open.message) {
        open.status = status === "unreachable" ? "unreachable" : "failed";
        open.message = errorMessage(e);
        emit({ type: "step_end", host, step: open.id, name: open.name, status: open.status, message: open.message, durationMs: 0, time: now() });
      }
    }
    await rescue();
    await o.afterApply?.(transport, { ...result, status }).catch(() => undefined);
    return finish(result, status, errorMessage(e), emit);
  }
  if (o.signal.aborted) await rescue();
  else if (o.inheritedCordon) await rescue("left cordoned by the interrupted earlier run");
  if (applyStarted) await o.afterApply?.(transport, result).catch((e) => emit({ type: "warning", host, message: errorMessage(e), time: now() }));
  return finish(result, anyChanged ? "changed" : anyPending ? "would_change" : "ok", undefined, emit);

  // --- helpers bound to this host ---

  async function runActions(actions: Action[], phase: Phase, step: Step, rec: StepRecord): Promise<string | undefined> {
    for (const a of actions) {
      if (o.signal.aborted) return "interrupted before this action";
      const failure = await runAction(a, phase, step, rec);
      if (failure) return failure;
    }
    return undefined;
  }

  /** --diff of one copy/template: the destination as it is now (read-only) against the content it would get */
  async function copyDiff(a: Extract<Action, { kind: "copy" }>, step: Step): Promise<string> {
    const dest = interpolate(a.dest, scope, "plain");
    const body = (await copyContent(a, scope, o.playbook)).toString("utf8");
    const r = await transport.exec(`cat -- ${shellQuote(dest)}`, { timeoutMs: step.timeoutSec * 1000, become: o.playbook.become, signal: o.signal });
    const exists = r.exitCode === 0;
    return unifiedDiff(exists ? r.stdout : "", body, { from: exists ? `${host}:${dest}` : "/dev/null", to: `${host}:${dest} (new)` });
  }

  async function runAction(a: Action, phase: Phase, step: Step, rec: StepRecord): Promise<string | undefined> {
    switch (a.kind) {
      case "run": {
        const cmd = interpolate(a.run, scope, "shell");
        const timeout = a.timeoutSec ?? step.timeoutSec;
        const r = await exec(phase, step.id, cmd, timeout);
        if (a.register) scope.registered[a.register] = registered(r, {});
        const f = actionFailure(a.okExit, r, timeout);
        return f ? `\`${cmd}\` ${f}` : undefined;
      }
      case "copy": {
        if (o.diff) rec.diff = (rec.diff ?? "") + (await copyDiff(a, step)) || undefined;
        const body = await copyContent(a, scope, o.playbook);
        const dest = interpolate(a.dest, scope, "plain");
        const put = await transport.put(body, dest, {
          mode: a.mode ? Number.parseInt(a.mode, 8) : undefined,
          owner: a.owner,
          group: a.group,
          backup: a.backup,
          become: o.playbook.become,
        });
        emit({ type: "command", host, step: step.id, phase, record: { command: describeAction(a, { host, sha256: put.sha256 }), exitCode: 0, durationMs: 0, stdout: put.changed ? `written ${put.bytes} bytes${put.backupPath ? `, backup ${put.backupPath}` : ""}` : "unchanged", stderr: "" } });
        return undefined;
      }
      case "reboot": {
        const expect = a.expect !== undefined ? interpolate(a.expect, scope, "plain") : undefined;
        const spec = { ...a, command: interpolate(a.command, scope, "shell"), testCommand: interpolate(a.testCommand, scope, "shell") };
        const out = await runReboot(ctx(step.id), spec, { expect });
        if (!out.ok) return `reboot: ${out.message}`;
        facts.boot_id = out.bootIdAfter;
        return undefined;
      }
      case "cordon":
      case "drain":
      case "uncordon": {
        const node = a.node ? interpolate(a.node, scope, "plain") : host;
        const delegateTo = a.delegateTo ? interpolate(a.delegateTo, scope, "plain") : undefined;
        // kubectl drain cordons before it evicts: a drain that fails, times out or is interrupted leaves the
        // node cordoned, so it is tracked before kubectl runs and rescue uncordons it either way
        if (a.kind !== "uncordon") o.tracker.markCordoned(host, node, delegateTo ?? "localhost", a.kind === "drain" ? a.leaveCordonedOnFailure ?? false : false);
        const r = await kubeAction(ctx(step.id), { ...a, node, delegateTo }, node);
        if (r.exitCode !== 0) return `${a.kind} ${node}: ${actionFailure([0], r, a.timeoutSec)}`;
        if (a.kind === "uncordon") o.tracker.markUncordoned(host);
        return undefined;
      }
      case "fail":
        return interpolate(a.message, scope, "plain");
      case "artifact": {
        if (!o.artifacts) return `artifact ${a.name}: no artifact service configured`;
        try {
          await o.artifacts.deliver(ctx(step.id), a, scope, transport);
        } catch (e) {
          // this host's connection dropped: unreachable; a failed build/upload is a step failure (rollback runs)
          if (e instanceof TransportError && e.host === host) throw e;
          return errorMessage(e);
        }
        return undefined;
      }
    }
  }

  async function previewArtifacts(step: Step): Promise<string | undefined> {
    for (const a of step.apply) {
      if (a.kind !== "artifact" || !o.artifacts) continue;
      try {
        await o.artifacts.preview(ctx(step.id), a, scope);
      } catch (e) {
        return errorMessage(e);
      }
    }
    return undefined;
  }

  async function verify(step: Step, rec: StepRecord): Promise<string | undefined> {
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
    void rec;
    return `${last} (after ${retries + 1} attempts)`;
  }

  async function rollback(step: Step, rec: StepRecord): Promise<string> {
    if (!step.rollback.length) return "";
    try {
      const f = await runActions(step.rollback, "rollback", step, rec);
      return f ? `; rollback FAILED: ${f}` : "; rollback ran and succeeded";
    } catch (e) {
      return `; rollback FAILED: ${errorMessage(e)}`;
    }
  }

  /** After a failure or Ctrl-C: uncordon what this run cordoned on this host, unless told to leave it. */
  async function rescue(why = "after the failure"): Promise<void> {
    const pending = o.tracker.pendingFor(host);
    if (!pending || pending.leave) return;
    try {
      const r = await kubeAction(ctx("rescue"), { kind: "uncordon", delegateTo: pending.delegate, timeoutSec: 60 }, pending.node);
      if (r.exitCode === 0) {
        o.tracker.markUncordoned(host);
        emit({ type: "warning", host, message: `uncordoned ${pending.node} ${why} (rescue)`, time: now() });
      } else emit({ type: "warning", host, message: `could not uncordon ${pending.node}: ${excerpt(r.stderr)}`, time: now() });
    } catch (e) {
      emit({ type: "warning", host, message: `could not uncordon ${pending.node}: ${errorMessage(e)}`, time: now() });
    }
  }
}

function finish(result: HostResult, status: HostStatus, message: string | undefined, emit: EventSink): HostResult {
  result.status = status;
  result.message = message;
  emit({ type: "host_end", host: result.host, status, message, time: now() });
  return result;
}

function registered(r: ExecResult, extra: { compliant?: boolean; changed?: boolean }) {
  return { stdout: r.stdout, stderr: r.stderr, rc: r.exitCode, stdout_lines: r.stdout.split("\n").filter((l, i, a) => l !== "" || i < a.length - 1), ...extra };
}

