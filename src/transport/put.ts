// Atomic file upload shared by the SSH and local transports: probe → (skip if identical) → upload to a
// temp file beside the destination → verify sha256 there → chown/chmod → backup (hard link) → rename.
// The destination is never missing or half-written; the temp file never survives a failure.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { posix } from "node:path";
import type { Readable } from "node:stream";
import { TransportError } from "../errors.js";
import { shellQuote } from "./quote.js";
import type { ExecResult, PutOptions, PutResult } from "./transport.js";

export type PutSource = Buffer | { localPath: string };

export interface PutBackend {
  host: string;
  /** run a /bin/sh command on the target (as the become user when become is true) */
  run(command: string, opts: { become: boolean; stdin?: Buffer | Readable }): Promise<ExecResult>;
  /** write the source to tmp with mode 0600 and fsync it; may throw plain errors (mapped by the caller) */
  upload(tmp: string, source: PutSource, become: boolean): Promise<void>;
}

export interface RemoteFileState {
  kind: "nodir" | "absent" | "notfile" | "file";
  sha256?: string;
  mode?: number;
  uid?: string;
  gid?: string;
  user?: string;
  group?: string;
}

export async function hashSource(source: PutSource): Promise<{ sha256: string; bytes: number }> {
  if (Buffer.isBuffer(source)) return { sha256: createHash("sha256").update(source).digest("hex"), bytes: source.length };
  const h = createHash("sha256");
  for await (const chunk of createReadStream(source.localPath)) h.update(chunk as Buffer);
  return { sha256: h.digest("hex"), bytes: (await stat(source.localPath)).size };
}

export function probeScript(dest: string): string {
  const d = shellQuote(posix.dirname(dest));
  const p = shellQuote(dest);
  return (
    `d=${d}; p=${p}; [ -d "$d" ] || { echo nodir; exit 0; }; ` +
    // temp files of an earlier upload that was killed halfway (the run lock keeps two runs off one file)
    `rm -f -- "$d"/${shellQuote(`.${posix.basename(dest)}.remedy-tmp-`)}* 2>/dev/null; ` +
    `if [ -f "$p" ]; then s=$(sha256sum < "$p") || exit 1; echo "file \${s%% *} $(stat -c '%a %u %g %U %G' -- "$p")"; ` +
    `elif [ -e "$p" ]; then echo notfile; else echo absent; fi`
  );
}

export function parseProbe(stdout: string): RemoteFileState | undefined {
  const line = stdout.trim().split("\n").pop() ?? "";
  if (line === "nodir" || line === "absent" || line === "notfile") return { kind: line };
  const m = /^file ([0-9a-f]{64}) ([0-7]+) (\d+) (\d+) (\S+) (\S+)$/.exec(line);
  if (!m) return undefined;
  return { kind: "file", sha256: m[1], mode: parseInt(m[2]!, 8), uid: m[3], gid: m[4], user: m[5], group: m[6] };
}

/** Nothing to write: same content, and mode/owner/group already as asked. */
export function isUnchanged(state: RemoteFileState, sha256: string, opts: PutOptions): boolean {
  if (state.kind !== "file" || state.sha256 !== sha256) return false;
  if (opts.mode !== undefined && state.mode !== opts.mode) return false;
  if (opts.owner !== undefined && opts.owner !== state.user && opts.owner !== state.uid) return false;
  if (opts.group !== undefined && opts.group !== state.group && opts.group !== state.gid) return false;
  return true;
}

export function backupStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

/** Verify, set ownership and mode (keeping the replaced file's when not asked), back up, rename. */
export function finalizeScript(tmp: string, dest: string, sha256: string, state: RemoteFileState, opts: PutOptions, now: Date): string {
  const t = shellQuote(tmp);
  const p = shellQuote(dest);
  const mode = opts.mode ?? state.mode ?? 0o644;
  const owner = opts.owner ?? state.uid;
  const group = opts.group ?? state.gid;
  const lines = [
    "set -e",
    `t=${t}; p=${p}`,
    `s=$(sha256sum < "$t"); s=\${s%% *}`,
    `if [ "$s" != ${sha256} ]; then echo "checksum mismatch after upload: got $s, expected ${sha256}" >&2; exit 91; fi`,
  ];
  if (owner !== undefined || group !== undefined) lines.push(`chown -- ${shellQuote(`${owner ?? ""}${group !== undefined ? ":" + group : ""}`)} "$t"`);
  lines.push(`chmod ${mode.toString(8).padStart(4, "0")} -- "$t"`);
  if (opts.backup && state.kind === "file") {
    const b = shellQuote(`${dest}.remedy-bak-${backupStamp(now)}`);
    lines.push(`b=${b}; n=0; while [ -e "$b" ]; do n=$((n+1)); b=${b}.$n; done`);
    lines.push(`ln -- "$p" "$b" 2>/dev/null || cp -p -- "$p" "$b"`);
    lines.push(`echo "backup $b"`);
  }
  lines.push(`mv -f -- "$t" "$p"`);
  return lines.join("\n");
}

