// Which checks can run before any step (their command known from vars and facts alone), batched into one
// round trip per host by batch-run.ts.
import type { ExecResult, Transport } from "../transport/transport.js";
import type { Playbook } from "../model/playbook.js";
import { interpolate, evalCondition, type Scope } from "../playbook/index.js";
import { runBatch, type DeadlineTimers } from "./batch-run.js";
import type { BatchItem } from "./batch-script.js";

/** What batching needs to know about the run. */
export interface PrefetchOptions {
  playbook: Playbook;
  tags?: string[];
  skipTags?: string[];
  signal: AbortSignal;
  /** keeps each check's deadline (default: the system timers; see FactsInput) */
  deadlineTimers?: DeadlineTimers;
}

/** Does the tag filter (-t / --skip-tags) keep this step? */
export function selected(step: { tags: string[] }, o: { tags?: string[]; skipTags?: string[] }): boolean {
  if (o.tags?.length && !step.tags.some((t) => o.tags!.includes(t))) return false;
  if (o.skipTags?.length && step.tags.some((t) => o.skipTags!.includes(t))) return false;
  return true;
}

/** Runs every check whose command is already known (no registered values needed) in one exec. */
export async function prefetchChecks(o: PrefetchOptions, scope: Scope, transport: Transport, have: Map<string, ExecResult>): Promise<Map<string, ExecResult>> {
  const items = collectChecks(o, scope, have);
  if (items.length < 2) return new Map();
  return (await runBatch(transport, items, { become: o.playbook.become, signal: o.signal, timers: o.deadlineTimers })).results;
}

/** Check commands that can be known now (no value registered later, no fact when scope has none). */
export function collectChecks(o: PrefetchOptions, scope: Scope, have: Map<string, ExecResult>): BatchItem[] {
  const items: BatchItem[] = [];
  const seen = new Set<string>(have.keys());
  for (const step of o.playbook.steps) {
    if (!step.check || !selected(step, o)) continue;
    try {
      if (step.when && !evalCondition(step.when, scope)) continue;
    } catch {
      // depends on a registered value: the check may still be needed
    }
    let command: string;
    try {
      command = interpolate(step.check.run, scope, "shell");
    } catch {
      continue; // needs a value registered by an earlier step: runs on its own later
    }
    if (seen.has(command)) continue;
    seen.add(command);
    items.push({ command, timeoutSec: step.check.timeoutSec ?? step.timeoutSec });
  }
  return items;
}

