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
 * The script: each check in a forked subshell (`( eval ... )`, no shell exec'd per check), stdin closed,
 * its stdout streamed on the channel's stdout between a mark before it and a mark with its exit code after
 * it, its stderr on the channel's stderr between marks of its own (no temp file: creating and removing
 * one cost two more processes per host than the checks themselves). On a busy node the spawn count, not
 * the shell, is what costs: a check costs what the command itself costs (the floor: one fork and one
 * exec), nothing for timing it.
 * Per-check deadlines come from one watchdog per batch (a bash coprocess that sleeps in `read -t`, no
 * process per check): TERM to the check's process group at its timeout, KILL 2 s later (like
 * `timeout -k 2`), so a hung check costs its own timeout once and the batch goes on with the next one;
 * a check that timed out is reported as timed out (never re-run). It needs bash (EL's /bin/sh and root's
 * shell); any other shell re-runs the script under bash.
 */
export function batchScript(items: readonly BatchItem[], token: string): string {
  const lines = [
    // the channel's stderr is kept as fd $se for the checks; the batch's own stderr (job-control notices
    // such as "Terminated ...", which no check wrote) goes nowhere. Job control gives each check its own
    // process group, so the watchdog ends the check's children too.
    `exec {se}>&2 2>/dev/null; set -m`,
    // the watchdog hears once per check: "<pid> <secs>" as it starts (the next line, or ". 0" after the
    // last check, means it ended); no answer in time = TERM to its group, "t <pid>" back, KILL 2 s later
    `coproc { l=; while [ -n "$l" ] || read -r l; do set -- $l; l=; [ "$1" = . ] && continue; read -t "$2" -r l && continue; [ "$?" -gt 128 ] || break; echo "t $1"; kill -TERM -- -"$1" 2>/dev/null; read -t 2 -r l || { [ "$?" -gt 128 ] && kill -KILL -- -"$1" 2>/dev/null; }; done; }`,
    `wi=\${COPROC[1]}; wo=\${COPROC[0]}; trap 'kill "$COPROC_PID" 2>/dev/null' EXIT`,
  ];
  items.forEach((it, i) => {
    const secs = Math.max(1, Math.ceil(it.timeoutSec));
    lines.push(
      `printf '\n%s %d\n' ${token}-OUT ${i}; printf '\n%s %d\n' ${token}-EIN ${i} >&"$se"; ${checkJob(it.command)} {wi}>&- 2>&"$se" {se}>&- </dev/null & p=$!; echo "$p ${secs}" >&"$wi"; wait "$p"; r=$?`,
      // a "t" for an earlier check (its deadline struck as it ended) is not this one's
      `t=0; while read -t 0 -u "$wo" && read -r -u "$wo" w; do [ "$w" = "t $p" ] && t=1; done`,
      `printf '\n%s %d\n' ${token}-EOUT ${i} >&"$se"; printf '\n%s %d %d %d\n' ${token}-ERR ${i} "$r" "$t"`,
    );
  });
  lines.push(`echo ". 0" >&"$wi"; printf '\n%s\n' ${token}-END`);
  const body = lines.join("\n");
  return `[ -n "\${BASH_VERSION-}" ] || exec bash -c ${shellQuote(body)}\n${body}`;
}

/**
 * How a check runs as a background job. A lexically simple command (words of plain characters and quoted
 * strings, nothing the shell expands or interprets: no $ ` \\ ; & | < > ( ) { } # or newline) runs as it
 * is: the job is the command itself, one fork and one exec, as the floor pays. Anything else runs through
 * eval in a subshell, which costs one more fork. Either way it runs in a child, so `exit`, `cd` or an
 * assignment in a check stays inside it, and the batch's own variables are not visible to it.
 */
export function checkJob(command: string): string {
  return isPlainCommand(command) ? command.trim() : `(unset p r t w se wi wo COPROC COPROC_PID; eval ${shellQuote(command)})`;
}

const WORD = `(?:[A-Za-z0-9_./:=,@%+^*?[\\]~!-]|'[^'\\n]*'|"[^"$\`\\\\!\\n]*")+`;
const PLAIN = new RegExp(`^[ \\t]*(${WORD})(?:[ \\t]+${WORD})*[ \\t]*$`);

/** A reserved word in command position starts a compound command (`if then fi` must not break the batch). */
const RESERVED = new Set(["if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until", "do", "done", "in", "function", "time", "coproc", "[[", "]]"]);

