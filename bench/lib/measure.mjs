// Runs one tool invocation and measures it from the controller's side: wall time, CPU of the whole
// child tree (user+sys, including detached ssh ControlPersist masters), peak tree RSS (50 ms samples)
// and peak tree PSS (every 10th sample: smaps_rollup is costlier), and the CPU the lab's sshds spent.
import { spawn } from "node:child_process";
import { ProcessTree, pssBytes, readStat, rssBytes, selfChildCpuMs, treeCpuMs, CLK_TCK } from "./proc.mjs";

/**
 * @param {{ cmd: string, args: string[], env?: NodeJS.ProcessEnv, cwd?: string, tag?: string,
 *           sshdPids?: number[], sampleMs?: number, timeoutMs?: number }} o
 */
export function measure(o) {
  const sampleMs = o.sampleMs ?? 50;
  const sshdBefore = sum((o.sshdPids ?? []).map(treeCpuMs));
  const cpuBefore = selfChildCpuMs();
  const benchBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const child = spawn(o.cmd, o.args, { env: o.env ?? process.env, cwd: o.cwd, stdio: ["ignore", "pipe", "pipe"] });
  const tree = new ProcessTree(child.pid, o.tag);
  const out = [];
  const err = [];
  child.stdout.on("data", (d) => out.push(d));
  child.stderr.on("data", (d) => err.push(d));
  let peakRss = 0;
  let peakPss = 0;
  let samples = 0;
  let maxProcs = 0;
  const sample = () => {
    const pids = tree.scan();
    maxProcs = Math.max(maxProcs, pids.length);
    peakRss = Math.max(peakRss, rssBytes(pids));
    if (samples++ % 10 === 0) peakPss = Math.max(peakPss, pssBytes(pids));
  };
  sample();
  const timer = setInterval(sample, sampleMs);
  let timedOut = false;
  const killer = o.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, o.timeoutMs)
    : undefined;
  return new Promise((resolve, reject) => {
    child.once("error", (e) => {
      clearInterval(timer);
      reject(new Error(`bench: cannot start ${o.cmd}: ${e.message}`));
    });
    child.once("close", async (code, signal) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      clearInterval(timer);
      if (killer) clearTimeout(killer);
      // Detached helpers (ssh masters) were never waited for by us: take their own CPU, then stop them.
      let helperCpu = 0;
      const helpers = tree.detached();
      for (const pid of helpers) {
        const s = readStat(pid);
        if (!s) continue;
        helperCpu += ((s.utime + s.stime) * 1000) / CLK_TCK;
        try {
          process.kill(pid, "SIGTERM");
        } catch {
          /* already gone */
        }
      }
      // their sshd sessions end now; give the listeners a moment to reap them before reading sshd CPU
      if (helperCpu > 0) await new Promise((r) => setTimeout(r, 300));
      const cpuAfter = selfChildCpuMs();
      const bench = process.cpuUsage(benchBefore);
      resolve({
        exitCode: code ?? (signal ? 128 : 255),
        signal: signal ?? undefined,
        timedOut,
        wallMs,
        cpuUserMs: cpuAfter.user - cpuBefore.user,
        cpuSysMs: cpuAfter.sys - cpuBefore.sys,
        helperCpuMs: helperCpu,
        helpers: helpers.length,
        peakRssBytes: peakRss,
        peakPssBytes: peakPss,
        maxProcs,
        sshdCpuMs: sum((o.sshdPids ?? []).map(treeCpuMs)) - sshdBefore,
        benchCpuMs: (bench.user + bench.system) / 1000,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
  });
}

function sum(xs) {
  return xs.reduce((a, b) => a + b, 0);
}
