// Runs every tool fixture (test/fixtures/lab-tools/<tool>/*.json) inside a fresh node root via chroot.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFixtures, mismatch } from "./fixtures.js";
import { NodeFactory } from "./node-root.js";

const fixtures = loadFixtures();
let factory: NodeFactory;

beforeAll(() => {
  factory = new NodeFactory();
});
afterAll(async () => {
  await factory?.close();
});

describe("lab tool fixtures", () => {
  it("has fixtures for the simulated tools", () => {
    const tools = new Set(fixtures.map((f) => f.file.split("/")[0]));
    for (const t of ["uname", "rpm", "yum", "grubby", "grub2", "ethtool", "kpatch", "kpatch-build", "systemctl", "docker", "cat", "nmcli", "kubectl", "journalctl", "make", "reboot"]) {
      expect(tools, `fixture dir ${t}`).toContain(t);
    }
  });

  for (const fx of fixtures) {
    it(`${fx.file}: ${fx.description ?? fx.command}`, async () => {
      const node = await factory.node(fx.personality);
      for (const cmd of fx.setup ?? []) {
        const r = await node.run(cmd);
        expect(r.code, `setup "${cmd}" failed: ${r.stderr}${r.stdout}`).toBe(0);
      }
      const r = await node.run(fx.command);
      const problems = [
        mismatch("stdout", fx.stdout, r.stdout),
        mismatch("stderr", fx.stderr, r.stderr),
        r.code === fx.exit ? undefined : `exit: expected ${fx.exit}, got ${r.code} (stderr ${JSON.stringify(r.stderr)})`,
      ].filter(Boolean);
      expect(problems).toEqual([]);
    });
  }
});
