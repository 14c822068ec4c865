// grub2-editenv: Debian's grub-editenv 2.06 (grub-common) on files in a temp dir, against the EL9 simulator on the
// same relative paths in /root of a node. The program name differs (grub-editenv vs grub2-editenv) and is normalised.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeFactory, type TestNode } from "../node-root.js";
import { host, requireTool, sameBehaviour } from "./contract.js";

let factory: NodeFactory;
let el9: TestNode;
let dir: string;

beforeAll(async () => {
  requireTool("grub-editenv", "grub-common");
  dir = mkdtempSync(join(tmpdir(), "remedy-ct-grubenv-"));
  factory = new NodeFactory();
  el9 = await factory.node("el9");
});
afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await factory?.close();
});

const norm = (s: string) => s.replace(/grub2?-editenv/g, "EDITENV");
async function both(tail: string) {
  const real = await host(`grub-editenv ${tail}`.replace(/@/g, `${dir}/`), { cwd: dir });
  const sim = await el9.run(`cd /root && grub2-editenv ${tail}`.replace(/@/g, "/root/"));
  return { real, sim };
}

describe("grub-editenv contract", () => {
  it("list on a missing file creates a 1024-byte block with the WARNING line, rc 0", async () => {
    const { real, sim } = await both("@a.env list");
    sameBehaviour("list missing", real, sim, norm);
    const realFile = readFileSync(join(dir, "a.env"), "latin1");
    const simFile = (await el9.run("cat /root/a.env")).stdout;
    expect(simFile.length).toBe(realFile.length);
    expect(simFile.split("\n").slice(0, 2)).toEqual(realFile.split("\n").slice(0, 2));
  });

  it("set then list", async () => {
    await both("@b.env set saved_entry=abc boot_success=0");
    const { real, sim } = await both("@b.env list");
    sameBehaviour("set + list", real, sim, norm);
    expect(real.stdout).toBe("saved_entry=abc\nboot_success=0\n");
    const realFile = readFileSync(join(dir, "b.env"), "latin1");
    expect((await el9.run("cat /root/b.env")).stdout).toBe(realFile);
  });

  it("unset of a missing key, then list", async () => {
    await both("@c.env set k=v");
    const u = await both("@c.env unset nosuch");
    sameBehaviour("unset missing", u.real, u.sim, norm);
    const { real, sim } = await both("@c.env list");
    sameBehaviour("list after unset", real, sim, norm);
  });

  for (const [what, tail] of [
    ["unknown command", "@d.env bogus"],
    ["set without =", "@d.env set noequals"],
    ["a file in a missing directory", "nodir/e.env list"],
    ["a single word is a command", "@f.env"],
  ] as const) {
    it(what, async () => {
      const { real, sim } = await both(tail);
      sameBehaviour(what, real, sim, (s) => norm(s).replace(/\/root\/|[^ `']*remedy-ct-grubenv-[^/]*\//g, "DIR/"));
    });
  }

  it("no command: rc 64, message on stderr", async () => {
    const real = await host("grub-editenv");
    const sim = await el9.run("grub2-editenv");
    expect({ exit: sim.code, out: sim.stdout, first: norm(sim.stderr).split("\n")[0] }).toEqual({ exit: real.code, out: real.stdout, first: norm(real.stderr).split("\n")[0] });
  });
});
