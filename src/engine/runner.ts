// All hosts: batches (serial), bounded parallelism (forks), failure budgets; emits run/batch events.
// Each host goes through its phases on its own (host-run.ts); the only barrier is apply --plan's check
// pass (every host locked and checked against the plan before anything is applied anywhere).
// Returns a typed summary; the exit code is the CLI's business (src/cli/exit-codes.ts).
import { randomUUID } from "node:crypto";
import type { Playbook } from "../model/playbook.js";
import type { Vars } from "../model/inventory.js";
import type { EventSink, HostSummary, Mode, RunSummary } from "../model/events.js";
import type { ApprovedHost, HostResult, PlanRefusal } from "../model/outcome.js";
import type { Transport } from "../transport/transport.js";
import { errorMessage } from "../errors.js";
import type { Connector } from "./connector.js";
import type { Clock } from "./context.js";
import { runHost, type HostRunOptions } from "./host-run.js";
import { computeBatches, budgetBlown, defaultSerialFor } from "./batches.js";
import { CordonTracker, type CordonedNode } from "./cordon-tracker.js";
import type { ArtifactService } from "../artifacts/api.js";
import type { HostGate } from "./gate.js";

export interface PlanEnforcement {
  approved: Map<string, ApprovedHost>;
  fingerprints: Map<string, { boot_id: string; kernel: string }>;
  /** compare a fresh dry run of one host (under the lock) with the plan */
  verify(fresh: HostResult): PlanRefusal | undefined;
  /** how long to wait for a lock held by another live run */
  lockWaitMs: number;
  /** told once every host passed the check pass, before anything is applied */
  onChecked?: (hosts: number) => void;
}

export interface RunOptions {
  runId?: string;
  mode: Mode;
  playbook: Playbook;
  hosts: string[];
  /** merged variables per host (inventory < playbook vars < extra vars) */
  varsFor: (host: string) => Vars;
  /** vars secret whatever their name (decrypted vault values): delivered like secret-named ones */
  secretVarsFor?: (host: string) => ReadonlySet<string>;
  groups: Record<string, string[]>;
  /** the run's one connector: one connection per host for the whole run */
  connector: Connector;
  emit: EventSink;
  signal: AbortSignal;
  clock: Clock;
  forks: number;
  serial?: Array<number | string>;
  tags?: string[];
  skipTags?: string[];
  /** --diff: unified diffs of copy/template destinations on step_end */
  diff?: boolean;
  artifacts?: ArtifactService;
  /** apply: the node run lock and audit log */
  gate?: HostGate;
  /** apply --plan: all-or-nothing check pass, then only the approved steps */
  plan?: PlanEnforcement;
  /** hosts to skip (resume): already finished in an earlier run */
  skipHosts?: Set<string>;
  /** resume: what the killed run left in a node's audit log */
  earlierRun?: (host: string, t: Transport) => Promise<string[]>;
  /** every cordon/uncordon this run does (the journal records them for --resume) */
  onCordon?: (c: CordonedNode, cordoned: boolean) => void;
  /** resume: nodes the earlier run cordoned and never uncordoned; uncordoned when their host ends or fails */
  leftCordoned?: CordonedNode[];
}

export interface RunResult {
  runId: string;
  summary: RunSummary;
  hosts: HostResult[];
  /** apply --plan refused before anything was applied (typed; empty when it went ahead) */
  planRefusals: PlanRefusal[];
}

