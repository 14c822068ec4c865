// rpm: Debian's rpm 4.18 on an empty private database against the lab's rpm (EL7 node). Debian's rpm prints two
// extra lines of its own ("rpm: RPM should not be used directly ...") for -e/-i; they are dropped.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeFactory, type TestNode } from "../node-root.js";
import { host, requireTool, sameBehaviour } from "./contract.js";

let factory: NodeFactory;
let el7: TestNode;
let db: string;

beforeAll(async () => {
  requireTool("rpm", "rpm");
  db = mkdtempSync(join(tmpdir(), "remedy-ct-rpmdb-"));
  const r = await host(`rpm --dbpath ${db} --initdb`);
  if (r.code !== 0) throw new Error(r.stderr);
  factory = new NodeFactory();
  el7 = await factory.node("el7");
});
afterAll(async () => {
  if (db) rmSync(db, { recursive: true, force: true });
  await factory?.close();
});

const debianNote = (s: string) => s.split("\n").filter((l) => !/^rpm: (RPM should not be used directly|However assuming you know)/.test(l)).join("\n");
const both = async (args: string) => ({ real: await host(`rpm --dbpath ${db} ${args}`), sim: await el7.run(`rpm ${args}`) });

describe("rpm contract", () => {
  for (const [what, args] of [
    ["-q of two missing packages exits 2", "-q nosuch-a nosuch-b"],
    ["-q of one missing package", "-q nosuch-a"],
    ["-qf of a missing file: error on stderr", "-qf /nonexist"],
    ["-e of a missing package: error on stderr", "-e nosuch"],
    ["-q without arguments", "-q"],
  ] as const) {
    it(what, async () => {
      const { real, sim } = await both(args);
      sameBehaviour(what, real, sim, debianNote);
    });
  }

  it("--version", async () => {
    const { real, sim } = await both("--version");
    expect(sim.code).toBe(real.code);
    for (const r of [real, sim]) expect(r.stdout).toMatch(/^RPM version \d+\.\d+(\.\d+)*\n$/);
  });
});
