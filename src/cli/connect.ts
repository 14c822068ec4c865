// Inventory host → connected Transport (one per host, reused, via TransportPool); "localhost" is the controller.
import type { Connector } from "../engine/connector.js";
import type { Transport } from "../transport/transport.js";
import type { Inventory } from "../model/inventory.js";
import { hostVars } from "../inventory/index.js";
import { resolveConnectionSpec } from "../transport/spec.js";
import { SshTransport } from "../transport/ssh.js";
import { LocalTransport } from "../transport/local.js";
import { TransportPool } from "../transport/pool.js";

export interface ConnectOptions {
  knownHosts?: string;
  sshConfig?: string;
  connectTimeoutSec?: number;
  /** loud connection warnings (changed host key with checking off, key added by accept-new) */
  onWarning?: (host: string, message: string) => void;
  /** ansible_* vars from the command line, environment or ansible.cfg (-u, --private-key, -b); inventory vars win */
  defaultVars?: Record<string, unknown>;
}

export function transportFor(inv: Inventory, host: string, opts: ConnectOptions = {}): Transport {
  if ((host === "localhost" || host === "127.0.0.1") && !inv.hosts.has(host)) return new LocalTransport("localhost");
  const vars = { ...opts.defaultVars, ...(inv.hosts.has(host) ? hostVars(inv, host) : {}) };
  const spec = resolveConnectionSpec(host, vars, {
    sshConfigPath: opts.sshConfig,
    knownHostsFiles: opts.knownHosts ? [opts.knownHosts] : undefined,
    defaults: opts.connectTimeoutSec ? { connectTimeoutMs: opts.connectTimeoutSec * 1000 } : undefined,
  });
  return spec.connection === "local" ? new LocalTransport(spec) : new SshTransport(spec, { onWarning: opts.onWarning });
}

export class InventoryConnector extends TransportPool implements Connector {
  constructor(inv: Inventory, opts: ConnectOptions = {}) {
    super((host) => transportFor(inv, host, opts), { connectTimeoutMs: opts.connectTimeoutSec ? opts.connectTimeoutSec * 1000 : undefined });
  }
}
