// TCP reachability of a node's sshd address (lab start-up, supervisor, tests).
import { connect } from "node:net";

export function canConnect(ip: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: ip, port, timeout: timeoutMs });
    const done = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
    s.once("timeout", () => done(false));
  });
}

/**
 * Polls until something accepts on ip:port. Resolves false when `gone()` says the listener died or the
 * deadline passed, so a caller never reports a node "up" before sshd has bound its address.
 */
export async function waitListening(ip: string, port: number, gone: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    if (gone()) return false;
    if (await canConnect(ip, port, 500)) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, delay));
  }
}
