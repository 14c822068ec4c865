// Finding and killing the lab's processes via /proc: by chroot root and by parentage. Never by name.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface ProcInfo {
  pid: number;
  ppid: number;
  root: string | null;
  cmdline: string;
}

export function listProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      let root: string | null = null;
      try {
        root = readlinkSync(`/proc/${pid}/root`);
      } catch {
        root = null;
      }
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      out.push({ pid, ppid, root, cmdline });
    } catch {
      // exited while scanning
    }
  }
  return out;
}

const under = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith("/") ? dir : dir + "/");

/** Processes whose root directory is at or below `dir` (i.e. running inside a node chroot). */
export function procsRootedUnder(dir: string, procs = listProcs()): ProcInfo[] {
  return procs.filter((p) => p.root !== null && p.root !== "/" && under(p.root.replace(/ \(deleted\)$/, ""), dir));
}

/** pid and all its descendants. */
export function descendants(pid: number, procs = listProcs()): number[] {
  const children = new Map<number, number[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

export function killAll(pids: Iterable<number>, signal: NodeJS.Signals = "SIGKILL"): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Polls until none of pids is alive or the deadline passes; true when all are gone. */
export async function waitGone(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (!pids.some(alive)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return !pids.some(alive);
}
