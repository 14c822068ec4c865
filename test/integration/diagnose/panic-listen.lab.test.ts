// `remedy panic-listen` end to end on the lab: a node's panic fault sends netconsole lines by UDP from the node's own
// address; the collector maps it to the inventory host, writes one record and annotates the node through kubectl on
// the control-plane node (over SSH).
import { createSocket } from "node:dgram";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, type TestLab } from "../../helpers/lab.js";
import { cli } from "../../helpers/cli.js";
import type { PanicRecord } from "../../../src/diagnose/panic/index.js";

let lab: TestLab;
beforeAll(async () => {
  lab = await startLab({ el7: 0, el9: 2 });
}, 180_000);
afterAll(async () => lab?.stop());

/** true while something (our listener) holds udp 127.0.0.1:port */
function portBusy(port: number): Promise<boolean> {
  const s = createSocket("udp4");
  return new Promise((resolve) => {
    s.once("error", () => resolve(true));
    s.bind({ address: "127.0.0.1", port, exclusive: true }, () => s.close(() => resolve(false)));
  });
}

async function freePort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind({ address: "127.0.0.1", port: 0 }, () => r()));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("panic-listen on the lab", () => {
  it("records a node's panic under its inventory name and annotates the node via the control plane", async () => {
    const victim = "el9-node02"; // a worker; el9-node01 is kube_control_plane
    const out = join(mkdtempSync(join(tmpdir(), "remedy-panic-lab-")), "panics.jsonl");
    const port = await freePort();
    const ac = new AbortController();
    const run = cli(
      ["panic-listen", "-i", lab.inventoryPath, "--known-hosts", lab.knownHostsPath, "--bind", "127.0.0.1", "-p", String(port), "-o", out, "--annotate", "--kubectl-on", "el9-node01"],
      { signal: ac.signal },
    );
    try {
      await until(() => portBusy(port), 10_000, "the listener");
      await lab.setFault(victim, `panic=127.0.0.1:${port}`);
      await until(() => existsSync(out) && readFileSync(out, "utf8").includes("\n"), 15_000, "a panic record");
      const recs = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as PanicRecord);
      expect(recs).toHaveLength(1);
      const r = recs[0] as PanicRecord;
      expect(r.host).toBe(victim);
      expect(r.ip).toBe(lab.node(victim).ip);
      expect(r.reason).toBe("kernel BUG at net/core/skbuff.c:4044!");
      expect(r.panic).toBe("Kernel panic - not syncing: Fatal exception in interrupt");
      expect(r.lines).toHaveLength(16);
      const annotation = `annotation.remedy.io/kernel-panic=kernel BUG at net/core/skbuff.c:4044!`;
      await until(async () => (await lab.exec("el9-node01", `cat /var/lib/lab-kube/nodes/${victim} 2>/dev/null`)).stdout.includes(annotation), 15_000, "the node annotation");
    } finally {
      ac.abort();
    }
    const res = await run;
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`kernel panic on ${victim} (${lab.node(victim).ip}): kernel BUG at net/core/skbuff.c:4044!`);
    expect(res.stderr).toContain("panic-listen: listening on udp 127.0.0.1:");
    expect(res.stderr).not.toMatch(/annotate.*(exited|could not run)/);
  }, 120_000);
});
