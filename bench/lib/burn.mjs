// CPU saturation for the "nothing lost under load" mode: one busy shell loop per core, started before
// a run and stopped after it, so sshd, the simulated nodes and remedy all compete for busy cores.
import { spawn } from "node:child_process";
import { cpus } from "node:os";

// Each loop also ends by itself once the bench process is gone (looked at every 200 000 turns, a few
// times a second): a bench killed mid-run must not leave the machine saturated for whatever runs next.
export const BURN_LOOP = `i=0; while :; do i=$((i+1)); if [ "$i" -ge 200000 ]; then kill -0 "$1" 2>/dev/null || exit 0; i=0; fi; done`;

export function startBurners(n = cpus().length) {
  const procs = Array.from({ length: n }, () => spawn("/bin/sh", ["-c", BURN_LOOP, "burn", String(process.pid)], { stdio: "ignore" }));
  return {
    count: procs.length,
    stop: () =>
      Promise.all(
        procs.map(
          (p) =>
            new Promise((resolve) => {
              if (p.exitCode !== null || p.signalCode !== null) return resolve();
              p.once("exit", () => resolve());
              p.kill("SIGKILL");
            }),
        ),
      ),
  };
}