export async function runPlaybook(o: RunOptions): Promise<RunResult> {
  const runId = o.runId ?? randomUUID();
  const time = () => new Date().toISOString();
  o.emit({ type: "run_start", runId, mode: o.mode, playbook: o.playbook.file, hosts: o.hosts, time: time() });
  const tracker = new ReportingTracker(o.onCordon);
  const results = new Map<string, HostResult>();
  const todo = o.hosts.filter((h) => !o.skipHosts?.has(h));
  const inherited = new Set<string>();
  for (const c of o.leftCordoned ?? []) {
    if (!todo.includes(c.host)) continue;
    tracker.markCordoned(c.host, c.node, c.delegate, c.leave);
    inherited.add(c.host);
  }

  let refusals: PlanRefusal[] = [];
  if (o.mode === "apply" && o.plan) {
    refusals = await planCheckPass(o, todo);
    if (!refusals.length && !o.signal.aborted) o.plan.onChecked?.(todo.length);
  }

  let serial = o.serial ?? o.playbook.serial;
  let ordered = todo;
  if (o.mode === "apply" && !serial && isDisruptive(o.playbook)) {
    // never take several control-plane/etcd members down at once unless the playbook says so
    const d = defaultSerialFor(todo, o.groups);
    ordered = d.hosts;
    serial = d.serial;
  }
  const batches = refusals.length ? [] : computeBatches(ordered, o.mode === "apply" ? serial : undefined);
  let stopped = false;

  for (const [index, batch] of batches.entries()) {
    if (stopped || o.signal.aborted) break;
    o.emit({ type: "batch_start", index, hosts: batch, time: time() });
    await pool(batch, o.forks, o.signal, async (host) => {
      const r = await runHost({ ...hostOptions(o, host, tracker), inheritedCordon: inherited.has(host) });
      results.set(host, r);
    });
    const failed = batch.filter((h) => ["failed", "unreachable"].includes(results.get(h)?.status ?? ""));
    o.emit({ type: "batch_end", index, failed, time: time() });
    if (o.mode === "apply" && budgetBlown(batch.length, failed.length, o.playbook.maxFailPercentage, o.playbook.anyErrorsFatal)) {
      stopped = true;
      o.emit({ type: "warning", message: `failure budget exceeded in batch ${index + 1} (${failed.length}/${batch.length} failed${o.playbook.maxFailPercentage !== undefined ? `, max_fail_percentage ${o.playbook.maxFailPercentage}` : ""}${o.playbook.anyErrorsFatal ? ", any_errors_fatal" : ""}): no further batch starts`, time: time() });
    }
  }
  // locks of hosts that never ran (refused plan, blown budget, Ctrl-C) go back now
  if (o.gate) await releaseHeld(o);

  const byHost = new Map(refusals.map((r) => [r.host, r]));
  const hostResults: HostResult[] = o.hosts.map(
    (h) =>
      results.get(h) ?? {
        host: h,
        status: "untouched",
        message: byHost.has(h) ? `plan refused: ${byHost.get(h)!.reasons.join("; ")}` : o.skipHosts?.has(h) ? "finished in an earlier run (resumed)" : refusals.length ? "not started: the plan was refused" : o.signal.aborted ? "not started: interrupted" : "not started: the failure budget was exceeded",
        steps: [],
        ...(byHost.has(h) ? { refusal: byHost.get(h) } : {}),
      },
  );
  const summary = { ...summarize(o.mode, hostResults, o.signal.aborted), runId, ...(refusals.length ? { planRefused: refusals.map((r) => r.kind) } : {}) };
  o.emit({ type: "run_end", runId, summary, time: time() });
  return { runId, summary, hosts: hostResults, planRefusals: refusals };
}

function hostOptions(o: RunOptions, host: string, tracker: CordonTracker): HostRunOptions {
  return {
    host,
    mode: o.mode,
    playbook: o.playbook,
    vars: o.varsFor(host),
    secretVars: o.secretVarsFor?.(host),
    groups: o.groups,
    connector: o.connector,
    emit: o.emit,
    signal: o.signal,
    clock: o.clock,
    tracker,
    artifacts: o.artifacts,
    approved: o.plan?.approved.get(host),
    fingerprint: o.plan?.fingerprints.get(host),
    tags: o.tags,
    skipTags: o.skipTags,
    diff: o.diff,
    gate: o.mode === "apply" ? o.gate : undefined,
    earlierRun: o.earlierRun ? (t) => o.earlierRun!(host, t) : undefined,
  };
}

/**
 * apply --plan: lock every host, then a dry run on each under its lock, compared with the plan. Any
 * refusal refuses the whole plan (nothing is applied anywhere); the locks stay held for the apply.
 */
