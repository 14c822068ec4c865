// What an action needs to act on one host; passed explicitly (no ambient globals).
import type { Transport } from "../transport/transport.js";
import type { EventSink } from "../model/events.js";

export interface Clock {
  now(): number;
  /** resolves after ms, rejects with the signal's reason when aborted */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const t = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
  random: () => Math.random(),
};

export interface HostContext {
  /** inventory name */
  host: string;
  /** the current connection to the host (replaced by reconnect()) */
  transport(): Transport;
  /** close the connection and open a new one (after a reboot); rejects with TransportError while the host is down */
  reconnect(): Promise<Transport>;
  /** transport for another inventory host or "localhost" (the controller), e.g. to run kubectl */
  delegate(host: string): Promise<Transport>;
  clock: Clock;
  /** aborted on Ctrl-C: stop starting new work */
  signal: AbortSignal;
  emit: EventSink;
  /** step id, for events */
  step: string;
  become: boolean;
}
