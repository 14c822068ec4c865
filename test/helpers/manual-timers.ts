// One-shot timers that fire only when the test moves time on (DeadlineTimers of engine/batch-run.ts).
import type { DeadlineTimers } from "../../src/engine/batch-run.js";

export class ManualTimers implements DeadlineTimers {
  t = 0;
  /** every timer's length, in the order they were set */
  readonly armed: number[] = [];
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  set(fn: () => void, ms: number): unknown {
    this.armed.push(ms);
    const id = ++this.seq;
    this.pending.set(id, { at: this.t + ms, fn });
    return id;
  }

  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** moves time on and runs every timer that is due, then lets their promise callbacks run */
  async advance(ms: number): Promise<void> {
    this.t += ms;
    for (const [id, p] of [...this.pending]) {
      if (p.at > this.t) continue;
      this.pending.delete(id);
      p.fn();
    }
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }

  get waiting(): number {
    return this.pending.size;
  }
}
