// Contract tests: the same invocation against the real tool (Debian's build, on this machine) and the lab's
// simulator (in a node), compared on exit code, which stream carries what, and the text. Where EL's version of a
// tool differs from Debian's by source, the test says so next to the expectation (NODE-STATE.md "Fidelity").
import { execFile, execFileSync } from "node:child_process";
import { expect } from "vitest";
import type { RunResult } from "../node-root.js";

/** Runs `bash -c cmd` on this machine (optionally inside a network namespace). */
export function host(cmd: string, o: { netns?: string; cwd?: string } = {}): Promise<RunResult> {
  const argv = o.netns ? ["ip", ["netns", "exec", o.netns, "bash", "-c", cmd]] as const : ["bash", ["-c", cmd]] as const;
  return new Promise((resolve) => {
    execFile(argv[0], [...argv[1]], { encoding: "utf8", cwd: o.cwd, timeout: 30_000, env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C", HOME: "/root" } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 255) : 0, stdout, stderr });
    });
  });
}

/** Fails (never skips) when the real tool is missing: .ci/run installs it. */
export function requireTool(bin: string, pkg: string): void {
  try {
    execFileSync("bash", ["-c", `command -v ${bin}`], { stdio: "ignore", env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" } });
  } catch {
    throw new Error(`the real ${bin} is needed for this contract test: apt-get install ${pkg} (.ci/run installs it)`);
  }
}

export type Norm = (s: string) => string;
const id: Norm = (s) => s;

/** Same exit code, same streams used, same text after normalisation. */
export function sameBehaviour(what: string, real: RunResult, sim: RunResult, norm: Norm = id): void {
  const shape = (r: RunResult) => ({ exit: r.code, stdout: norm(r.stdout), stderr: norm(r.stderr) });
  expect(shape(sim), `${what}: simulator vs real`).toEqual(shape(real));
}

/** Same exit code and streams (non-empty where the real one is), text compared by the caller. */
export function sameStreams(what: string, real: RunResult, sim: RunResult): void {
  const shape = (r: RunResult) => ({ exit: r.code, stdout: r.stdout !== "", stderr: r.stderr !== "" });
  expect(shape(sim), `${what}: exit code / streams, simulator vs real (real stdout ${JSON.stringify(real.stdout.slice(0, 200))}, stderr ${JSON.stringify(real.stderr.slice(0, 200))})`).toEqual(shape(real));
}
