// /proc readers for the controller-side measurements: process-tree membership, RSS/PSS, CPU ticks.
// Parsers are pure (tested); readers return undefined for a process that just exited.
import { closeSync, openSync, readdirSync, readFileSync, readSync } from "node:fs";

export const CLK_TCK = 100; // USER_HZ on Linux x86_64; /proc/<pid>/stat times are in these ticks
export const PAGE_SIZE = 4096;

/** Fields of /proc/<pid>/stat we use; comm may contain spaces and parens, so split after the last ')'. */
export function parseStat(text) {
  const close = text.lastIndexOf(")");
  if (close < 0) return undefined;
  const comm = text.slice(text.indexOf("(") + 1, close);
  const f = text.slice(close + 2).split(" "); // f[0] = state (field 3)
  const num = (i) => Number(f[i - 3]);
  return {
    comm,
    ppid: num(4),
    utime: num(14),
    stime: num(15),
    cutime: num(16),
    cstime: num(17),
    starttime: num(22),
    rssPages: num(24),
  };
}

/** "Pss: 1234 kB" line of /proc/<pid>/smaps_rollup, in bytes. */
export function parsePssKb(text) {
  const m = /^Pss:\s+(\d+) kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

const buf = Buffer.alloc(4096);
/** Small /proc file read without fstat (readFileSync does one more syscall per file). */
export function readProcFile(path) {
  let fd;
  try {
    fd = openSync(path, "r");
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.toString("latin1", 0, n);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function readStat(pid) {
  const t = readProcFile(`/proc/${pid}/stat`);
  return t === undefined ? undefined : parseStat(t);
}

export function readCmdline(pid) {
  const t = readProcFile(`/proc/${pid}/cmdline`);
  return t === undefined ? "" : t.replace(/\0/g, " ").trim();
}

export function readPss(pid) {
  try {
    return parsePssKb(readFileSync(`/proc/${pid}/smaps_rollup`, "latin1"));
  } catch {
    return 0;
  }
}

export function listPids() {
  const out = [];
  for (const e of readdirSync("/proc")) {
    const c = e.charCodeAt(0);
    if (c >= 48 && c <= 57) out.push(Number(e));
  }
  return out;
}

/** CPU ms (user, sys) of the already-reaped children of this process: grows when a child tree is waited for. */
export function selfChildCpuMs() {
  const s = readStat(process.pid);
  if (!s) throw new Error("bench: cannot read /proc/self/stat (the bench needs Linux /proc)");
  return { user: (s.cutime * 1000) / CLK_TCK, sys: (s.cstime * 1000) / CLK_TCK };
}

/** CPU ms of a live process including its reaped children (e.g. an sshd listener and its sessions). */
export function treeCpuMs(pid) {
  const s = readStat(pid);
  return s ? ((s.utime + s.stime + s.cutime + s.cstime) * 1000) / CLK_TCK : 0;
}

/**
 * Tracks the processes of one measured run: descendants of root, plus detached helpers whose
 * command line contains `tag` (ssh ControlPersist masters re-parent to init but keep the control path).
 * Membership is decided once per pid (a process cannot join a tree later), so a scan only reads
 * /proc/<pid>/stat of pids it has not seen before, and statm-equivalent RSS of members.
 */
export class ProcessTree {
  constructor(rootPid, tag) {
    this.rootPid = rootPid;
    this.tag = tag;
    this.members = new Map(); // pid -> starttime
    this.outsiders = new Set();
    this.members.set(rootPid, -1);
  }

  /** Classifies new pids; returns the current member pids that are still alive. */
  scan() {
    const pids = listPids();
    const alive = new Set(pids);
    const fresh = [];
    for (const pid of pids) if (!this.members.has(pid) && !this.outsiders.has(pid)) fresh.push(pid);
    // parents have lower pids than children (no pid wrap assumed within one run): ascending order works
    fresh.sort((a, b) => a - b);
    for (const pid of fresh) {
      const s = readStat(pid);
      if (!s) continue;
      if (this.members.has(s.ppid)) this.members.set(pid, s.starttime);
      else if (this.tag && s.comm === "ssh" && readCmdline(pid).includes(this.tag)) this.members.set(pid, s.starttime);
      else this.outsiders.add(pid);
    }
    for (const pid of this.members.keys()) if (!alive.has(pid)) this.members.delete(pid);
    return [...this.members.keys()];
  }

  /** Members that are not descendants through the root any more (detached helpers still running). */
  detached() {
    return this.scan().filter((pid) => {
      if (pid === this.rootPid) return false;
      const s = readStat(pid);
      return s !== undefined && s.ppid === 1 ? true : s !== undefined && !this.members.has(s.ppid);
    });
  }
}

export function rssBytes(pids) {
  let pages = 0;
  for (const pid of pids) pages += readStat(pid)?.rssPages ?? 0;
  return pages * PAGE_SIZE;
}

export function pssBytes(pids) {
  let b = 0;
  for (const pid of pids) b += readPss(pid);
  return b;
}
