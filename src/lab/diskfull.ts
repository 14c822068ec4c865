// The disk=full fault: the node's writable dirs get an overlay whose upper layer is a tiny tmpfs
// filled to zero free bytes and inodes, so reads see the node's files and every write fails with ENOSPC.
import { existsSync, mkdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { mountsUnder, unmountUnder } from "./mounts.js";
import { run } from "./run.js";

/** Dirs (inside the node) that become full. /run, /proc, /sys, /dev, /.lab stay writable; /opt holds the base mount (an overlay would hide it). */
export const DISK_FULL_DIRS = ["etc", "var", "usr/local", "tmp", "root", "boot", "home"];

export async function mountDiskFull(root: string, tmpfsDir: string): Promise<void> {
  if (mountsUnder(tmpfsDir).length > 0) return;
  mkdirSync(tmpfsDir, { recursive: true, mode: 0o700 });
  await must("mount", ["-t", "tmpfs", "-o", "size=256k,nr_inodes=64,mode=700", "lab-diskfull", tmpfsDir]);
  const dirs = DISK_FULL_DIRS.filter((d) => existsSync(join(root, d)));
  for (const [i, d] of dirs.entries()) {
    const upper = join(tmpfsDir, String(i), "upper");
    const work = join(tmpfsDir, String(i), "work");
    mkdirSync(upper, { recursive: true });
    mkdirSync(work, { recursive: true });
    const target = realpathSync(join(root, d));
    await must("mount", ["-t", "overlay", "lab-diskfull", "-o", `lowerdir=${target},upperdir=${upper},workdir=${work}`, target]);
  }
  // Use up every inode, then every byte.
  const fill = `i=0; while : > ${tmpfsDir}/inode.$i 2>/dev/null; do i=$((i+1)); [ $i -gt 1000 ] && break; done; ` +
    `rm -f ${tmpfsDir}/inode.0; dd if=/dev/zero of=${tmpfsDir}/inode.0 bs=4k 2>/dev/null; ` +
    `: > ${tmpfsDir}/one-more 2>/dev/null && echo NOTFULL; true`;
  const r = await run("/bin/bash", ["-c", fill]);
  if (r.stdout.includes("NOTFULL")) throw new Error(`disk=full: ${tmpfsDir} still has room`);
}

export async function unmountDiskFull(root: string, tmpfsDir: string): Promise<void> {
  for (const d of DISK_FULL_DIRS) {
    const p = join(root, d);
    if (existsSync(p)) await unmountUnder(realpathSync(p)).catch(() => undefined);
  }
  if (existsSync(tmpfsDir)) await unmountUnder(realpathSync(tmpfsDir));
}

async function must(file: string, args: string[]): Promise<void> {
  const r = await run(file, args);
  if (r.code !== 0) throw new Error(`${file} ${args.join(" ")}: ${r.stderr.trim()}`);
}
