// One transport per host, created by a factory on first use and reused; reconnect() after reboots.
import { Semaphore } from "./semaphore.js";
import type { Transport } from "./transport.js";

/**
 * SSH handshakes in flight at once. A handshake costs the node a fork/exec of sshd plus key exchange and
 * the controller a key exchange; hundreds at once on busy nodes (or a busy controller) all finish late
 * together and some hit the connect timeout. The timeout starts when a handshake does, not while queued.
 */
export const DEFAULT_MAX_HANDSHAKES = 32;

export class TransportPool {
  private readonly live = new Map<string, Promise<Transport>>();
  private readonly handshakes: Semaphore;

  constructor(
    private readonly factory: (host: string) => Transport,
    maxHandshakes = DEFAULT_MAX_HANDSHAKES,
  ) {
    this.handshakes = new Semaphore(maxHandshakes);
  }

  /** The connected transport for host (connecting once; a failed connect is forgotten so it can be retried). */
  get(host: string, signal?: AbortSignal): Promise<Transport> {
    let p = this.live.get(host);
    if (!p) {
      const t = this.factory(host);
      p = (async () => {
        // Aborted while queued: connect() then fails at once with the transport's own "aborted" error.
        const release = await this.handshakes.acquire(signal).catch(() => undefined);
        try {
          await t.connect(signal);
          return t;
        } finally {
          release?.();
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
    return this.get(host, signal);
  }

  async closeAll(): Promise<void> {
    const all = [...this.live.values()];
    this.live.clear();
    await Promise.all(all.map((p) => p.then((t) => t.close()).catch(() => undefined)));
  }
}