async function planCheckPass(o: RunOptions, hosts: string[]): Promise<PlanRefusal[]> {
  const gate = o.gate;
  const plan = o.plan!;
  const refusals: PlanRefusal[] = [];
  const transports = new Map<string, Transport>();
  await pool(hosts, o.forks, o.signal, async (h) => {
    try {
      transports.set(h, await o.connector.get(h, o.signal));
    } catch (e) {
      refusals.push({ kind: "unreachable", host: h, reasons: [`unreachable: ${errorMessage(e)}`] });
    }
  });
  if (gate && !refusals.length) {
    const reachable = [...transports.keys()].sort();
    const lockOne = async (h: string, wait: number): Promise<{ refusal?: PlanRefusal; held?: boolean }> => {
      try {
        const r = await gate.lock(h, transports.get(h)!, wait);
        if (r.ok) return r.alreadyApplied ? { refusal: { kind: "already_applied", host: h, reasons: [r.alreadyApplied] } } : {};
        return { refusal: { kind: "locked", host: h, reasons: [r.message] }, held: r.kind === "held" };
      } catch (e) {
        return { refusal: { kind: "locked", host: h, reasons: [`cannot take the run lock on ${h}: ${errorMessage(e)}`] } };
      }
    };
    // optimistic: all at once without waiting (nobody waits, so nobody deadlocks)
    const first = new Map<string, { refusal?: PlanRefusal; held?: boolean }>();
    await pool(reachable, o.forks, o.signal, async (h) => void first.set(h, await lockOne(h, 0)));
    const onlyHeld = [...first.values()].every((r) => !r.refusal || r.held);
    if (onlyHeld && [...first.values()].some((r) => r.held) && plan.lockWaitMs > 0 && !o.signal.aborted) {
      // waiting while holding other locks deadlocks two runs that took them in different orders:
      // let go of ours, then take them one by one in name order, stopping at the first we cannot get
      await releaseHeld(o);
      for (const h of reachable) {
        if (o.signal.aborted) break;
        const r = await lockOne(h, plan.lockWaitMs);
        if (r.refusal) {
          refusals.push(r.refusal);
          break;
        }
      }
    } else for (const r of first.values()) if (r.refusal) refusals.push(r.refusal);
  }
  if (!refusals.length && !o.signal.aborted) {
    // the check pass: the same dry run as `remedy plan`, on every host, under its lock
    const fresh = new Map<string, HostResult>();
    await pool(hosts, o.forks, o.signal, async (h) => {
      const r = await runHost({ ...hostOptions(o, h, new CordonTracker()), mode: "plan", emit: () => undefined, gate: undefined, approved: undefined, fingerprint: undefined, earlierRun: undefined });
      fresh.set(h, r);
    });
    for (const h of hosts) {
      const f = fresh.get(h);
      const r = f ? plan.verify(f) : { kind: "failed" as const, host: h, reasons: ["not checked now (interrupted?)"] };
      if (r) refusals.push(r);
    }
  }
  return refusals;
}

async function releaseHeld(o: RunOptions): Promise<void> {
  const gate = o.gate!;
  await pool(gate.held(), o.forks, new AbortController().signal, async (h) => {
    try {
      await gate.release(h, await o.connector.get(h));
    } catch (e) {
      o.emit({ type: "warning", host: h, message: `could not release the run lock (${errorMessage(e)}); remove it with \`remedy unlock -i INVENTORY -l ${h}\``, time: new Date().toISOString() });
    }
  });
}

/** The run's cordon registry, reporting each change (to the journal). */
class ReportingTracker extends CordonTracker {
  constructor(private readonly report?: (c: CordonedNode, cordoned: boolean) => void) {
    super();
  }
  override markCordoned(host: string, node: string, delegate: string, leave = false): void {
    super.markCordoned(host, node, delegate, leave);
    this.report?.({ host, node, delegate, leave }, true);
  }
  override markUncordoned(host: string): void {
    const c = this.pendingFor(host);
    super.markUncordoned(host);
    if (c) this.report?.(c, false);
  }
}

function isDisruptive(pb: Playbook): boolean {
  return pb.steps.some((s) => s.apply.some((a) => a.kind === "reboot" || a.kind === "drain"));
}

export function summarize(mode: Mode, hosts: HostResult[], interrupted: boolean): RunSummary {
  const rows: HostSummary[] = hosts.map((h) => {
    const count = (s: string) => h.steps.filter((x) => x.status === s).length;
    return {
      host: h.host,
      status: h.status,
      ok: count("ok"),
      changed: count("changed"),
      would_change: count("would_change"),
      would_fail: count("would_fail"),
      failed: count("failed"),
      skipped: count("skipped"),
      message: h.message,
      ...(h.refusal ? { refused: h.refusal.kind } : {}),
    };
  });
  const totals = { ok: 0, changed: 0, would_change: 0, would_fail: 0, failed: 0, unreachable: 0, skipped: 0, untouched: 0, would_fail_hosts: 0 };
  for (const r of rows) {
    totals.ok += r.ok;
    totals.changed += r.changed;
    totals.would_change += r.would_change;
    totals.would_fail += r.would_fail;
    totals.skipped += r.skipped;
    if (r.status === "failed") totals.failed++;
    if (r.status === "would_fail") totals.would_fail_hosts++;
    if (r.status === "unreachable") totals.unreachable++;
    if (r.status === "untouched") totals.untouched++;
  }
  return { mode, hosts: rows, totals, interrupted };
}

/** Run fn over items with at most `limit` in flight; stops starting new items once aborted. */
export async function pool<T>(items: T[], limit: number, signal: AbortSignal, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal.aborted) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
