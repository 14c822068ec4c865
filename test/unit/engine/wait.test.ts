import { describe, expect, it } from "vitest";
import { backoffDelay, describeLast, pollUntil, type ProbeResult } from "../../../src/engine/wait.js";
import { FakeClock, T0 } from "../../fixtures/engine/fakes.js";

describe("backoffDelay", () => {
  it.each([
    // failedAttempts, random, options, expected
    [1, 0, {}, 250],
    [2, 0, {}, 500],
    [3, 0, {}, 1000],
    [6, 0, {}, 8000],
    [7, 0, {}, 12000], // 16 000 capped at 12 000
    [50, 0, {}, 12000],
    [7, 1, {}, 6000], // jitter 0.5 takes up to half away
    [1, 1, {}, 250], // never below the floor
    [3, 0.5, { jitter: 0 }, 1000],
    [3, 0, { minDelayMs: 1000, factor: 3 }, 9000],
    [4, 0, { minDelayMs: 1000, factor: 3, maxDelayMs: 5000 }, 5000],
  ] as const)("after %i failures with random %f and %j → %i ms", (n, r, o, want) => {
    expect(backoffDelay(n, r, o)).toBe(want);
  });
});

describe("pollUntil", () => {
  it("returns the value as soon as the probe is done, without sleeping", async () => {
    const clock = new FakeClock();
    const r = await pollUntil(async () => ({ kind: "done", value: 42 }), { clock, deadline: T0 + 10_000, what: "x" });
    expect(r).toEqual({ kind: "done", value: 42, attempts: 1, elapsedMs: 0 });
    expect(clock.sleeps).toEqual([]);
  });

  it("backs off exponentially between not-yet probes, with jitter from the clock", async () => {
    const clock = new FakeClock(() => 0); // no jitter taken away
    let n = 0;
    const r = await pollUntil<string>(async () => (++n < 5 ? { kind: "not_yet", detail: "no" } : { kind: "done", value: "yes" }), {
      clock,
      deadline: T0 + 600_000,
      what: "x",
    });
    expect(r.kind).toBe("done");
    expect(clock.sleeps).toEqual([250, 500, 1000, 2000]);

    const jittery = new FakeClock(() => 1);
    n = 0;
    await pollUntil<string>(async () => (++n < 4 ? { kind: "not_yet", detail: "no" } : { kind: "done", value: "yes" }), { clock: jittery, deadline: T0 + 600_000, what: "x" });
    expect(jittery.sleeps).toEqual([250, 250, 500]);
  });

  it("on timeout names the last not-yet detail, and probes once more exactly at the deadline", async () => {
    const clock = new FakeClock(() => 0);
    const seen: number[] = [];
    const r = await pollUntil<never>(
      async () => {
        seen.push(clock.now() - T0);
        return { kind: "not_yet", detail: "boot id unchanged (host did not reboot)" };
      },
      { clock, deadline: T0 + 10_000, what: "a new boot id" },
    );
    expect(r.kind).toBe("timeout");
    if (r.kind !== "timeout") return;
    expect(r.message).toBe("timed out after 10 s waiting for a new boot id; last probe: boot id unchanged (host did not reboot)");
    expect(seen.at(-1)).toBe(10_000); // the last sleep was clamped to the deadline, then one final probe
    expect(clock.now()).toBe(T0 + 10_000);
    expect(r.attempts).toBe(seen.length);
  });

  it.each([
    ["errors late", (t: number) => t >= 4_000, "timed out after 5 s waiting for a new boot id; last probe failed: boot id unreadable: got empty output"],
    ["errors early", (t: number) => t < 4_000, "timed out after 5 s waiting for a new boot id; last probe: connection refused (host still down)"],
  ])("tells a probe error apart from not-yet in the timeout message (%s)", async (_name, errorAt, want) => {
    const clock = new FakeClock();
    const r = await pollUntil<never>(
      async (): Promise<ProbeResult<never>> =>
        errorAt(clock.now() - T0) ? { kind: "probe_error", error: "boot id unreadable: got empty output" } : { kind: "not_yet", detail: "connection refused (host still down)" },
      { clock, deadline: T0 + 5_000, what: "a new boot id" },
    );
    expect(r.kind).toBe("timeout");
    if (r.kind === "done") return;
    expect(r.message).toBe(want);
    expect(describeLast(undefined)).toBe("no probe completed");
  });

  it("stops with 'aborted' when the signal fires during a sleep", async () => {
    const clock = new FakeClock(() => 0);
    const ac = new AbortController();
    clock.at(3_000, () => ac.abort(new Error("Ctrl-C")));
    let probes = 0;
    const r = await pollUntil<never>(
      async () => {
        probes++;
        return { kind: "not_yet", detail: "still down" };
      },
      { clock, deadline: T0 + 600_000, signal: ac.signal, what: "a new boot id" },
    );
    expect(r.kind).toBe("aborted");
    if (r.kind !== "aborted") return;
    expect(r.message).toMatch(/^interrupted after \d+ s waiting for a new boot id; last probe: still down$/);
    expect(clock.now() - T0).toBeLessThan(10_000);
    expect(probes).toBe(r.attempts);
  });

  it("does not probe at all when already aborted", async () => {
    const ac = new AbortController();
    ac.abort();
    let probes = 0;
    const r = await pollUntil(async () => ((probes++), { kind: "done" as const, value: 1 }), { clock: new FakeClock(), deadline: T0 + 1000, signal: ac.signal, what: "x" });
    expect(r.kind).toBe("aborted");
    expect(probes).toBe(0);
  });

  it("lets a probe that throws (a bug) propagate instead of counting it as not yet", async () => {
    const clock = new FakeClock();
    await expect(
      pollUntil(
        async () => {
          throw new TypeError("cannot read properties of undefined");
        },
        { clock, deadline: T0 + 60_000, what: "x" },
      ),
    ).rejects.toThrow(TypeError);
    expect(clock.sleeps).toEqual([]);
  });

  it("passes the remaining time to the probe so it can bound its own timeout", async () => {
    const clock = new FakeClock(() => 0);
    const remaining: number[] = [];
    await pollUntil<never>(
      async (_n, rem) => {
        remaining.push(rem);
        return { kind: "not_yet", detail: "no" };
      },
      { clock, deadline: T0 + 1_000, what: "x" },
    );
    expect(remaining[0]).toBe(1_000);
    expect(remaining.at(-1)).toBe(0);
  });
});
