// Mount bookkeeping from /proc/self/mountinfo: what is mounted under a lab path, and taking it down.
import { readFileSync } from "node:fs";
import { run, runSync } from "./run.js";

/** Mount points (decoded) as listed in a mountinfo text, in listing order. */
export function parseMountPoints(mountinfo: string): string[] {
  return mountinfo
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((p): p is string => p !== undefined && p !== "")
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))));
}

/** Mount points at or below `dir`, deepest first (the order to unmount them in). */
export function mountsUnder(dir: string, mountinfo = readFileSync("/proc/self/mountinfo", "utf8")): string[] {
  const prefix = dir.endsWith("/") ? dir : dir + "/";
  const hits = parseMountPoints(mountinfo).filter((p) => p === dir || p.startsWith(prefix));
  // Reverse listing order first (later mounts stack on earlier ones), then deepest path first.
  return [...new Set(hits.reverse())].sort((a, b) => b.split("/").length - a.split("/").length);
}

/** Unmounts everything at or below dir; a busy mount is detached lazily. Returns what is still mounted. */
export async function unmountUnder(dir: string): Promise<string[]> {
  for (let round = 0; round < 5; round++) {
    const list = mountsUnder(dir);
    if (list.length === 0) return [];
    for (const mp of list) {
      const r = await run("umount", [mp]);
      if (r.code !== 0) await run("umount", ["-l", mp]);
    }
  }
  return mountsUnder(dir);
}

export function unmountUnderSync(dir: string): string[] {
  for (let round = 0; round < 5; round++) {
    const list = mountsUnder(dir);
    if (list.length === 0) return [];
    for (const mp of list) if (runSync("umount", [mp]).code !== 0) runSync("umount", ["-l", mp]);
  }
  return mountsUnder(dir);
}
