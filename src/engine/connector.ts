// How the engine obtains connections; implemented over the transport pool (src/transport/pool.ts).
import type { Transport } from "../transport/transport.js";

export interface Connector {
  /** connected transport for an inventory host or "localhost" (the controller) */
  get(host: string, signal?: AbortSignal): Promise<Transport>;
  /** drop and re-open the connection to host */
  reconnect(host: string, signal?: AbortSignal): Promise<Transport>;
  closeAll(): Promise<void>;
}
