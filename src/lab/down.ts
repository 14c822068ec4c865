// `lab down` and `lab status`.
import { existsSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { LabError } from "../errors.js";
import { interpretFaults, parseFaultLines, type Fault } from "./faults.js";
import { readLabInfo, readSupervisorState, type NodeRunState } from "./labfile.js";
import { mountsUnder, unmountUnder } from "./mounts.js";
import { DEFAULT_LAB_DIR, labPaths, nodePaths } from "./paths.js";
import { alive, killAll, listProcs, procsRootedUnder, waitGone, type ProcInfo } from "./procs.js";
import type { NodeOs } from "./rootfs.js";

/** The supervisor pid of this lab, if that process is really our supervisor for this dir. */
function supervisorPid(dir: string): number | undefined {
  const fromFile = existsSync(labPaths(dir).supervisorPid) ? Number(readFileSync(labPaths(dir).supervisorPid, "utf8").trim()) : undefined;
  for (const pid of [readLabInfo(dir)?.supervisorPid, fromFile]) {
    if (!pid || !alive(pid)) continue;
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    if (cmd.some((a) => a.endsWith("supervisor.js")) && cmd.includes(dir)) return pid;
  }
  return undefined;
}

/**
 * An sshd listener of one of this lab's nodes. OpenSSH >= 9.x retitles its listener ("sshd: /usr/sbin/sshd
 * -D ... [listener] 0 of 10-100 startups"), so the command line may not start with the binary's path: a
 * listener missed here outlives `lab down` and holds its node's address.
 */
export function isNodeSshd(cmdline: string, realDir: string): boolean {
  return /^(?:sshd: )?\/usr\/sbin\/sshd /.test(cmdline) && cmdline.includes(` -f ${realDir}/nodes/`);
}

/** Processes the lab started: anything chrooted into the lab, and sshd listeners using a node config. */
function labProcesses(realDir: string, procs: ProcInfo[] = listProcs()): number[] {
  const rooted = procsRootedUnder(realDir, procs).map((p) => p.pid);
  const sshd = procs.filter((p) => isNodeSshd(p.cmdline, realDir)).map((p) => p.pid);
  return [...new Set([...rooted, ...sshd])].filter((pid) => pid !== process.pid);
}

export async function labDown(dir: string = DEFAULT_LAB_DIR, opts: { keepDir?: boolean } = {}): Promise<void> {
  if (!existsSync(dir)) return;
  const realDir = realpathSync(dir);
  const sup = supervisorPid(dir);
  if (sup) {
    killAll([sup], "SIGTERM");
    if (!(await waitGone([sup], 10_000))) {
      killAll([sup], "SIGKILL");
      await waitGone([sup], 2000);
    }
  }
  for (let round = 0; round < 10; round++) {
    const left = labProcesses(realDir);
    if (left.length === 0) break;
    killAll(left, "SIGKILL");
    await waitGone(left, 1000);
  }
  const stuck = await unmountUnder(realDir);
  if (stuck.length > 0) throw new LabError(`lab down: still mounted: ${stuck.join(", ")}; not removing ${dir}`);
  if (!opts.keepDir) rmSync(dir, { recursive: true, force: true });
}

export interface NodeStatus {
  name: string;
  os: NodeOs;
  ip: string;
  port: number;
  pid: number | null;
  state: NodeRunState | "stopped";
  up: boolean;
  faults: Fault[];
  boots: number;
}

export interface LabStatus {
  dir: string;
  supervisorPid: number | null;
  nodes: NodeStatus[];
}

export function labStatus(dir: string = DEFAULT_LAB_DIR): LabStatus {
  const info = readLabInfo(dir);
  if (!info) throw new LabError(`lab: no lab in ${dir} (no lab.json); run \`remedy lab up\``);
  const sup = supervisorPid(dir) ?? null;
  const state = sup ? readSupervisorState(dir) : undefined;
  return {
    dir,
    supervisorPid: sup,
    nodes: info.nodes.map((n) => {
      const s = state?.nodes[n.name];
      const faultsFile = nodePaths(dir, n.name).faults;
      const faults = existsSync(faultsFile) ? parseFaultLines(readFileSync(faultsFile, "utf8")) : [];
      const pid = s?.sshdPid && alive(s.sshdPid) ? s.sshdPid : null;
      return { name: n.name, os: n.os, ip: n.ip, port: n.port, pid, state: s?.state ?? "stopped", up: s?.state === "up" && pid !== null, faults, boots: s?.boots ?? 0 };
    }),
  };
}

/** Mounts and chrooted processes still under dir (for checks after lab down). */
export function labLeftovers(dir: string): { mounts: string[]; pids: number[] } {
  const real = existsSync(dir) ? realpathSync(dir) : dir;
  return { mounts: mountsUnder(real), pids: labProcesses(real) };
}

export { interpretFaults };
