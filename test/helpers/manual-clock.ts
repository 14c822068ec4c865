// A clock whose sleeps wait until the test moves time on (the engine's FakeClock resolves every sleep at once).
import type { Clock } from "../../src/engine/context.js";

export class ManualClock implements Pick<Clock, "sleep" | "now"> {
  t = 0;
  /** every sleep's length, in the order they were armed */
  readonly armed: number[] = [];
  private pending: Array<{ at: number; resolve: () => void }> = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.armed.push(ms);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const entry = { at: this.t + ms, resolve };
      this.pending.push(entry);
      signal?.addEventListener("abort", () => {
        this.pending = this.pending.filter((p) => p !== entry);
        reject(signal.reason);
      }, { once: true });
    });
  }

  /** moves time on and lets every sleep that is due resolve (awaiting their callbacks) */
  async advance(ms: number): Promise<void> {
    this.t += ms;
    const due = this.pending.filter((p) => p.at <= this.t);
    this.pending = this.pending.filter((p) => p.at > this.t);
    for (const p of due) p.resolve();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }

  get waiting(): number {
    return this.pending.length;
  }
}
