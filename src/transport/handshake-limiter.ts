// How many SSH handshakes may be in flight at once, adapted to how fast they complete. A handshake costs
// the node an sshd fork/exec and a key exchange and the controller a key exchange: an idle fleet takes
// hundreds at once, a saturated lab machine or a bastion does not (they all finish late together and hit
// the connect timeout). So: start wide, widen while handshakes complete fast, narrow when they turn slow
// or time out, and always let at least one through.
import { enqueue } from "./wait-queue.js";

/** What a finished handshake says about load. "other" (refused, auth, host key) says nothing. */
export type HandshakeOutcome = "ok" | "overload" | "other";

export interface HandshakeLimits {
  /** in flight at the start; default 128 (a 100-host run starts every handshake at once) */
  initial: number;
  /** never below this (≥ 1: progress is guaranteed) */
  min: number;
  /** never above this */
  max: number;
  /** a handshake done within this (ms) is fast: widen by one (doubling per window, like TCP slow start) */
  fastMs: number;
  /** a handshake that took this long (ms) or more is slow: narrow to 3/4 (a timeout: to 1/2) */
  slowMs: number;
}

export interface LimiterState {
  limit: number;
  /** clock time of the last narrowing: only handshakes started after it are fresh evidence for another */
  lastCutAt: number;
  /** clock times of the latest successful handshakes (at most RATE_WINDOW), oldest first */
  recent?: readonly number[];
}

/** successful handshakes the completion rate is measured over */
export const RATE_WINDOW = 32;

export interface HandshakeSample {
  startedAt: number;
  durationMs: number;
  outcome: HandshakeOutcome;
}

/** Defaults for a connect timeout (ms): fast ≤ 1/10 of it, slow ≥ 3/10 (well before handshakes time out). */
export function defaultLimits(connectTimeoutMs = 10_000): HandshakeLimits {
  return { initial: 128, min: 1, max: 1024, fastMs: connectTimeoutMs / 10, slowMs: (connectTimeoutMs * 3) / 10 };
}

/**
 * Pure: the limit after one handshake finished at `now`. A burst of slow handshakes from the same wave
 * narrows once, not once per handshake: a sample counts for a cut only if it started after the last cut.
 * A cut also never leaves more in flight than the measured completion rate finishes within slowMs/2
 * (Little's law): on a saturated machine, where a whole wide first wave timed out, the retries then arrive
 * paced to what the machine actually completes instead of as another wave of the same size.
 */
export function nextLimit(s: LimiterState, x: HandshakeSample, now: number, p: HandshakeLimits): LimiterState {
  const slow = x.outcome === "overload" || (x.outcome === "ok" && x.durationMs >= p.slowMs);
  const recent = x.outcome === "ok" ? [...(s.recent ?? []), now].slice(-RATE_WINDOW) : s.recent;
  if (slow) {
    if (x.startedAt < s.lastCutAt) return { ...s, recent };
    const factor = x.outcome === "overload" ? 0.5 : 0.75;
    let limit = Math.floor(s.limit * factor);
    const span = recent && recent.length >= 2 ? now - recent[0]! : 0;
    if (span > 0) limit = Math.min(limit, Math.floor(((recent!.length - 1) / span) * (p.slowMs / 2)));
    return { limit: Math.max(p.min, limit), lastCutAt: now, recent };
  }
  if (x.outcome === "ok" && x.durationMs <= p.fastMs) return { ...s, limit: Math.min(p.max, s.limit + 1), recent };
  return { ...s, recent };
}

export interface LimiterClock {
  now(): number;
}

/** A granted slot: call done() exactly when the handshake ended (idempotent). */
export interface HandshakeTicket {
  done(outcome: HandshakeOutcome): void;
}

export class HandshakeLimiter {
  private state: LimiterState;
  private readonly p: HandshakeLimits;
  private active = 0;
  private peak = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(
    limits: Partial<HandshakeLimits> = {},
    private readonly clock: LimiterClock = { now: () => Date.now() },
  ) {
    const d = { ...defaultLimits(), ...limits };
    const min = Math.max(1, Math.floor(d.min));
    const max = Math.max(min, Math.floor(d.max));
    this.p = { ...d, min, max, initial: Math.min(max, Math.max(min, Math.floor(d.initial))) };
    this.state = { limit: this.p.initial, lastCutAt: -Infinity };
  }

  get limit(): number {
    return this.state.limit;
  }
  get inFlight(): number {
    return this.active;
  }
  get queued(): number {
    return this.waiters.length;
  }
  /** most handshakes ever in flight at once */
  get peakInFlight(): number {
    return this.peak;
  }

  /** Resolves when a slot is free; rejects with signal.reason if aborted while queued. */
  acquire(signal?: AbortSignal): Promise<HandshakeTicket> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.waiters.length === 0 && this.active < this.state.limit) return Promise.resolve(this.grant());
    return enqueue(this.waiters, () => this.grant(), signal);
  }

  private grant(): HandshakeTicket {
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    const startedAt = this.clock.now();
    let finished = false;
    return {
      done: (outcome) => {
        if (finished) return;
        finished = true;
        this.active--;
        const now = this.clock.now();
        this.state = nextLimit(this.state, { startedAt, durationMs: now - startedAt, outcome }, now, this.p);
        this.admit();
      },
    };
  }

  /** Wakes queued handshakes up to the limit; with nothing in flight at least one always goes. */
  private admit(): void {
    while (this.waiters.length > 0 && (this.active < this.state.limit || this.active === 0)) this.waiters.shift()!();
  }
}
