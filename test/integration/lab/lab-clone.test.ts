// Nodes copied from a booted template (clone.ts) must be exactly what lab-init makes for them, with their own identity.
import { lstatSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomTokens } from "../../../src/lab/clone.js";
import { createNodeRoot, destroyNodeRoot } from "../../../src/lab/rootfs.js";
import { startLab, type TestLab } from "../../helpers/lab.js";

/** Every entry of a node root (not /dev, not the base mount) with type, mode and content, random values and clock times masked. */
function snapshot(root: string): Map<string, string> {
  const tokens = randomTokens(root);
  const mask = (s: string) =>
    tokens
      .reduce((acc, t, i) => acc.split(t).join(`<random${i}>`), s)
      .replace(/^\w{3} \d\d \d\d:\d\d:\d\d /gm, "<time> ")
      .replace(/^(\S+) 1\d{9}$/gm, "$1 <epoch>"); // epoch times in text files
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      // not state: the boot clock and the log of tools used since (this file's other test runs hostname)
      if (p === "dev" || p === "opt/lab/base" || p === "run/lab/boot-epoch" || p === ".lab/invocations.log") continue;
      const abs = join(root, p);
      const mode = (lstatSync(abs).mode & 0o7777).toString(8);
      if (e.isDirectory()) {
        out.set(mask(p), `dir ${mode}`);
        walk(p);
      } else if (e.isSymbolicLink()) out.set(mask(p), `link ${mask(readlinkSync(abs))}`);
      else out.set(mask(p), `file ${mode} ${mask(readFileSync(abs, "latin1"))}`);
    }
  };
  walk("");
  return out;
}

describe("lab node copies", () => {
  let lab: TestLab;
  beforeAll(async () => {
    lab = await startLab({ el7: 3, el9: 3 });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("every node has its own identity (machine id, boot id, MAC, connection UUID, hostname, address)", async () => {
    const ids = await Promise.all(
      lab.nodes.map(async (n) => (await lab.exec(n.name, "cat /etc/machine-id /proc/sys/kernel/random/boot_id /var/lib/lab/net /etc/hostname")).stdout),
    );
    for (const [i, n] of lab.nodes.entries()) {
      const [mid, boot, net, host] = ids[i]!.trim().split("\n");
      expect(host).toBe(n.name);
      expect(net).toContain(` ${n.ip}/24 `);
      for (const [j, other] of ids.entries()) {
        if (j === i) continue;
        expect(other).not.toContain(mid);
        expect(other).not.toContain(boot);
        expect(other).not.toContain(net!.split(" ")[1]);
      }
    }
    for (const n of lab.nodes) expect((await lab.ssh(n.name, "hostname")).stdout.trim()).toBe(n.name);
  });

  // every node: the 01 nodes are the templates, booted by lab-init or copied from the machine's cached templates
  // (template-cache.ts) when an earlier lab booted them from the same tools and packages
  it("a copied node equals a node lab-init made for the same name and address", { timeout: 120_000 }, async () => {
    for (const n of lab.nodes) {
      const fresh = `fresh-${n.name}`;
      try {
        const made = await createNodeRoot(lab.dir, { name: fresh, os: n.os, ip: n.ip, hostname: n.name });
        expect(made.initLog).toContain("ready");
        const [copy, init] = [snapshot(n.root), snapshot(made.root)];
        expect(copy.size).toBeGreaterThan(200);
        expect(Object.fromEntries(copy), n.name).toEqual(Object.fromEntries(init));
      } finally {
        await destroyNodeRoot(lab.dir, fresh);
      }
    }
  });
});
