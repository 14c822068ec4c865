// sysctl: Debian's procps 4.0.2 on this machine's real /proc/sys against the lab's sysctl (EL9 node: the same
// binary behind tools/sysctl). Writes use a value the kernel refuses, so nothing on this machine changes.
// Version delta by source (procps-ng v3.3.17 sysctl.c WriteSetting): EL9's sysctl reports the kernel's EINVAL only
// at the flush and exits 0; Debian's 4.0.2 exits 1. Same message, same stream.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeFactory, type TestNode } from "../node-root.js";
import { host, requireTool, sameBehaviour } from "./contract.js";

let factory: NodeFactory;
let el9: TestNode;

beforeAll(async () => {
  requireTool("sysctl", "procps");
  factory = new NodeFactory();
  el9 = await factory.node("el9");
});
afterAll(async () => {
  await factory?.close();
});
const both = async (cmd: string) => ({ real: await host(cmd), sim: await el9.run(cmd) });

describe("sysctl contract", () => {
  it("a non-number for an integer key: the kernel's Invalid argument on stderr, nothing on stdout", async () => {
    const { real, sim } = await both("sysctl -w fs.pipe-user-pages-soft=abc");
    expect({ out: sim.stdout, err: sim.stderr }).toEqual({ out: real.stdout, err: real.stderr });
    expect(real.code).toBe(1); // procps 4.0.2
    expect(sim.code).toBe(0); // procps-ng 3.3.17 (EL9)
    expect((await el9.run("cat /proc/sys/fs/pipe-user-pages-soft")).stdout).toBe("16384\n");
  });

  it("an unknown key", async () => {
    const { real, sim } = await both("sysctl nosuch.key");
    sameBehaviour("unknown key", real, sim);
  });

  it("-n of an integer key", async () => {
    const { real, sim } = await both("sysctl -n fs.pipe-user-pages-soft");
    expect(sim.code).toBe(real.code);
    for (const r of [real, sim]) expect(r.stdout).toMatch(/^\d+\n$/);
  });

  it("-a terminates, one `key = value` line per key", async () => {
    const { real, sim } = await both("timeout 20 sysctl -a 2>/dev/null");
    expect(sim.code).toBe(real.code);
    for (const r of [real, sim]) {
      expect(r.stdout).toMatch(/^fs\.pipe-user-pages-soft = \d+$/m);
      expect(r.stdout.split("\n").filter((l) => l.startsWith("fs.pipe-user-pages-soft = "))).toHaveLength(1);
    }
  });
});