export function isPlainCommand(command: string): boolean {
  const first = PLAIN.exec(command)?.[1];
  if (first === undefined) return false;
  // an assignment (`x=1`, `X=1 cmd`), a negation or a tilde in command position: leave them to the shell
  return !RESERVED.has(first) && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(first) && !/^[!~]/.test(first);
}

/**
 * Parses what came back: stdout sections decide which checks completed; each one's stderr is its section
 * of the channel's stderr. A command whose section is incomplete (batch killed) is simply absent.
 */
export function parseBatch(out: { stdout: string; stderr: string }, token: string, items: readonly BatchItem[], durationMs: number): Map<number, ExecResult> {
  const res = new Map<number, ExecResult>();
  const { stdout } = out;
  const re = new RegExp(`\\n${token}-OUT (\\d+)\\n`, "g");
  const marks = [...stdout.matchAll(re)];
  marks.forEach((m, k) => {
    const i = Number(m[1]);
    const item = items[i];
    if (!item) return;
    const start = (m.index ?? 0) + m[0].length;
    const next = marks[k + 1]?.index ?? stdout.indexOf(`\n${token}-END\n`, start);
    if (next < 0) return; // torn: the batch ended inside this command's output
    const body = stdout.slice(start, next);
    // the last end mark of this section: a check's own output cannot fake it (it would need the token)
    const end = [...body.matchAll(new RegExp(`\\n${token}-ERR ${i} (\\d+) ([01])\\n`, "g"))].pop();
    if (!end || end.index === undefined) return;
    const stderr = stderrSection(out.stderr, token, i);
    if (stderr === undefined) return;
    const stdoutPart = body.slice(0, end.index);
    if (end[2] === "1") {
      res.set(i, { exitCode: null, signal: "KILL", timedOut: true, stdout: stdoutPart, stderr, durationMs: item.timeoutSec * 1000 });
      return;
    }
    res.set(i, { exitCode: Number(end[1]), stdout: stdoutPart, stderr, durationMs: Math.round(durationMs / items.length) });
  });
  return res;
}

/** Check i's stderr: between its own marks on the channel's stderr (the last end mark, as for stdout). */
function stderrSection(stderr: string, token: string, i: number): string | undefined {
  const open = `\n${token}-EIN ${i}\n`;
  const from = stderr.indexOf(open);
  if (from < 0) return undefined;
  const start = from + open.length;
  const close = `\n${token}-EOUT ${i}\n`;
  const next = stderr.indexOf(`\n${token}-EIN ${i + 1}\n`, start);
  const to = stderr.lastIndexOf(close, next < 0 ? stderr.length : next);
  return to < start ? undefined : stderr.slice(start, to);
}

/** What the channel's stderr held before the batch's first mark (the facts script's own stderr). */
export function stderrBeforeBatch(stderr: string, token: string): string {
  const at = stderr.indexOf(`\n${token}-EIN `);
  return at < 0 ? stderr : stderr.slice(0, at);
}

/** What batching needs to know about the run. */
export interface PrefetchOptions {
  playbook: Playbook;
  tags?: string[];
  skipTags?: string[];
  signal: AbortSignal;
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
  const token = newToken();
  const r = await transport.exec(batchScript(items, token), { timeoutMs: batchBudgetMs(items), become: o.playbook.become, signal: o.signal });
  return batchResults(items, parseBatch(r, token, items, r.durationMs), r);
}

/** The batch's own deadline is only a safety net: every check carries its own timeout on the node. */
export function batchBudgetMs(items: readonly BatchItem[], extraSec = 0): number {
  return (items.reduce((n, i) => n + Math.max(1, Math.ceil(i.timeoutSec)) + 2, 0) + extraSec + 10) * 1000;
}

/**
 * Command -> result. When the batch itself was cut off, the check that was running then counts as timed
 * out (its time is spent; it is not run again); checks that never started are left to run on their own.
 */
export function batchResults(items: readonly BatchItem[], got: Map<number, ExecResult>, batch: ExecResult): Map<string, ExecResult> {
  const out = new Map([...got].map(([i, res]) => [items[i]!.command, res]));
  if (batch.timedOut) {
    const running = items.findIndex((_, i) => !got.has(i));
    if (running >= 0) out.set(items[running]!.command, { exitCode: null, signal: "KILL", timedOut: true, stdout: "", stderr: "", durationMs: items[running]!.timeoutSec * 1000 });
  }
  return out;
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

