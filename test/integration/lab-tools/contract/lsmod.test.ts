// lsmod: kmod's real lsmod, run in a throwaway root whose /proc/modules lists the modules the simulator shows
// (same names, sizes and use counts), must print byte for byte what the simulator prints.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeFactory, type TestNode } from "../node-root.js";
import { host, requireTool } from "./contract.js";

let factory: NodeFactory;
let el7: TestNode;
let root: string;

beforeAll(async () => {
  requireTool("kmod", "kmod");
  root = mkdtempSync(join(tmpdir(), "remedy-ct-lsmod-"));
  const kmod = execFileSync("bash", ["-c", "readlink -f $(command -v kmod)"], { encoding: "utf8" }).trim();
  const libs = execFileSync("ldd", [kmod], { encoding: "utf8" }).split("\n").map((l) => /(\/\S+) \(0x/.exec(l)?.[1]).filter((x): x is string => !!x);
  for (const f of [kmod, ...libs]) {
    mkdirSync(join(root, dirname(f)), { recursive: true });
    copyFileSync(f, join(root, f));
  }
  mkdirSync(join(root, "lib64"), { recursive: true });
  copyFileSync("/lib64/ld-linux-x86-64.so.2", join(root, "lib64/ld-linux-x86-64.so.2"));
  factory = new NodeFactory();
  el7 = await factory.node("el7");
});
afterAll(async () => {
  if (root) rmSync(root, { recursive: true, force: true });
  await factory?.close();
});

describe("lsmod contract", () => {
  it("header and rows as kmod prints them", async () => {
    const sim = await el7.run("lsmod");
    expect(sim.code).toBe(0);
    const rows = sim.stdout.trimEnd().split("\n").slice(1).map((l) => l.split(/\s+/));
    expect(rows.length).toBeGreaterThan(0);
    mkdirSync(join(root, "proc"), { recursive: true });
    writeFileSync(join(root, "proc/modules"), rows.map(([m, size, used]) => `${m} ${size} ${used} - Live 0x0000000000000000\n`).join(""));
    // libkmod reads size, use count and holders from sysfs
    for (const [m, size, used] of rows) {
      mkdirSync(join(root, "sys/module", m!, "holders"), { recursive: true });
      writeFileSync(join(root, "sys/module", m!, "coresize"), `${size}\n`);
      writeFileSync(join(root, "sys/module", m!, "refcnt"), `${used}\n`);
      writeFileSync(join(root, "sys/module", m!, "initstate"), "live\n");
    }
    const kmod = execFileSync("bash", ["-c", "readlink -f $(command -v kmod)"], { encoding: "utf8" }).trim();
    const real = await host(`chroot ${root} ${kmod} list`);
    expect(real.stderr).toBe("");
    expect(sim.stdout).toBe(real.stdout);
  });
});
