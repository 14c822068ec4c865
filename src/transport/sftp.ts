// SFTP data movement for SshTransport.put/get: pipelined writes into an exclusive 0600 temp file with
// fsync@openssh.com, and streamed reads. Metadata, verification and rename are done by put.ts.
import { createReadStream } from "node:fs";
import type { Writable } from "node:stream";
import type { SFTPWrapper } from "ssh2";
import type { PutSource } from "./put.js";

const CHUNK = 32 * 1024;
const IN_FLIGHT = 16;

function call<T>(fn: (cb: (err: Error | undefined | null, v: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
}

async function* chunks(source: PutSource): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(source)) {
    for (let o = 0; o < source.length; o += CHUNK) yield source.subarray(o, Math.min(o + CHUNK, source.length));
    return;
  }
  for await (const c of createReadStream(source.localPath, { highWaterMark: CHUNK })) yield c as Buffer;
}

function hasFsync(sftp: SFTPWrapper): boolean {
  const ext = (sftp as unknown as { _extensions?: Record<string, string> })._extensions;
  return !!ext && ext["fsync@openssh.com"] === "1";
}

/** Writes source to path, created exclusively with mode 0600, fsynced when the server supports it. */
export async function sftpUpload(sftp: SFTPWrapper, path: string, source: PutSource): Promise<void> {
  const handle = await call<Buffer>((cb) => sftp.open(path, "wx", { mode: 0o600 }, cb));
  let failure: unknown;
  try {
    const pending = new Set<Promise<void>>();
    let writeError: unknown;
    let offset = 0;
    for await (const chunk of chunks(source)) {
      const at = offset;
      offset += chunk.length;
      const p: Promise<void> = call<void>((cb) => sftp.write(handle, chunk, 0, chunk.length, at, cb as never))
        .catch((e: unknown) => void (writeError ??= e))
        .finally(() => pending.delete(p));
      pending.add(p);
      if (pending.size >= IN_FLIGHT) await Promise.race(pending);
      if (writeError) break;
    }
    await Promise.all(pending);
    if (writeError) throw writeError;
    if (hasFsync(sftp)) await call((cb) => sftp.ext_openssh_fsync(handle, cb));
  } catch (e) {
    failure = e;
  }
  try {
    await call<void>((cb) => sftp.close(handle, cb as never));
  } catch (e) {
    failure ??= e; // close can report a delayed write error
  }
  if (failure) throw failure;
}

/** Streams the remote file into `out` (which the caller owns and ends). */
export function sftpDownload(sftp: SFTPWrapper, path: string, out: Writable, onChunk: (c: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const rs = sftp.createReadStream(path);
    rs.on("error", reject);
    rs.on("data", (c: Buffer) => {
      onChunk(c);
      if (!out.write(c)) {
        rs.pause();
        out.once("drain", () => rs.resume());
      }
    });
    rs.on("end", () => resolve());
  });
}
