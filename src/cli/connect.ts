// Inventory host → connected Transport, one per host, reused; "localhost" is the controller itself.
import type { Connector } from "../engine/connector.js";
import type { Transport } from "../transport/transport.js";
import type { Inventory } from "../model/inventory.js";
import { hostVars } from "../inventory/index.js";
import { resolveConnectionSpec } from "../transport/spec.js";
import { SshTransport } from "../transport/ssh.js";
import { LocalTransport } from "../transport/local.js";

export interface ConnectOptions {
  knownHosts?: string;
  sshConfig?: string;
  connectTimeoutSec?: number;
}

export class InventoryConnector implements Connector {
  private readonly live = new Map<string, Promise<Transport>>();
  constructor(
    private readonly inv: Inventory,
    private readonly opts: ConnectOptions = {},
  ) {}

  private make(host: string): Transport {
    if ((host === "localhost" || host === "127.0.0.1") && !this.inv.hosts.has(host)) return new LocalTransport("localhost");
    const vars = this.inv.hosts.has(host) ? hostVars(this.inv, host) : {};
    const spec = resolveConnectionSpec(host, vars, {
      sshConfigPath: this.opts.sshConfig,
      knownHostsFiles: this.opts.knownHosts ? [this.opts.knownHosts] : undefined,
      defaults: this.opts.connectTimeoutSec ? { connectTimeoutMs: this.opts.connectTimeoutSec * 1000 } : undefined,
    });
    return spec.connection === "local" ? new LocalTransport(spec) : new SshTransport(spec);
  }

  get(host: string, signal?: AbortSignal): Promise<Transport> {
    let p = this.live.get(host);
    if (!p) {
      const t = this.make(host);
      p = t.connect(signal).then(() => t);
      p.catch(() => this.live.delete(host));
      this.live.set(host, p);
    }
    return p;
  }

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
