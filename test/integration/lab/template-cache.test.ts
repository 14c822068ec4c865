// A lab's templates are booted by lab-init once per machine and tools version, then copied (template-cache.ts).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildBase, createNodeRoots, destroyNodeRoot } from "../../../src/lab/rootfs.js";
import { TOOLS_DIR } from "../lab-tools/node-root.js";

const PARENT = "/var/lib/remedy-lab-tools-test";
const made: Array<{ dir: string; names: string[] }> = [];
afterAll(async () => {
  for (const m of made) {
    for (const n of m.names) await destroyNodeRoot(m.dir, n);
    rmSync(m.dir, { recursive: true, force: true });
  }
});

async function roots(cache: string, ip: string) {
  mkdirSync(PARENT, { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(PARENT, "tpl-"));
  buildBase(dir, TOOLS_DIR);
  const specs = [{ name: "el7-node01", os: "el7" as const, ip }];
  made.push({ dir, names: specs.map((s) => s.name) });
  return (await createNodeRoots(dir, specs, 2, undefined, { templateCache: cache }))[0]!;
}

describe("cached templates", () => {
  it("the first lab boots its template with lab-init and keeps it; the next copies it with its own identity", { timeout: 120_000 }, async () => {
    const cache = mkdtempSync(join(PARENT, "cache-"));
    made.push({ dir: cache, names: [] });
    const first = await roots(cache, "127.77.9.1");
    expect(first.initLog).toMatch(/ready, kernel /);
    const second = await roots(cache, "127.77.9.2");
    expect(second.initLog).toMatch(/copied from the cached el7 template [0-9a-f]{20}/);
    const read = (root: string, rel: string) => readFileSync(join(root, rel), "utf8");
    expect(read(second.root, "var/lib/lab/net")).toContain(" 127.77.9.2/24 ");
    expect(read(second.root, "etc/machine-id")).not.toBe(read(first.root, "etc/machine-id"));
    expect(read(second.root, "proc/sys/kernel/random/boot_id")).not.toBe(read(first.root, "proc/sys/kernel/random/boot_id"));
    expect(read(second.root, "proc/sys/kernel/osrelease")).toBe(read(first.root, "proc/sys/kernel/osrelease"));
  });
});
