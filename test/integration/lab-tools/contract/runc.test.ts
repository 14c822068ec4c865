// runc: Debian's runc 1.1.5 (with a private --root) against the lab's generated runc (EL9 node, runc 1.1.4):
// urfave/cli exit codes and streams; logrus timestamps are normalised.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeFactory, type TestNode } from "../node-root.js";
import { host, requireTool, sameBehaviour, sameStreams } from "./contract.js";

let factory: NodeFactory;
let el9: TestNode;
let root: string;

beforeAll(async () => {
  requireTool("runc", "runc");
  root = mkdtempSync(join(tmpdir(), "remedy-ct-runc-"));
  factory = new NodeFactory();
  el9 = await factory.node("el9");
});
afterAll(async () => {
  if (root) rmSync(root, { recursive: true, force: true });
  await factory?.close();
});

const norm = (s: string) => s.replace(/time="[^"]+"/g, 'time="T"');
const both = async (args: string) => ({ real: await host(`runc --root ${root} ${args}`), sim: await el9.run(`runc --root /run/runc ${args}`) });

describe("runc contract", () => {
  for (const [what, args] of [
    ["unknown subcommand exits 3", "nosuchcmd"],
    ["state of a missing container exits 1", "state nosuch"],
    ["delete of a missing container exits 1", "delete nosuch"],
    ["list with no containers", "list"],
  ] as const) {
    it(what, async () => {
      const { real, sim } = await both(args);
      sameBehaviour(what, real, sim, norm);
    });
  }

  it("unknown global flag: usage on stdout, error on stderr, exit 1", async () => {
    const { real, sim } = await both("--nosuchflag list");
    sameStreams("unknown flag", real, sim);
    expect(norm(sim.stderr)).toBe(norm(real.stderr));
    expect(sim.stdout.split("\n").slice(0, 4)).toEqual(real.stdout.split("\n").slice(0, 4));
  });

  it("--version format", async () => {
    const real = await host("runc --version");
    const sim = await el9.run("runc --version");
    sameStreams("--version", real, sim);
    const shape = (s: string) => s.trimEnd().split("\n").map((l) => l.split(":")[0]!.replace(/ [0-9].*$/, ""));
    expect(shape(sim.stdout)).toEqual(shape(real.stdout));
  });
});
