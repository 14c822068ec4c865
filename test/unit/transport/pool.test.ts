import { describe, expect, it } from "vitest";
import { TransportPool } from "../../../src/transport/pool.js";
import type { Transport } from "../../../src/transport/transport.js";
import { TransportError } from "../../../src/errors.js";

/** A transport whose handshake lasts until the test finishes it; counts handshakes in flight. */
function fakes() {
  const state = { inFlight: 0, peak: 0, pending: [] as Array<() => void> };
  const make = (host: string) =>
    ({
      host,
      connect(signal?: AbortSignal) {
        if (signal?.aborted) return Promise.reject(new Error(`connection to ${host} aborted`));
        state.inFlight++;
        state.peak = Math.max(state.peak, state.inFlight);
        return new Promise<void>((resolve) =>
          state.pending.push(() => {
            state.inFlight--;
            resolve();
          }),
        );
      },
      close: async () => undefined,
    }) as unknown as Transport;
  return { state, make };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("TransportPool handshake limit", () => {
  it("runs at most maxHandshakes connects at once; the rest start as earlier ones finish", async () => {
    const { state, make } = fakes();
    const pool = new TransportPool(make, { maxHandshakes: 3 });
    const all = Array.from({ length: 10 }, (_, i) => pool.get(`h${i}`));
    await tick();
    expect(state.inFlight).toBe(3);
    while (state.pending.length > 0) {
      state.pending.shift()!();
      await tick();
      await tick();
    }
    const got = await Promise.all(all);
    expect(got.map((t) => (t as unknown as { host: string }).host)).toEqual(Array.from({ length: 10 }, (_, i) => `h${i}`));
    expect(state.peak).toBe(3);
  });

  it("a connect aborted while queued fails with the transport's own error and frees nothing it did not hold", async () => {
    const { state, make } = fakes();
    const pool = new TransportPool(make, { maxHandshakes: 1 });
    const first = pool.get("a");
    const ac = new AbortController();
    const queued = pool.get("b", ac.signal);
    await tick();
    ac.abort();
    await expect(queued).rejects.toThrow("connection to b aborted");
    state.pending.shift()!();
    await first;
    const third = pool.get("c");
    await tick();
    expect(state.inFlight).toBe(1);
    state.pending.shift()!();
    await third;
  });

  it("retries a first connection whose handshake timed out, once; refused/auth/host key errors are final", async () => {
    const tries = new Map<string, number>();
    const failWith = (host: string, kind: TransportError["kind"], times: number) => (h: string) =>
      ({
        host: h,
        connect: async () => {
          const n = (tries.get(h) ?? 0) + 1;
          tries.set(h, n);
          if (h === host && n <= times) throw new TransportError(h, kind, `${kind} on try ${n}`);
        },
        close: async () => undefined,
      }) as unknown as Transport;
    const quick = { retryDelayMs: () => 1 };
    await expect(new TransportPool(failWith("a", "timeout", 1), quick).get("a")).resolves.toBeDefined();
    expect(tries.get("a")).toBe(2);
    await expect(new TransportPool(failWith("b", "timeout", 2), quick).get("b")).rejects.toThrow("timeout on try 2");
    expect(tries.get("b")).toBe(2);
    await expect(new TransportPool(failWith("c", "connect", 1), quick).get("c")).rejects.toThrow("connect on try 1");
    expect(tries.get("c")).toBe(1);
    await expect(new TransportPool(failWith("d", "hostkey", 1), quick).get("d")).rejects.toThrow("hostkey on try 1");
    expect(tries.get("d")).toBe(1);
    // a reconnect (after a reboot) is one try: the reboot wait has its own loop and deadline
    await expect(new TransportPool(failWith("e", "timeout", 1), quick).reconnect("e")).rejects.toThrow("timeout on try 1");
  });
});
