// Read-only checks batched into one round trip per host: one script runs every check whose command is
// known up front and reports each one's exit code, stdout and stderr separately. Session set-up on the
// node (sshd fork, login, shell) dominates the cost of a short probe, so this turns N sessions into one.
import { randomBytes } from "node:crypto";
import type { ExecResult } from "../transport/transport.js";
import { shellQuote } from "../transport/quote.js";

export interface BatchItem {
  command: string;
  timeoutSec: number;
}

export function newToken(): string {
  return `REMEDY-${randomBytes(8).toString("hex")}`;
}

/**
 * The script: the checks one after another, each in the foreground with stdin closed, its stdout on the
 * channel's stdout between a start mark and an end mark carrying its exit code, its stderr on the channel's
 * stderr between marks of its own. On a busy node the spawn count, not the shell, is what costs, so a check
 * costs what the command itself costs (the floor: one fork and one exec) and the batch adds no process of
 * its own: no temp file for stderr, no watchdog. Each check's deadline is kept by the controller from its
 * start mark (batch-run.ts), which ends the session when a check outlives it. It needs bash (EL's /bin/sh
 * and root's shell); any other shell re-runs the script under bash.
 */
export function batchScript(items: readonly BatchItem[], token: string): string {
  // The channel's stderr is kept as fd $se for the checks; the batch's own stderr (the shell's notices about a
  // check killed by a signal, which no check wrote) goes nowhere. One write per stream between two checks
  // (the end mark of one and the start mark of the next): each write is a packet sshd encrypts and sends.
  const lines = [`exec {se}>&2 2>/dev/null; printf '\n%s %d\n' ${token}-OUT 0; printf '\n%s %d\n' ${token}-EIN 0 >&"$se"`];
  items.forEach((it, i) => {
    const next = i + 1 < items.length;
    lines.push(
      `${checkJob(it.command)} 2>&"$se" {se}>&- </dev/null; r=$?`,
      next
        ? `printf '\n%s %d\n\n%s %d\n' ${token}-EOUT ${i} ${token}-EIN ${i + 1} >&"$se"; printf '\n%s %d %d\n\n%s %d\n' ${token}-ERR ${i} "$r" ${token}-OUT ${i + 1}`
        : `printf '\n%s %d\n' ${token}-EOUT ${i} >&"$se"; printf '\n%s %d %d\n\n%s\n' ${token}-ERR ${i} "$r" ${token}-END`,
    );
  });
  const body = lines.join("\n");
  return `[ -n "\${BASH_VERSION-}" ] || exec bash -c ${shellQuote(body)}\n${body}`;
}

/**
 * How a check runs. A lexically simple command (words of plain characters and quoted strings, nothing the
 * shell expands or interprets: no $ ` \\ ; & | < > ( ) { } # or newline) runs as it is in a subshell: one
 * fork and one exec, as the floor pays. Anything else runs through eval in a subshell, which may cost one
 * more fork. Either way it runs in a child, so `exit`, `cd` or an assignment in a check stays inside it, and
 * the variables of the batch and of the facts script before it are not visible to it.
 */
export function checkJob(command: string): string {
  // bash runs the lone command of a subshell without a second fork: ( uname -r ) is one fork and one exec,
  // and a builtin (exit, cd, test) stays out of the batch's own shell
  return isPlainCommand(command) ? `( ${command.trim()} )` : `(unset r se h k a o1 o2 o3 f v l b i dev dst rest; eval ${shellQuote(command)})`;
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
    if (!items[i]) return;
    const start = (m.index ?? 0) + m[0].length;
    const next = marks[k + 1]?.index ?? stdout.indexOf(`\n${token}-END\n`, start);
    if (next < 0) return; // torn: the batch ended inside this command's output
    const body = stdout.slice(start, next);
    // the last end mark of this section: a check's own output cannot fake it (it would need the token)
    const mark = `\n${token}-ERR ${i} `;
    const at = body.lastIndexOf(mark);
    const code = at < 0 ? undefined : /^(\d+)\n/.exec(body.slice(at + mark.length));
    if (!code) return;
    const stderr = stderrSection(out.stderr, token, i);
    if (stderr === undefined) return;
    res.set(i, { exitCode: Number(code[1]), stdout: body.slice(0, at), stderr, durationMs: Math.round(durationMs / items.length) });
  });
  return res;
}

/** What check i had written when its batch was cut (it never reached its end mark). */
export function partialSection(out: { stdout: string; stderr: string }, token: string, i: number): { stdout: string; stderr: string } {
  const after = (text: string, mark: string) => {
    const at = text.lastIndexOf(mark);
    return at < 0 ? "" : text.slice(at + mark.length);
  };
  return { stdout: after(out.stdout, `\n${token}-OUT ${i}\n`), stderr: after(out.stderr, `\n${token}-EIN ${i}\n`) };
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

/** The batch's own deadline is only a safety net: every check carries its own deadline (batch-run.ts). */
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
