// All hosts: batches (serial), bounded parallelism (forks), failure budgets; emits run/batch events.
import { randomUUID } from "node:crypto";
import type { Playbook } from "../model/playbook.js";
import type { Vars } from "../model/inventory.js";
import type { EventSink, HostSummary, Mode, RunSummary } from "../model/events.js";
import { exitCodeFor } from "../cli/exit-codes.js";
import type { Connector } from "./connector.js";
import type { Clock } from "./context.js";
import { runHost, type ApprovedHost, type HostResult, type HostRunOptions } from "./host-run.js";
import { computeBatches, budgetBlown, defaultSerialFor } from "./batches.js";
import { CordonTracker, type CordonedNode } from "./cordon-tracker.js";
import type { ArtifactService } from "../artifacts/service.js";

export interface RunOptions {
  runId?: string;
  mode: Mode;
  playbook: Playbook;
  hosts: string[];
  /** merged variables per host (inventory < playbook vars < extra vars) */
  varsFor: (host: string) => Vars;
  groups: Record<string, string[]>;
  connector: Connector;
  emit: EventSink;
  signal: AbortSignal;
  clock: Clock;
  forks: number;
  serial?: Array<number | string>;
  tags?: string[];
  /** --diff: unified diffs of copy/template destinations on step_end */
  diff?: boolean;
  artifacts?: ArtifactService;
  approved?: Map<string, ApprovedHost>;
  /** hosts to skip (resume): already finished in an earlier run */
  skipHosts?: Set<string>;
  hooks?: Pick<HostRunOptions, "beforeApply" | "afterApply">;
  /** every cordon/uncordon this run does (the journal records them for --resume) */
  onCordon?: (c: CordonedNode, cordoned: boolean) => void;
  /** resume: nodes the earlier run cordoned and never uncordoned; uncordoned when their host ends or fails */
  leftCordoned?: CordonedNode[];
}

export interface RunResult {
  runId: string;
  exitCode: number;
  summary: RunSummary;
  hosts: HostResult[];
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
  let serial = o.serial ?? o.playbook.serial;
  let ordered = todo;
  if (o.mode === "apply" && !serial && isDisruptive(o.playbook)) {
    // never take several control-plane/etcd members down at once unless the playbook says so
    const d = defaultSerialFor(todo, o.groups);
    ordered = d.hosts;
    serial = d.serial;
  }
  const batches = computeBatches(ordered, o.mode === "apply" ? serial : undefined);
  let stopped = false;

  for (const [index, batch] of batches.entries()) {
    if (stopped || o.signal.aborted) break;
    o.emit({ type: "batch_start", index, hosts: batch, time: time() });
    await pool(batch, o.forks, o.signal, async (host) => {
      const r = await runHost({
        host,
        mode: o.mode,
        playbook: o.playbook,
        vars: o.varsFor(host),
        groups: o.groups,
        connector: o.connector,
        emit: o.emit,
        signal: o.signal,
        clock: o.clock,
        tracker,
        artifacts: o.artifacts,
        approved: o.approved?.get(host),
        tags: o.tags,
        diff: o.diff,
        inheritedCordon: inherited.has(host),
        ...o.hooks,
      });
      results.set(host, r);
    });
    const failed = batch.filter((h) => ["failed", "unreachable"].includes(results.get(h)?.status ?? ""));
    o.emit({ type: "batch_end", index, failed, time: time() });
    if (o.mode === "apply" && budgetBlown(batch.length, failed.length, o.playbook.maxFailPercentage, o.playbook.anyErrorsFatal)) {
      stopped = true;
      o.emit({ type: "warning", message: `failure budget exceeded in batch ${index + 1} (${failed.length}/${batch.length} failed${o.playbook.maxFailPercentage !== undefined ? `, max_fail_percentage ${o.playbook.maxFailPercentage}` : ""}${o.playbook.anyErrorsFatal ? ", any_errors_fatal" : ""}): no further batch starts`, time: time() });
    }
  }

  const hostResults: HostResult[] = o.hosts.map(
    (h) => results.get(h) ?? { host: h, status: "untouched", message: o.skipHosts?.has(h) ? "finished in an earlier run (resumed)" : o.signal.aborted ? "not started: interrupted" : "not started: the failure budget was exceeded", steps: [] },
  );
  const summary = summarize(o.mode, hostResults, o.signal.aborted);
  const exitCode = exitCodeFor(
    { hosts: hostResults.length, failed: summary.totals.failed, unreachable: summary.totals.unreachable, changed: summary.totals.would_change, interrupted: o.signal.aborted },
    o.mode,
  );
  o.emit({ type: "run_end", exitCode, summary, time: time() });
  return { runId, exitCode, summary, hosts: hostResults };
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
    return { host: h.host, status: h.status, ok: count("ok"), changed: count("changed"), would_change: count("would_change"), failed: count("failed"), skipped: count("skipped"), message: h.message };
  });
  const totals = { ok: 0, changed: 0, would_change: 0, failed: 0, unreachable: 0, skipped: 0, untouched: 0 };
  for (const r of rows) {
    totals.ok += r.ok;
    totals.changed += r.changed;
    totals.would_change += r.would_change;
    totals.skipped += r.skipped;
    if (r.status === "failed") totals.failed++;
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
