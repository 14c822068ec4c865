// One transport per host, created by a factory on first use and reused; reconnect() after reboots.
import { TransportError } from "../errors.js";
import { Semaphore } from "./semaphore.js";
import type { Transport } from "./transport.js";

/**
 * SSH handshakes in flight at once. A handshake costs the node a fork/exec of sshd plus key exchange and
 * the controller a key exchange; hundreds at once on busy nodes (or a busy controller) all finish late
 * together and some hit the connect timeout. The timeout starts when a handshake does, not while queued.
 */
export const DEFAULT_MAX_HANDSHAKES = 32;

export interface PoolOptions {
  maxHandshakes?: number;
  /** Tries for a first connection whose handshake timed out (an overloaded node or controller); default 2. */
  handshakeAttempts?: number;
  /** Pause before another try; default 1-3 s, jittered so the retries do not arrive together. */
  retryDelayMs?: () => number;
}

export class TransportPool {
  private readonly live = new Map<string, Promise<Transport>>();
  private readonly handshakes: Semaphore;
  private readonly attempts: number;
  private readonly retryDelayMs: () => number;

  constructor(
    private readonly factory: (host: string) => Transport,
    o: PoolOptions = {},
  ) {
    this.handshakes = new Semaphore(o.maxHandshakes ?? DEFAULT_MAX_HANDSHAKES);
    this.attempts = Math.max(1, o.handshakeAttempts ?? 2);
    this.retryDelayMs = o.retryDelayMs ?? (() => 1000 + Math.random() * 2000);
  }

  /** The connected transport for host (connecting once; a failed connect is forgotten so it can be retried). */
  get(host: string, signal?: AbortSignal): Promise<Transport> {
    return this.open(host, signal, this.attempts);
  }

  private open(host: string, signal: AbortSignal | undefined, attempts: number): Promise<Transport> {
    let p = this.live.get(host);
    if (!p) {
      p = (async () => {
        for (let attempt = 1; ; attempt++) {
          const t = this.factory(host);
          // Aborted while queued: connect() then fails at once with the transport's own "aborted" error.
          const release = await this.handshakes.acquire(signal).catch(() => undefined);
          try {
            await t.connect(signal);
            return t;
          } catch (e) {
            // Only a handshake that did not finish in time is worth another try; refused, auth and host key are final.
            if (attempt >= attempts || signal?.aborted || !(e instanceof TransportError && e.kind === "timeout")) throw e;
          } finally {
            release?.();
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

  /** Close the current connection (if any) and open a new one. */
  async reconnect(host: string, signal?: AbortSignal): Promise<Transport> {
    const old = this.live.get(host);
    this.live.delete(host);
    if (old) await old.then((t) => t.close()).catch(() => undefined);
    // One try: the reboot wait that reconnects has its own probe loop, deadline and backoff.
    return this.open(host, signal, 1);
  }

  async closeAll(): Promise<void> {
    const all = [...this.live.values()];
    this.live.clear();
    await Promise.all(all.map((p) => p.then((t) => t.close()).catch(() => undefined)));
  }
}
