// Transfer acceptance over real sshd (the transport's put: temp file + fsync + sha256 check + rename).
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, type TestLab } from "../../helpers/lab.js";
import { TRANSPORT_READY } from "./cli-io.js";
import type { Transport } from "../../../src/transport/transport.js";
import type { Connector } from "../../../src/engine/connector.js";
import { sleep } from "../../helpers/wait.js";

const MB = 1024 * 1024;

async function randomFile(path: string, bytes: number): Promise<string> {
  const h = createHash("sha256");
  const out = createWriteStream(path);
  for (let left = bytes; left > 0; ) {
    const chunk = randomBytes(Math.min(left, 4 * MB));
    h.update(chunk);
    left -= chunk.length;
    if (!out.write(chunk)) await new Promise((r) => out.once("drain", r));
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return h.digest("hex");
}

describe.skipIf(!TRANSPORT_READY)("transfer acceptance (SFTP put) on the lab", () => {
  let lab: TestLab;
  let local: string;
  let big: string;
  let bigSha: string;
  let connector: Connector & { closeAll(): Promise<void> };
  let makeConnector: () => Promise<Connector>;

  beforeAll(async () => {
    local = mkdtempSync(join(tmpdir(), "remedy-transfer-"));
    big = join(local, "big.bin");
    bigSha = await randomFile(big, 100 * MB);
    lab = await startLab({ el7: 3, el9: 0 });
    const { loadInventory } = await import("../../../src/inventory/index.js");
    const { InventoryConnector } = await import("../../../src/cli/connect.js");
    const inv = await loadInventory(lab.inventoryPath);
    makeConnector = async () => new InventoryConnector(inv, { knownHosts: lab.knownHostsPath });
    connector = (await makeConnector()) as Connector & { closeAll(): Promise<void> };
  }, 180_000);
  afterAll(async () => {
    await connector?.closeAll();
    await lab?.stop();
    rmSync(local, { recursive: true, force: true });
  });

  const sha256On = async (node: string, path: string) => (await lab.exec(node, `sha256sum ${path}`)).stdout.split(" ")[0];
  const dirOf = (node: string, dir: string) => readdirSync(join(lab.node(node).root, dir)).sort();

  it("a 100 MB upload arrives with a matching sha256, mode and owner", async () => {
    await lab.exec("el7-node01", "mkdir -p /var/lib/remedy");
    const t: Transport = await connector.get("el7-node01");
    const r = await t.put({ localPath: big }, "/var/lib/remedy/big.bin", { mode: 0o640, owner: "root" });
    expect(r.sha256).toBe(bigSha);
    expect(r.bytes).toBe(100 * MB);
    expect(r.changed).toBe(true);
    expect(await sha256On("el7-node01", "/var/lib/remedy/big.bin")).toBe(bigSha);
    expect((await lab.exec("el7-node01", "stat -c '%a %U' /var/lib/remedy/big.bin")).stdout.trim()).toBe("640 root");
    expect(dirOf("el7-node01", "var/lib/remedy")).toEqual(["big.bin"]);
    // the same content again: unchanged
    expect((await t.put({ localPath: big }, "/var/lib/remedy/big.bin", { mode: 0o640 })).changed).toBe(false);
  });

  it("an upload killed halfway leaves the old file intact, and the next run leaves no temp file", async () => {
    const node = "el7-node02";
    await lab.exec(node, "mkdir -p /usr/local/sbin");
    const c = await makeConnector();
    const t = await c.get(node);
    await t.put(Buffer.from("old binary\n"), "/usr/local/sbin/runc", { mode: 0o755 });
    const oldSha = await sha256On(node, "/usr/local/sbin/runc");
    const dir = join(lab.node(node).root, "usr/local/sbin");
    const upload = t.put({ localPath: big }, "/usr/local/sbin/runc", { mode: 0o755 });
    const outcome = upload.then(() => "completed", (e: Error) => e);
    // wait until a partial temp file is growing next to the destination, then drop the connection
    let partial: string | undefined;
    for (let i = 0; i < 2000 && !partial; i++) {
      partial = readdirSync(dir).find((f) => f !== "runc" && statSync(join(dir, f), { throwIfNoEntry: false })?.size);
      if (!partial) await sleep(2);
    }
    expect(partial, "no temp file appeared during the upload").toBeDefined();
    await c.closeAll();
    const result = await Promise.race([outcome, sleep(10_000).then(() => "still pending 10 s after the connection was closed")]);
    expect.soft(result, "the interrupted put must reject").toBeInstanceOf(Error);
    expect(await sha256On(node, "/usr/local/sbin/runc")).toBe(oldSha);

    // next run: a fresh connection uploads again; afterwards only the destination is there
    const c2 = await makeConnector();
    const r = await (await c2.get(node)).put({ localPath: big }, "/usr/local/sbin/runc", { mode: 0o755 });
    expect(r.sha256).toBe(bigSha);
    expect(await sha256On(node, "/usr/local/sbin/runc")).toBe(bigSha);
    expect(dirOf(node, "usr/local/sbin")).toEqual(["runc"]);
    await c2.closeAll();
  });

  it("a full disk fails with a message naming the host and the path", async () => {
    const node = "el7-node03";
    await lab.setFault(node, "disk=full");
    try {
      const c = await makeConnector();
      const t = await c.get(node);
      const err = await t.put(Buffer.from("x".repeat(1 * MB)), "/root/runc", { mode: 0o755 }).then(() => undefined, (e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err!.message).toContain(node);
      expect(err!.message).toContain("/root/runc");
      expect(err!.message).toMatch(/no space left on device|disk.*full|ENOSPC/i);
      await c.closeAll();
    } finally {
      await lab.clearFault(node, "disk");
    }
    // nothing left behind: neither the file nor a temp file
    expect((await lab.exec(node, "ls -A /root | grep -c runc || true")).stdout.trim()).toBe("0");
  });
});
