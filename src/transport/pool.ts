// One transport per host, created by a factory on first use and reused; reconnect() after reboots.
import type { Transport } from "./transport.js";

export class TransportPool {
  private readonly live = new Map<string, Promise<Transport>>();

  constructor(private readonly factory: (host: string) => Transport) {}

  /** The connected transport for host (connecting once; a failed connect is forgotten so it can be retried). */
  get(host: string, signal?: AbortSignal): Promise<Transport> {
    let p = this.live.get(host);
    if (!p) {
      const t = this.factory(host);
      p = t.connect(signal).then(() => t);
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
