// Read-only checks batched into one round trip per host: one script runs every check whose command is
// known up front and reports each one's exit code, stdout and stderr separately. Session set-up on the
// node (sshd fork, login, shell) dominates the cost of a short probe, so this turns N sessions into one.
import { randomBytes } from "node:crypto";
import type { ExecResult, Transport } from "../transport/transport.js";
import type { Playbook } from "../model/playbook.js";
import { interpolate, evalCondition, type Scope } from "../playbook/index.js";
import { shellQuote } from "../transport/quote.js";

export interface BatchItem {
  command: string;
  timeoutSec: number;
}

export function newToken(): string {
  return `REMEDY-${randomBytes(8).toString("hex")}`;
}

/**
 * The script: each check in a subshell (`( eval ... )`: a fork, not a new shell exec'd per check), stdin
 * closed, its stdout streamed between a mark before it and a mark with its exit code after it (no command
 * substitution: one process fewer per check), stderr in a temp file read only when non-empty. On a busy
 * node the spawn count, not the shell, is what costs. The subshell cannot see the batch's own variables.
 * No per-check `timeout`: the whole batch has a deadline, and checks it did not finish run on their own
 * afterwards, each with its own timeout.
 */
export function batchScript(items: readonly BatchItem[], token: string): string {
  const lines = [`e=$(mktemp 2>/dev/null) || exit 97`, `trap 'rm -f "$e"' EXIT`];
  items.forEach((it, i) => {
    lines.push(
      `printf '\n%s %d\n' ${token}-OUT ${i}; (unset e l; eval ${shellQuote(it.command)}) 2>"$e" </dev/null; printf '\n%s %d %d\n' ${token}-ERR ${i} "$?"; if [ -s "$e" ]; then while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done <"$e"; : >"$e"; fi`,
    );
  });
  lines.push(`printf '\n%s\n' ${token}-END`);
  return lines.join("\n");
}

/** Parses what came back; a command whose section is incomplete (batch killed) is simply absent. */
export function parseBatch(stdout: string, token: string, items: readonly BatchItem[], durationMs: number): Map<number, ExecResult> {
  const out = new Map<number, ExecResult>();
  const re = new RegExp(`\\n${token}-OUT (\\d+)\\n`, "g");
  const marks = [...stdout.matchAll(re)];
  marks.forEach((m, k) => {
    const i = Number(m[1]);
    const item = items[i];
    if (!item) return;
    const start = (m.index ?? 0) + m[0].length;
    const next = marks[k + 1]?.index ?? stdout.indexOf(`\n${token}-END\n`, start);
    if (next < 0) return; // torn: the batch ended inside this command's output or stderr
    const body = stdout.slice(start, next);
    const end = new RegExp(`\\n${token}-ERR ${i} (\\d+)\\n`).exec(body);
    if (!end) return;
    out.set(i, {
      exitCode: Number(end[1]),
      stdout: body.slice(0, end.index),
      stderr: body.slice(end.index + end[0].length),
      durationMs: Math.round(durationMs / items.length),
    });
  });
  return out;
}

/** What batching needs to know about the run. */
export interface PrefetchOptions {
  playbook: Playbook;
  tags?: string[];
  signal: AbortSignal;
}

/** Runs every check whose command is already known (no registered values needed) in one exec. */
export async function prefetchChecks(o: PrefetchOptions, scope: Scope, transport: Transport, have: Map<string, ExecResult>): Promise<Map<string, ExecResult>> {
  const items = collectChecks(o, scope, have);
  if (items.length < 2) return new Map();
  const token = newToken();
  // bounded by the shortest check timeout: a hung or slow check ends the batch early and then runs on its
  // own with its own timeout (so nothing waits longer than it would unbatched, plus this margin)
  const budget = Math.min(...items.map((i) => i.timeoutSec)) + 10;
  const r = await transport.exec(batchScript(items, token), { timeoutMs: budget * 1000, become: o.playbook.become, signal: o.signal });
  const got = parseBatch(r.stdout, token, items, r.durationMs);
  // checks the batch did not finish (it hit its deadline) run on their own later, each with its own timeout
  return new Map([...got].map(([i, res]) => [items[i]!.command, res]));
}

/** Check commands that can be known now (no value registered later, no fact when scope has none). */
export function collectChecks(o: PrefetchOptions, scope: Scope, have: Map<string, ExecResult>): BatchItem[] {
  const items: BatchItem[] = [];
  const seen = new Set<string>(have.keys());
  for (const step of o.playbook.steps) {
    if (!step.check || (o.tags?.length && !step.tags.some((t) => o.tags!.includes(t)))) continue;
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

