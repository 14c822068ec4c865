// Polling helpers for tests that wait on a lab node's state (the node changes on its own schedule).
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls fn every 100 ms until it returns a value; fails naming what it waited for. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
