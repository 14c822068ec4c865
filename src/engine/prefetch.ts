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

/** exit codes of coreutils `timeout`: 124 timed out (TERM), 137 killed after the grace period */
const TIMED_OUT = new Set([124, 137]);

export function newToken(): string {
  return `REMEDY-${randomBytes(8).toString("hex")}`;
}

/** The script: each check in a subshell with its own timeout, stdin closed, outputs captured apart. */
export function batchScript(items: readonly BatchItem[], token: string): string {
  const lines = [
    `d=$(mktemp -d 2>/dev/null) || exit 97`,
    `trap 'rm -rf "$d"' EXIT`,
    `if command -v timeout >/dev/null 2>&1; then T="timeout -k 5"; else T=""; fi`,
  ];
  items.forEach((it, i) => {
    const run = `$T ${Math.max(1, Math.round(it.timeoutSec))} /bin/sh -c ${shellQuote(it.command)}`;
    lines.push(
      `if [ -n "$T" ]; then ${run} >"$d/o" 2>"$d/e" </dev/null; else /bin/sh -c ${shellQuote(it.command)} >"$d/o" 2>"$d/e" </dev/null; fi; r=$?`,
      `printf '\\n%s %d %d\\n' ${token}-OUT ${i} "$r"; cat "$d/o"; printf '\\n%s\\n' ${token}-ERR; cat "$d/e"`,
    );
  });
  lines.push(`printf '\\n%s\\n' ${token}-END`);
  return lines.join("\n");
}

/** Parses what came back; a command whose section is incomplete (batch killed) is simply absent. */
export function parseBatch(stdout: string, token: string, items: readonly BatchItem[], durationMs: number): Map<number, ExecResult> {
  const out = new Map<number, ExecResult>();
  const re = new RegExp(`\\n${token}-OUT (\\d+) (\\d+)\\n`, "g");
  const marks = [...stdout.matchAll(re)];
  marks.forEach((m, k) => {
    const i = Number(m[1]);
    const rc = Number(m[2]);
    const start = (m.index ?? 0) + m[0].length;
    const next = marks[k + 1]?.index ?? stdout.indexOf(`\n${token}-END\n`, start);
    if (next < 0) return; // torn: the batch ended inside this command's output
    const body = stdout.slice(start, next);
    const errAt = body.indexOf(`\n${token}-ERR\n`);
    if (errAt < 0) return;
    const item = items[i];
    if (!item) return;
    const timedOut = TIMED_OUT.has(rc);
    out.set(i, {
      exitCode: timedOut ? null : rc,
      ...(timedOut ? { signal: "KILL", timedOut: true } : {}),
      stdout: body.slice(0, errAt),
      stderr: body.slice(errAt + token.length + 6),
      durationMs: Math.round(durationMs / items.length),
    });
  });
  return out;
}
