import { describe, expect, it } from "vitest";
import { HandshakeLimiter, defaultLimits, nextLimit, type HandshakeLimits, type HandshakeTicket } from "../../../src/transport/handshake-limiter.js";

/** Time moves only when the test says so. */
class FakeClock {
  t = 1_000_000;
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

const limits: HandshakeLimits = { initial: 8, min: 1, max: 64, fastMs: 1000, slowMs: 3000 };
const flush = () => new Promise((r) => setTimeout(r, 0));

/** n acquisitions; the granted tickets in grant order (queued ones land as slots free up). */
function acquireMany(l: HandshakeLimiter, n: number) {
  const granted: HandshakeTicket[] = [];
  const all = Array.from({ length: n }, () => l.acquire().then((t) => (granted.push(t), t)));
  return { granted, all };
}

describe("nextLimit (pure)", () => {
  const s = { limit: 10, lastCutAt: -Infinity };
  it("widens by one for a fast handshake, up to max", () => {
    expect(nextLimit(s, { startedAt: 0, durationMs: 200, outcome: "ok" }, 200, limits).limit).toBe(11);
    expect(nextLimit({ limit: 64, lastCutAt: -Infinity }, { startedAt: 0, durationMs: 1, outcome: "ok" }, 1, limits).limit).toBe(64);
  });
  it("holds between fast and slow", () => {
    expect(nextLimit(s, { startedAt: 0, durationMs: 2000, outcome: "ok" }, 2000, limits)).toMatchObject(s);
  });
  it("narrows to 3/4 when slow, to 1/2 on a timeout, never below min", () => {
    expect(nextLimit(s, { startedAt: 0, durationMs: 3000, outcome: "ok" }, 3000, limits)).toMatchObject({ limit: 7, lastCutAt: 3000 });
    expect(nextLimit(s, { startedAt: 0, durationMs: 10_000, outcome: "overload" }, 10_000, limits)).toMatchObject({ limit: 5, lastCutAt: 10_000 });
    expect(nextLimit({ limit: 1, lastCutAt: -Infinity }, { startedAt: 0, durationMs: 10_000, outcome: "overload" }, 10_000, limits).limit).toBe(1);
  });
  it("a slow handshake started before the last cut does not cut again", () => {
    const cut = { limit: 7, lastCutAt: 3000 };
    expect(nextLimit(cut, { startedAt: 10, durationMs: 3500, outcome: "ok" }, 3510, limits)).toMatchObject(cut);
    expect(nextLimit(cut, { startedAt: 3001, durationMs: 3500, outcome: "ok" }, 6501, limits).limit).toBe(5);
  });
  it("refused / auth / host key failures ('other') leave the limit alone", () => {
    expect(nextLimit(s, { startedAt: 0, durationMs: 9000, outcome: "other" }, 9000, limits)).toMatchObject(s);
  });
  it("a cut never leaves more in flight than the measured completion rate finishes within slowMs/2", () => {
    // a wide first wave on a saturated machine: 32 handshakes done over 10 s, then the rest time out
    const recent = Array.from({ length: 32 }, (_, i) => (i * 10_000) / 31);
    const wide = { limit: 100, lastCutAt: -Infinity, recent };
    // 31 completions in 10 s = 3.1/s; × 1.5 s = 4 (halving alone would leave 50)
    expect(nextLimit(wide, { startedAt: 0, durationMs: 10_000, outcome: "overload" }, 10_000, limits).limit).toBe(4);
    // a fast machine with a stray slow handshake: the rate (1000/s) allows far more than the 3/4 cut
    const fast = { limit: 100, lastCutAt: -Infinity, recent: Array.from({ length: 32 }, (_, i) => i) };
    expect(nextLimit(fast, { startedAt: 0, durationMs: 3100, outcome: "ok" }, 31, limits).limit).toBe(75);
  });
  it("defaults follow the connect timeout", () => {
    expect(defaultLimits(10_000)).toMatchObject({ fastMs: 1000, slowMs: 3000, min: 1 });
    expect(defaultLimits(60_000)).toMatchObject({ fastMs: 6000, slowMs: 18_000 });
  });
});

describe("HandshakeLimiter with a fake clock", () => {
  it("starts at the initial width and widens while handshakes complete fast", async () => {
    const clock = new FakeClock();
    const l = new HandshakeLimiter(limits, clock);
    const { granted, all } = acquireMany(l, 40);
    await flush();
    expect(l.inFlight).toBe(8);
    expect(l.queued).toBe(32);
    // each fast completion widens by one, so two queued handshakes start per completion
    clock.advance(100);
    granted[0]!.done("ok");
    await flush();
    expect(l.limit).toBe(9);
    expect(l.inFlight).toBe(9);
    for (let i = 1; i < 8; i++) granted[i]!.done("ok");
    await flush();
    expect(l.limit).toBe(16);
    expect(l.inFlight).toBe(16);
    await Promise.all(all.slice(0, 24));
    expect(l.peakInFlight).toBe(16);
  });

  it("narrows when handshakes turn slow, once per wave, and widens again when they are fast", async () => {
    const clock = new FakeClock();
    const l = new HandshakeLimiter({ ...limits, initial: 16 }, clock);
    const { granted } = acquireMany(l, 100);
    await flush();
    expect(l.inFlight).toBe(16);
    clock.advance(4000); // the whole first wave took 4 s: slow
    for (let i = 0; i < 16; i++) granted[i]!.done("ok");
    await flush();
    // one cut (16 → 12) for the wave, not sixteen
    expect(l.limit).toBe(12);
    expect(l.inFlight).toBe(12);
    clock.advance(3500); // the second wave (started after the cut) is slow too: cut again, to what the
    granted[16]!.done("ok"); // measured rate finishes in 1.5 s: 16 done in 3.5 s → 6 (3/4 alone: 9)
    await flush();
    expect(l.limit).toBe(6);
    for (let i = 17; i < 28; i++) granted[i]!.done("ok"); // same wave: no further cut
    await flush();
    expect(l.limit).toBe(6);
    expect(l.inFlight).toBe(6);
    clock.advance(50); // handshakes are fast again: the limit grows back
    for (let i = 28; i < 34; i++) granted[i]!.done("ok");
    await flush();
    expect(l.limit).toBe(12);
    expect(l.inFlight).toBe(12);
  });

  it("halves on a timed-out handshake", async () => {
    const clock = new FakeClock();
    const l = new HandshakeLimiter({ ...limits, initial: 20 }, clock);
    const { granted } = acquireMany(l, 30);
    await flush();
    clock.advance(10_000);
    granted[0]!.done("overload");
    await flush();
    expect(l.limit).toBe(10);
    // the 19 still in flight keep their slots; nothing new starts until fewer than 10 are left
    expect(l.inFlight).toBe(19);
    for (let i = 1; i < 10; i++) granted[i]!.done("other");
    await flush();
    expect(l.inFlight).toBe(10);
    expect(l.limit).toBe(10);
  });

  it("never starves: at min width under constant failure every queued handshake still runs, one at a time", async () => {
    const clock = new FakeClock();
    const l = new HandshakeLimiter({ ...limits, initial: 4 }, clock);
    let started = 0;
    const runs = Array.from({ length: 12 }, () =>
      l.acquire().then((t) => {
        started++;
        clock.advance(20_000);
        t.done("overload");
      }),
    );
    await Promise.all(runs);
    expect(started).toBe(12);
    expect(l.limit).toBe(1);
    expect(l.inFlight).toBe(0);
    expect(l.queued).toBe(0);
  });

  it("a limit cut below what is in flight still admits one once everything drained", async () => {
    const clock = new FakeClock();
    const l = new HandshakeLimiter({ ...limits, initial: 2, min: 1 }, clock);
    const a = await l.acquire();
    const b = await l.acquire();
    const c = l.acquire();
    clock.advance(30_000);
    a.done("overload"); // 2 → 1, b still in flight: c waits
    await flush();
    expect(l.inFlight).toBe(1);
    b.done("overload"); // started before the cut: no further cut; c goes
    const tc = await c;
    expect(l.inFlight).toBe(1);
    expect(l.limit).toBe(1);
    tc.done("ok");
  });

  it("done() is idempotent; an abort while queued frees nothing it did not hold", async () => {
    const l = new HandshakeLimiter({ ...limits, initial: 1, max: 1 }, new FakeClock());
    const a = await l.acquire();
    const ac = new AbortController();
    const queued = l.acquire(ac.signal);
    ac.abort(new Error("stop"));
    await expect(queued).rejects.toThrow("stop");
    a.done("ok");
    a.done("ok");
    expect(l.inFlight).toBe(0);
    const b = await l.acquire();
    expect(l.inFlight).toBe(1);
    b.done("ok");
  });
});
