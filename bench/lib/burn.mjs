// CPU saturation for the "nothing lost under load" mode: one busy shell loop per core, started before
// a run and stopped after it, so sshd, the simulated nodes and remedy all compete for busy cores.
import { spawn } from "node:child_process";
import { cpus } from "node:os";

export function startBurners(n = cpus().length) {
  const procs = Array.from({ length: n }, () => spawn("/bin/sh", ["-c", "while :; do :; done"], { stdio: "ignore" }));
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
