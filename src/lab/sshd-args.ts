// How the supervisor starts a node's sshd. A real sshd re-executes itself for every connection (a fresh address
// space per session); on a real node that exec costs the node's own CPU. Lab nodes share the controller's cores,
// so there it is CPU the tools under test pay for: `-r` (no re-exec) halves sshd's CPU per connection (36 -> 19 ms
// measured with OpenSSH 9.2) and changes nothing a client sees. Used only where this sshd accepts the flag.
import { spawnSync } from "node:child_process";

export const SSHD = "/usr/sbin/sshd";

export function sshdArgs(config: string, noReexec: boolean): string[] {
  return ["-D", "-e", ...(noReexec ? ["-r"] : []), "-f", config];
}

let accepted: boolean | undefined;

/** `sshd -t -r -f config` exits 0: this sshd knows the flag (asked once per process). */
export function sshdAcceptsNoReexec(config: string): boolean {
  accepted ??= spawnSync(SSHD, ["-t", "-r", "-f", config], { stdio: "ignore", timeout: 10_000 }).status === 0;
  return accepted;
}
