import { describe, expect, it } from "vitest";
import { handshakeCapMs, idleVerdict, watchProgress, type WatchClock } from "../../../src/transport/handshake-watch.js";

/** A fake clock whose timers run when advance() passes their time. */
function fakeClock(): WatchClock & { advance(ms: number): void } {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let next = 1;
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = next++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => void (timers = timers.filter((t) => t.id !== id)),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.fn();
      }
      now = end;
    },
  };
}

describe("idleVerdict", () => {
  it("progress resets the mark; the same value is idle only once idleMs passed since the last change", () => {
    const start = { value: 0, at: 0 };
    expect(idleVerdict(start, 0, 9_999, 10_000)).toEqual({ idle: false, last: start });
    expect(idleVerdict(start, 0, 10_000, 10_000).idle).toBe(true);
    const moved = idleVerdict(start, 21, 9_000, 10_000);
    expect(moved).toEqual({ idle: false, last: { value: 21, at: 9_000 } });
    expect(idleVerdict(moved.last, 21, 18_999, 10_000).idle).toBe(false);
    expect(idleVerdict(moved.last, 21, 19_000, 10_000).idle).toBe(true);
  });
});

describe("watchProgress", () => {
  it("a server that keeps answering is never idle; silence for the connect timeout fails once", () => {
    const clock = fakeClock();
    let bytes = 0;
    let idle = 0;
    const w = watchProgress(() => bytes, 10_000, () => idle++, clock);
    for (let i = 0; i < 12; i++) {
      clock.advance(5_000); // a turn every 5 s: 60 s in all, six times the timeout
      bytes += 100;
    }
    expect(idle).toBe(0);
    clock.advance(9_000);
    expect(idle).toBe(0);
    // progress is seen at a look (every quarter of the timeout), so the failure comes 10-12.5 s into the silence
    clock.advance(3_500);
    expect(idle).toBe(1);
    clock.advance(60_000);
    expect(idle).toBe(1);
    w.stop();
  });

  it("stop() ends the watch: no late failure after the handshake finished", () => {
    const clock = fakeClock();
    let idle = 0;
    const w = watchProgress(() => 0, 1_000, () => idle++, clock);
    clock.advance(500);
    w.stop();
    clock.advance(10_000);
    expect(idle).toBe(0);
  });

  it("a handshake that keeps progressing is still capped (ssh2's readyTimeout)", () => {
    expect(handshakeCapMs(10_000)).toBe(60_000);
    expect(handshakeCapMs(30_000)).toBe(180_000);
  });
});
