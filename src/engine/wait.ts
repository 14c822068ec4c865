// Poll a probe until it is done, a deadline passes, or the run is aborted; backoff + jitter on the injected Clock.
// Unlike ansible's do_until_success_or_timeout, a probe says *why* it is not done: "not yet" (the condition
// does not hold) and "probe error" (we could not tell) are different, and the timeout message names the last
// one seen. A probe that throws is a bug and propagates; it is never mistaken for "not yet".
import type { Clock } from "./context.js";

export type ProbeResult<T> =
  | { kind: "done"; value: T }
  /** the probe worked and the condition does not hold yet, e.g. "boot id unchanged (host did not reboot)" */
  | { kind: "not_yet"; detail: string }
  /** the probe could not answer, e.g. "boot id unreadable: got 'garbage'" */
  | { kind: "probe_error"; error: string };

export type Pending = Exclude<ProbeResult<never>, { kind: "done" }>;

export interface BackoffOptions {
  /** first delay and floor, ms (default 250) */
  minDelayMs?: number;
  /** cap, ms (default 12 000, as in ansible's reboot plugin) */
  maxDelayMs?: number;
  /** growth per attempt (default 2) */
  factor?: number;
  /** fraction of the delay that is randomised away, 0..1 (default 0.5): spreads reconnect storms across hosts */
  jitter?: number;
}

export interface WaitOptions extends BackoffOptions {
  clock: Clock;
  /** absolute time on clock.now() after which no new probe starts */
  deadline: number;
  signal?: AbortSignal;
  /** what we wait for, for messages: "a new boot id" */
  what: string;
  /** called after every probe that is not done (for progress events) */
  onPending?: (last: Pending, attempt: number) => void;
}

export interface WaitStopped {
  last?: Pending;
  attempts: number;
  elapsedMs: number;
  /** "timed out after 600 s waiting for a new boot id; last probe: ..." */
  message: string;
}

export type WaitResult<T> =
  | { kind: "done"; value: T; attempts: number; elapsedMs: number }
  | ({ kind: "timeout" } & WaitStopped)
  | ({ kind: "aborted" } & WaitStopped);

/** Delay before attempt n+1 after n failed attempts (n >= 1): min·factor^(n-1), capped, minus up to jitter·delay. */
export function backoffDelay(failedAttempts: number, random: number, o: BackoffOptions = {}): number {
  const min = o.minDelayMs ?? 250;
  const max = Math.max(min, o.maxDelayMs ?? 12_000);
  const factor = o.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, o.jitter ?? 0.5));
  const base = Math.min(max, min * factor ** Math.max(0, failedAttempts - 1));
  return Math.max(min, Math.round(base * (1 - jitter * random)));
}

/** "last probe: connection refused (host still down)" / "last probe failed: boot id unreadable: ..." */
export function describeLast(last: Pending | undefined): string {
  if (!last) return "no probe completed";
  return last.kind === "not_yet" ? `last probe: ${last.detail}` : `last probe failed: ${last.error}`;
}

export async function pollUntil<T>(
  probe: (attempt: number, remainingMs: number) => Promise<ProbeResult<T>>,
  o: WaitOptions,
): Promise<WaitResult<T>> {
  const start = o.clock.now();
  let attempts = 0;
  let last: Pending | undefined;
  const elapsed = () => o.clock.now() - start;
  const stop = (kind: "timeout" | "aborted"): WaitResult<T> => {
    const secs = Math.round(elapsed() / 1000);
    const head = kind === "timeout" ? `timed out after ${secs} s waiting for ${o.what}` : `interrupted after ${secs} s waiting for ${o.what}`;
    return { kind, last, attempts, elapsedMs: elapsed(), message: `${head}; ${describeLast(last)}` };
  };

  for (;;) {
    if (o.signal?.aborted) return stop("aborted");
    attempts++;
    let r: ProbeResult<T>;
    try {
      r = await probe(attempts, Math.max(0, o.deadline - o.clock.now()));
    } catch (e) {
      if (o.signal?.aborted) return stop("aborted");
      throw e;
    }
    if (r.kind === "done") return { kind: "done", value: r.value, attempts, elapsedMs: elapsed() };
    last = r;
    o.onPending?.(r, attempts);
    const now = o.clock.now();
    if (now >= o.deadline) return stop("timeout");
    const delay = Math.min(backoffDelay(attempts, o.clock.random(), o), o.deadline - now);
    try {
      await o.clock.sleep(delay, o.signal);
    } catch (e) {
      if (o.signal?.aborted) return stop("aborted");
      throw e;
    }
  }
}
