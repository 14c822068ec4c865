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
    // a handshake the server shed (reset / closed mid-handshake: sshd MaxStartups) is tried again, like a timeout
    const shed = (h: string) =>
      ({
        host: h,
        connect: async () => {
          const n = (tries.get(h) ?? 0) + 1;
          tries.set(h, n);
          if (n === 1) throw new TransportError(h, "connect", "reset on try 1", { shed: true });
        },
        close: async () => undefined,
      }) as unknown as Transport;
    const shedPool = new TransportPool(shed, { ...quick, handshakeLimits: { initial: 8 } });
    await expect(shedPool.get("s")).resolves.toBeDefined();
    expect(tries.get("s")).toBe(2);
    expect(shedPool.handshakeStats().limit).toBe(5); // 8 → 4 for the shed handshake, +1 for the fast retry
    // a reconnect (after a reboot) is one try: the reboot wait has its own loop and deadline
    await expect(new TransportPool(failWith("e", "timeout", 1), quick).reconnect("e")).rejects.toThrow("timeout on try 1");
  });
});

describe("TransportPool adaptive handshakes", () => {
  it("connect() (where the connect timeout starts) is only called once the host's handshake may start", async () => {
    const { state, make } = fakes();
    const calls: string[] = [];
    const pool = new TransportPool((h) => {
      const t = make(h);
      const connect = t.connect.bind(t);
      return Object.assign(t, { connect: (s?: AbortSignal) => (calls.push(h), connect(s)) });
    }, { maxHandshakes: 2 });
    const all = ["a", "b", "c"].map((h) => pool.get(h));
    await tick();
    expect(calls).toEqual(["a", "b"]);
    state.pending.shift()!();
    await tick();
    await tick();
    expect(calls).toEqual(["a", "b", "c"]);
    while (state.pending.length) state.pending.shift()!();
    await Promise.all(all);
  });

  it("timed-out handshakes narrow the limit; hosts after them start fewer at once", async () => {
    let t = 0;
    const clock = { now: () => t };
    let inFlight = 0;
    let peakAfterCut = 0;
    let cut = false;
    const pending: Array<() => void> = [];
    const make = (h: string) =>
      ({
        host: h,
        connect: () => {
          inFlight++;
          if (cut) peakAfterCut = Math.max(peakAfterCut, inFlight);
          return new Promise<void>((resolve, reject) =>
            pending.push(() => {
              inFlight--;
              if (h.startsWith("slow")) reject(new TransportError(h, "timeout", `no SSH handshake within 10s`));
              else resolve();
            }),
          );
        },
        close: async () => undefined,
      }) as unknown as Transport;
    const pool = new TransportPool(make, { handshakeLimits: { initial: 8, max: 8 }, handshakeAttempts: 1, clock });
    const slow = Array.from({ length: 8 }, (_, i) => pool.get(`slow${i}`).catch(() => "failed"));
    const rest = Array.from({ length: 16 }, (_, i) => pool.get(`h${i}`));
    await tick();
    expect(pool.handshakeStats()).toMatchObject({ limit: 8, inFlight: 8, queued: 16 });
    t += 10_000;
    cut = true;
    for (let i = 0; i < 8; i++) pending.shift()!();
    await Promise.all(slow);
    await tick();
    expect(pool.handshakeStats()).toMatchObject({ limit: 4, inFlight: 4, queued: 12 });
    expect(peakAfterCut).toBe(4);
    while (pending.length) {
      pending.shift()!();
      await tick();
      await tick();
    }
    await Promise.all(rest);
    // fast handshakes after the cut widen it again (4 → up to the cap of 8)
    expect(peakAfterCut).toBeGreaterThan(4);
    expect(peakAfterCut).toBeLessThanOrEqual(8);
    expect(pool.handshakeStats().inFlight).toBe(0);
  });
});

describe("TransportPool: reconnects after a reboot", () => {
  it("a timed-out reconnect (node still down) does not narrow the handshake limit; a first connect does", async () => {
    const make = (h: string) =>
      ({ host: h, connect: async () => Promise.reject(new TransportError(h, "timeout", "no SSH handshake within 10s")), close: async () => undefined }) as unknown as Transport;
    const pool = new TransportPool(make, { handshakeLimits: { initial: 16 }, handshakeAttempts: 1 });
    await expect(pool.reconnect("rebooting")).rejects.toThrow("no SSH handshake");
    expect(pool.handshakeStats().limit).toBe(16);
    await expect(pool.get("new")).rejects.toThrow("no SSH handshake");
    expect(pool.handshakeStats().limit).toBe(8);
  });
});
