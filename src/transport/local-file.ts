// Receiving a file on the controller: temp file beside the destination, sha256 on the fly, fsync, rename.
import { createHash, randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Writable } from "node:stream";

export type Fill = (out: Writable, onChunk: (c: Buffer) => void) => Promise<void>;

export async function receiveToLocal(localPath: string, fill: Fill): Promise<{ sha256: string; bytes: number }> {
  const tmp = join(dirname(localPath), `.${basename(localPath)}.remedy-tmp-${randomBytes(6).toString("hex")}`);
  const fh = await open(tmp, "wx", 0o600);
  const hash = createHash("sha256");
  let bytes = 0;
  try {
    // A plain Writable over the handle (a FileHandle stream would keep the handle busy and block sync()).
    const out = new Writable({
      write(chunk: Buffer, _enc, cb) {
        fh.write(chunk).then(() => cb(), cb);
      },
    });
    await fill(out, (c) => {
      hash.update(c);
      bytes += c.length;
    });
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    await fh.sync();
    await fh.chmod(0o644);
    await fh.close();
    await rename(tmp, localPath);
  } catch (e) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
  return { sha256: hash.digest("hex"), bytes };
}
