// Phase "facts": one round trip gathers the facts together with every check that needs none; the checks
// that need facts follow in one more batch. Results stay valid until the host's first apply.
import type { Facts } from "../model/facts.js";
import type { EventSink } from "../model/events.js";
import type { Playbook } from "../model/playbook.js";
import type { Vars } from "../model/inventory.js";
import type { ExecResult, Transport } from "../transport/transport.js";
import type { Scope } from "../playbook/index.js";
import { FACTS_COMMAND, parseFacts } from "./facts.js";
import { excerpt } from "./decide.js";
import { runBatch, type DeadlineTimers } from "./batch-run.js";
import { collectChecks, prefetchChecks } from "./prefetch.js";

export interface FactsInput {
  host: string;
  playbook: Playbook;
  vars: Vars;
  groups: Record<string, string[]>;
  tags?: string[];
  skipTags?: string[];
  signal: AbortSignal;
  emit: EventSink;
  /** secret vars, bound to "$REMEDY_SECRET_<name>" references (values travel on stdin) */
  secrets?: Scope["secrets"];
  /**
   * keeps each batched check's deadline: real time on the host, so the system timers unless a test brings its
   * own (not the run's clock, which tests make instant for waits and backoff)
   */
  deadlineTimers?: DeadlineTimers;
}

export type FactsOutcome = { ok: true; facts: Facts; prefetched: Map<string, ExecResult> } | { ok: false; reason: string };

const FACTS_TIMEOUT_SEC = 30;

export async function gatherFacts(o: FactsInput, t: Transport): Promise<FactsOutcome> {
  const prefetched = new Map<string, ExecResult>();
  const early = collectChecks(o, { vars: o.vars, host: o.host, groups: o.groups, registered: {}, secrets: o.secrets }, prefetched);
  let r: ExecResult;
  let factsOut: string;
  let factsErr: string;
  if (early.length) {
    const b = await runBatch(t, early, { prefix: FACTS_COMMAND, prefixTimeoutSec: FACTS_TIMEOUT_SEC, become: o.playbook.become, signal: o.signal, timers: o.deadlineTimers });
    [r, factsOut, factsErr] = [b.first, b.prefixOut, b.prefixErr];
    for (const [cmd, res] of b.results) prefetched.set(cmd, res);
  } else {
    r = await t.exec(FACTS_COMMAND, { timeoutMs: FACTS_TIMEOUT_SEC * 1000, become: false, signal: o.signal });
    [factsOut, factsErr] = [r.stdout, r.stderr];
  }
  o.emit({ type: "command", host: o.host, step: "", phase: "facts", record: { command: FACTS_COMMAND, exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, durationMs: r.durationMs, stdout: excerpt(factsOut, 2000), stderr: excerpt(factsErr, 2000) } });
  if (!/^kernel=\S/m.test(factsOut)) return { ok: false, reason: `gathering facts failed (exit ${r.exitCode ?? r.signal}): ${excerpt(factsErr || factsOut)}` };
  const facts = parseFacts(factsOut);
  o.emit({ type: "facts", host: o.host, facts });
  const scope: Scope = { vars: o.vars, facts, host: o.host, groups: o.groups, registered: {}, secrets: o.secrets };
  for (const [cmd, res] of await prefetchChecks(o, scope, t, prefetched)) prefetched.set(cmd, res);
  return { ok: true, facts, prefetched };
}
