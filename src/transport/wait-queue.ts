// The waiting half of a semaphore-like limit: a FIFO of parked callers, each woken by its owner or
// removed when its signal aborts. Shared by the channel semaphore and the handshake limiter.

/** Parks a caller until `waiters` wakes it, then resolves with grant(); rejects with signal.reason on abort. */
export function enqueue<T>(waiters: Array<() => void>, grant: () => T, signal?: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const wake = () => {
      signal?.removeEventListener("abort", onAbort);
      resolve(grant());
    };
    const onAbort = () => {
      const i = waiters.indexOf(wake);
      if (i >= 0) waiters.splice(i, 1);
      reject(signal?.reason);
    };
    waiters.push(wake);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