/** A transfer failure as a TransportError naming host, path and cause. */
export function transferError(host: string, path: string, cause: unknown, diskFull = false): TransportError {
  const text = cause instanceof Error ? cause.message : String(cause);
  const code = (cause as { code?: unknown } | null)?.code;
  let msg: string;
  if (diskFull || /No space left|ENOSPC/i.test(text)) msg = `no space left on device on ${host} writing ${path}`;
  else if (/Permission denied|EACCES|EPERM|Operation not permitted/i.test(text) || code === 3)
    msg = `permission denied on ${host} writing ${path} (${text.trim()}); use become or fix the directory's ownership`;
  else if (/Read-only file system|EROFS/i.test(text)) msg = `read-only file system on ${host} writing ${path}`;
  else msg = `cannot write ${path} on ${host}: ${text.trim()}`;
  return new TransportError(host, "sftp", msg, { cause });
}

export async function atomicPut(b: PutBackend, source: PutSource, dest: string, opts: PutOptions, now = new Date()): Promise<PutResult> {
  if (!posix.isAbsolute(dest)) throw new TransportError(b.host, "sftp", `put: remote path ${dest} on ${b.host} must be absolute`);
  const become = opts.become ?? false;
  const { sha256, bytes } = await hashSource(source).catch((e: unknown) => {
    throw new TransportError(b.host, "sftp", `put: cannot read local source for ${dest}: ${(e as Error).message}`, { cause: e });
  });
  const probe = await b.run(probeScript(dest), { become });
  const state = probe.exitCode === 0 ? parseProbe(probe.stdout) : undefined;
  if (!state) throw transferError(b.host, dest, `cannot inspect the destination: ${probe.stderr.trim() || probe.stdout.trim() || `exit ${probe.exitCode}`}`);
  if (state.kind === "nodir") throw new TransportError(b.host, "sftp", `directory ${posix.dirname(dest)} does not exist on ${b.host} (writing ${dest}); create it first`);
  if (state.kind === "notfile") throw new TransportError(b.host, "sftp", `${dest} on ${b.host} exists and is not a regular file; refusing to replace it`);
  if (isUnchanged(state, sha256, opts)) return { sha256, bytes, changed: false };

  const tmp = posix.join(posix.dirname(dest), `.${posix.basename(dest)}.remedy-tmp-${randomBytes(6).toString("hex")}`);
  const cleanup = () => b.run(`rm -f -- ${shellQuote(tmp)}`, { become }).catch(() => undefined);
  try {
    await b.upload(tmp, source, become);
  } catch (e) {
    // ask about free space before the partial temp file is removed (which frees it again)
    const full = e instanceof TransportError ? false : await diskIsFull(b, dest, become, bytes);
    await cleanup();
    if (e instanceof TransportError) throw e;
    throw transferError(b.host, dest, e, full);
  }
  const fin = await b.run(finalizeScript(tmp, dest, sha256, state, opts, now), { become }).catch(async (e: unknown) => {
    await cleanup();
    throw e;
  });
  if (fin.exitCode !== 0) {
    await cleanup();
    throw transferError(b.host, dest, fin.stderr.trim() || `finalizing exited ${fin.exitCode ?? fin.signal}`);
  }
  const backupPath = /^backup (.+)$/m.exec(fin.stdout)?.[1];
  return backupPath ? { sha256, bytes, changed: true, backupPath } : { sha256, bytes, changed: true };
}

/** SFTP reports ENOSPC as a generic failure: ask the file system. */
/** "Full" = less room left than the file needs (a partial last write can leave a few blocks free). */
async function diskIsFull(b: PutBackend, dest: string, become: boolean, bytes: number): Promise<boolean> {
  const r = await b.run(`stat -f -c '%a %S' -- ${shellQuote(posix.dirname(dest))}`, { become }).catch(() => undefined);
  const m = r && /^(\d+) (\d+)/.exec(r.stdout.trim());
  return !!m && Number(m[1]) * Number(m[2]) < bytes;
}
