// Counting semaphore: bounds open SSH session channels per connection (OpenSSH MaxSessions is 10).
import { enqueue } from "./wait-queue.js";

export class Semaphore {
  private free: number;
  private readonly waiters: Array<() => void> = [];
  constructor(readonly size: number) {
    this.free = Math.max(1, size);
  }

  get available(): number {
    return this.free;
  }

  /** Resolves with a release function (idempotent); rejects with signal.reason if aborted while waiting. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    const grant = (): (() => void) => {
      let done = false;
      return () => {
        if (done) return;
        done = true;
        const next = this.waiters.shift();
        if (next) next();
        else this.free++;
      };
    };
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.free > 0) {
      this.free--;
      return Promise.resolve(grant());
    }
    return enqueue(this.waiters, grant, signal);
  }
}
