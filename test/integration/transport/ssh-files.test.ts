import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TransportError } from "../../../src/errors.js";
import { SshTransport } from "../../../src/transport/ssh.js";
import { LocalTransport } from "../../../src/transport/local.js";
import type { Transport } from "../../../src/transport/transport.js";
import { startSshd, type SshdCluster } from "../../helpers/sshd.js";

let sshd: SshdCluster;
let noSftp: SshdCluster;
let work: string;
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

beforeAll(async () => {
  [sshd, noSftp] = await Promise.all([startSshd({ count: 1 }), startSshd({ count: 1, sftp: false })]);
  work = mkdtempSync(join(tmpdir(), "remedy-files-"));
});
afterAll(async () => {
  await Promise.all([sshd?.stop(), noSftp?.stop()]);
  rmSync(work, { recursive: true, force: true });
});

const kinds: Array<[string, () => Transport]> = [
  ["ssh+sftp", () => new SshTransport(sshd.spec(0))],
  ["ssh without sftp subsystem", () => new SshTransport(noSftp.spec(0))],
  ["ssh forced exec", () => new SshTransport(sshd.spec(0), { transfer: "exec" })],
  ["local", () => new LocalTransport("localhost")],
];

describe.each(kinds)("put/get over %s", (_label, make) => {
  let t: Transport;
  let dir: string;
  beforeAll(async () => {
    t = make();
    await t.connect();
    dir = mkdtempSync(join(work, "d-"));
  });
  afterAll(() => t.close());

  const leftovers = () => readdirSync(dir).filter((f) => f.includes("remedy-tmp"));

  it("round-trips with sha256, mode, owner and a backup of the replaced file", async () => {
    const dest = join(dir, "app.conf");
    writeFileSync(dest, "old\n");
    const body = Buffer.from("new contents\nwith 'quotes' and $(subst)\n");
    const r = await t.put(body, dest, { mode: 0o640, owner: "root", group: "root", backup: true });
    expect(r).toMatchObject({ sha256: sha(body), bytes: body.length, changed: true });
    expect(readFileSync(dest)).toEqual(body);
    expect(statSync(dest).mode & 0o7777).toBe(0o640);
    expect(r.backupPath).toMatch(new RegExp(`^${dest.replace(/[/.]/g, "\\$&")}\\.remedy-bak-\\d{8}T\\d{6}Z$`));
    expect(readFileSync(r.backupPath!, "utf8")).toBe("old\n");
    expect(leftovers()).toEqual([]);

    const again = await t.put(body, dest, { mode: 0o640, backup: true });
    expect(again).toEqual({ sha256: sha(body), bytes: body.length, changed: false });

    const local = join(work, `got-${Math.random()}`);
    const g = await t.get(dest, local);
    expect(g).toEqual({ sha256: sha(body), bytes: body.length });
    expect(readFileSync(local)).toEqual(body);
  });

  it("keeps the existing mode when none is asked, and changes only the mode when content is equal", async () => {
    const dest = join(dir, "keep.sh");
    writeFileSync(dest, "x", { mode: 0o755 });
    await t.put(Buffer.from("y"), dest);
    expect(statSync(dest).mode & 0o7777).toBe(0o755);
    const r = await t.put(Buffer.from("y"), dest, { mode: 0o700 });
    expect(r.changed).toBe(true);
    expect(statSync(dest).mode & 0o7777).toBe(0o700);
  });

  it("uploads 20 MB from a local file", async () => {
    const src = join(work, `big-${Math.random()}`);
    const data = randomBytes(20 * 1024 * 1024);
    writeFileSync(src, data);
    const dest = join(dir, "big.bin");
    const r = await t.put({ localPath: src }, dest, { mode: 0o600 });
    expect(r).toMatchObject({ sha256: sha(data), bytes: data.length, changed: true });
    expect(sha(readFileSync(dest))).toBe(sha(data));
    expect(leftovers()).toEqual([]);
  });

  it("fails clearly when the destination directory is missing, leaving no temp file", async () => {
    const dest = join(dir, "missing", "x.conf");
    const e = await t.put(Buffer.from("x"), dest).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TransportError);
    expect((e as TransportError).kind).toBe("sftp");
    expect((e as TransportError).message).toContain(`directory ${join(dir, "missing")} does not exist`);
    expect(leftovers()).toEqual([]);
  });

  it("refuses to replace something that is not a regular file", async () => {
    const sub = join(dir, "sub");
    mkdirSync(sub);
    const dest = join(sub, "target");
    mkdirSync(dest);
    const e = await t.put(Buffer.from("x"), dest).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TransportError);
    expect((e as TransportError).message).toContain(`${dest} on ${t.host} exists and is not a regular file`);
    expect(readdirSync(sub)).toEqual(["target"]);
  });

  it("says 'no space left' on a full disk and removes the temp file", async () => {
    const mnt = join(dir, "full");
    mkdirSync(mnt);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt]);
    try {
      const dest = join(mnt, "big.bin");
      writeFileSync(dest, "old");
      const e = await t.put(randomBytes(1024 * 1024), dest).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(TransportError);
      expect((e as TransportError).kind).toBe("sftp");
      expect((e as TransportError).message).toBe(`no space left on device on ${t.host} writing ${dest}`);
      expect(readdirSync(mnt)).toEqual(["big.bin"]);
      expect(readFileSync(dest, "utf8")).toBe("old");
    } finally {
      execFileSync("umount", [mnt]);
    }
  });

  it("get of a missing file is a TransportError naming the path", async () => {
    const e = await t.get(join(dir, "nope"), join(work, "nope")).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TransportError);
    expect((e as TransportError).message).toContain(join(dir, "nope"));
    expect(existsSync(join(work, "nope"))).toBe(false);
  });
});
