// Running a batch of checks with each check's deadline kept here, on the controller: the clock of check i
// starts when its start mark arrives (never before it started on the node), and a check still running at
// its deadline ends the batch's session. That check is reported timed out and never run again; the checks
// after it go in the next batch. So the script on the node needs no watchdog process of its own.
import type { ExecResult, Transport } from "../transport/transport.js";
import { batchBudgetMs, batchResults, batchScript, newToken, parseBatch, partialSection, stderrBeforeBatch, type BatchItem } from "./batch-script.js";

/** One-shot timers: a deadline is real time on the host, so the system's, unless a test brings its own. */
export interface DeadlineTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const systemTimers: DeadlineTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * Watches a batch's stdout for the start and end marks of its checks and arms one timer at a time (the
 * checks run one after another). `expired` is the check whose deadline struck while it was running.
 */
export class CheckDeadlines {
  expired?: number;
  private tail = "";
  private running?: { i: number; timer: unknown };
  private readonly marks: RegExp;
  private readonly keep: number;

  constructor(
    private readonly items: readonly BatchItem[],
    token: string,
    private readonly timers: DeadlineTimers,
    private readonly onExpire: (i: number) => void,
  ) {
    this.marks = new RegExp(`\\n${token}-(OUT|ERR) (\\d+)[ \\n]`, "g");
    this.keep = token.length + 32;
  }

  /** Marks are ASCII: latin1 never splits them, whatever the checks print around them. */
  feed(chunk: Buffer | string): void {
    const text = this.tail + (typeof chunk === "string" ? chunk : chunk.toString("latin1"));
    this.marks.lastIndex = 0;
    let seen = 0;
    for (let m = this.marks.exec(text); m; m = this.marks.exec(text)) {
      seen = this.marks.lastIndex;
      const i = Number(m[2]);
      if (m[1] === "OUT") this.start(i);
      else if (this.running?.i === i) this.disarm();
    }
    // enough of the end to complete a mark cut between chunks, and no mark already seen
    this.tail = text.slice(Math.max(seen, text.length - this.keep));
  }

  close(): void {
    this.disarm();
  }

  private start(i: number): void {
    this.disarm();
    const item = this.items[i];
    if (!item || this.expired !== undefined) return;
    const timer = this.timers.set(() => {
      if (this.running?.i !== i || this.expired !== undefined) return;
      this.expired = i;
      this.running = undefined;
      this.onExpire(i);
    }, Math.max(1, item.timeoutSec) * 1000);
    this.running = { i, timer };
  }

  private disarm(): void {
    if (this.running) this.timers.clear(this.running.timer);
    this.running = undefined;
  }
}

export interface BatchRunOptions {
  become: boolean;
  /** the run's signal (Ctrl-C): no further batch starts once it is aborted */
  signal: AbortSignal;
  timers?: DeadlineTimers;
  /** a script run first in the same exec (the facts); its stdout and stderr come back apart */
  prefix?: string;
  prefixTimeoutSec?: number;
}

export interface BatchRun {
  /** the first exec (with the prefix) */
  first: ExecResult;
  prefixOut: string;
  prefixErr: string;
  /** command -> result; a check that never completed and was not cut by its own deadline is absent */
  results: Map<string, ExecResult>;
}

/** Runs `items` (at least one) in as few execs as their deadlines allow: one, unless a check is cut. */
export async function runBatch(t: Transport, items: readonly BatchItem[], o: BatchRunOptions): Promise<BatchRun> {
  const timers = o.timers ?? systemTimers;
  const results = new Map<string, ExecResult>();
  let rest = [...items];
  let prefix = o.prefix;
  let run: Omit<BatchRun, "results"> | undefined;
  while (rest.length > 0) {
    const token = newToken();
    const script = prefix !== undefined ? `${prefix}\nprintf '\\n%s\\n' ${token}-FACTS\n${batchScript(rest, token)}` : batchScript(rest, token);
    const stop = new AbortController();
    const unfollow = follow(o.signal, stop);
    const deadlines = new CheckDeadlines(rest, token, timers, () => stop.abort());
    let r: ExecResult;
    try {
      r = await t.exec(script, {
        timeoutMs: batchBudgetMs(rest, prefix !== undefined ? (o.prefixTimeoutSec ?? 0) : 0),
        become: o.become,
        signal: stop.signal,
        onStdoutChunk: (c) => deadlines.feed(c),
      });
    } finally {
      deadlines.close();
      unfollow();
    }
    let stdout = r.stdout;
    if (prefix !== undefined) {
      const cut = stdout.indexOf(`\n${token}-FACTS\n`);
      // the prefix ran to its end mark: a check cut later in the same exec is not the prefix's failure
      const first: ExecResult = cut >= 0 && r.exitCode === null ? { exitCode: 0, stdout: r.stdout, stderr: r.stderr, durationMs: r.durationMs } : r;
      run = { first, prefixOut: cut >= 0 ? stdout.slice(0, cut) : stdout, prefixErr: stderrBeforeBatch(r.stderr, token) };
      stdout = cut >= 0 ? stdout.slice(cut) : "";
      prefix = undefined;
    }
    run ??= { first: r, prefixOut: "", prefixErr: "" };
    const got = parseBatch({ stdout, stderr: r.stderr }, token, rest, r.durationMs);
    for (const [cmd, res] of batchResults(rest, got, r)) results.set(cmd, res);
    const late = deadlines.expired;
    if (late === undefined) break;
    const item = rest[late]!;
    // the end mark may have crossed the kill on the wire: then the check finished and its result stands
    if (!got.has(late)) {
      const part = partialSection({ stdout, stderr: r.stderr }, token, late);
      results.set(item.command, { exitCode: null, signal: "KILL", timedOut: true, ...part, durationMs: Math.max(1, item.timeoutSec) * 1000 });
    }
    if (o.signal.aborted) break;
    rest = rest.filter((_, k) => k > late && !got.has(k));
  }
  return { ...(run ?? { first: { exitCode: 0, stdout: "", stderr: "", durationMs: 0 }, prefixOut: "", prefixErr: "" }), results };
}

function follow(outer: AbortSignal, inner: AbortController): () => void {
  if (outer.aborted) {
    inner.abort();
    return () => undefined;
  }
  const on = () => inner.abort();
  outer.addEventListener("abort", on, { once: true });
  return () => outer.removeEventListener("abort", on);
}
