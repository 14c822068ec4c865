// One transport per host, created by a factory on first use and reused; reconnect() after reboots.
import { TransportError } from "../errors.js";
import { HandshakeLimiter, defaultLimits, type HandshakeLimits, type HandshakeOutcome, type LimiterClock } from "./handshake-limiter.js";
import type { Transport } from "./transport.js";

/**
 * SSH handshakes in flight are bounded by an adaptive limiter (handshake-limiter.ts). The connect timeout
 * starts inside connect(), which runs only once the limiter granted a slot: time spent queued never counts.
 */
export interface PoolOptions {
  /** hard cap on handshakes in flight (the adaptive limit never exceeds it) */
  maxHandshakes?: number;
  /** adaptive limiter settings; default from the connect timeout (defaultLimits) */
  handshakeLimits?: Partial<HandshakeLimits>;
  /** the connect timeout the limits are derived from (ms); default 10 s */
  connectTimeoutMs?: number;
  clock?: LimiterClock;
  /** Tries for a first connection whose handshake timed out (an overloaded node or controller); default 2. */
  handshakeAttempts?: number;
  /** Pause before another try; default 1-3 s, jittered so the retries do not arrive together. */
  retryDelayMs?: () => number;
}

export class TransportPool {
  private readonly live = new Map<string, Promise<Transport>>();
  private readonly handshakes: HandshakeLimiter;
  private readonly attempts: number;
  private readonly retryDelayMs: () => number;

  constructor(
    private readonly factory: (host: string) => Transport,
    o: PoolOptions = {},
  ) {
    const limits = { ...defaultLimits(o.connectTimeoutMs), ...o.handshakeLimits };
    if (o.maxHandshakes !== undefined) limits.max = Math.min(limits.max, o.maxHandshakes);
    this.handshakes = new HandshakeLimiter(limits, o.clock);
    this.attempts = Math.max(1, o.handshakeAttempts ?? 2);
    this.retryDelayMs = o.retryDelayMs ?? (() => 1000 + Math.random() * 2000);
  }

  /** The connected transport for host (connecting once; a failed connect is forgotten so it can be retried). */
  get(host: string, signal?: AbortSignal): Promise<Transport> {
    return this.open(host, signal, this.attempts, true);
  }

  /** `loadSignal`: whether a timed-out handshake tells the limiter about overload (not for a node that may be down). */
  private open(host: string, signal: AbortSignal | undefined, attempts: number, loadSignal: boolean): Promise<Transport> {
    let p = this.live.get(host);
    if (!p) {
      p = (async () => {
        for (let attempt = 1; ; attempt++) {
          const t = this.factory(host);
          // Aborted while queued: connect() then fails at once with the transport's own "aborted" error.
          const ticket = await this.handshakes.acquire(signal).catch(() => undefined);
          let outcome: HandshakeOutcome = "other";
          try {
            await t.connect(signal);
            outcome = "ok";
            return t;
          } catch (e) {
            // A handshake that did not finish in time, or that the server shed (reset / closed mid-handshake, e.g.
            // sshd MaxStartups), means overload (narrow) and is worth another try; refused, auth and host key
            // say nothing about load and are final.
            const overloaded = e instanceof TransportError && (e.kind === "timeout" || e.shed);
            if (overloaded && loadSignal) outcome = "overload";
            if (attempt >= attempts || signal?.aborted || !overloaded) throw e;
          } finally {
            ticket?.done(outcome);
          }
          await new Promise((r) => setTimeout(r, this.retryDelayMs()));
        }
      })();
      this.live.set(host, p);
      p.catch(() => {
        if (this.live.get(host) === p) this.live.delete(host);
      });
    }
    return p;
  }

  /** The handshake limiter's current state (for diagnostics and the benchmark). */
  handshakeStats(): { limit: number; inFlight: number; queued: number; peakInFlight: number } {
    const h = this.handshakes;
    return { limit: h.limit, inFlight: h.inFlight, queued: h.queued, peakInFlight: h.peakInFlight };
  }

  /** Close the current connection (if any) and open a new one. */
  async reconnect(host: string, signal?: AbortSignal): Promise<Transport> {
    const old = this.live.get(host);
    this.live.delete(host);
    if (old) await old.then((t) => t.close()).catch(() => undefined);
    // One try: the reboot wait that reconnects has its own probe loop, deadline and backoff. Its timeouts
    // mostly mean the node is still down, not that handshakes are overloaded: they do not narrow the limit.
    return this.open(host, signal, 1, false);
  }

  async closeAll(): Promise<void> {
    const all = [...this.live.values()];
    this.live.clear();
    await Promise.all(all.map((p) => p.then((t) => t.close()).catch(() => undefined)));
  }
}
