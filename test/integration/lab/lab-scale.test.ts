import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { labLeftovers, labStatus } from "../../../src/lab/down.js";
import { startLab } from "../../helpers/lab.js";
import { hostSnapshot } from "./host-safety.js";
import { cli } from "../../helpers/cli.js";

describe("lab at scale", () => {
  it("100 nodes come up in seconds, `remedy inventory` lists 100 reachable hosts, and lab down leaves nothing behind", { timeout: 180_000 }, async () => {
    const before = hostSnapshot();
    const t0 = Date.now();
    const lab = await startLab({ el7: 50, el9: 50 });
    const upMs = Date.now() - t0;
    try {
      console.log(`lab: 100 nodes up in ${upMs} ms`);
      // a sanity bound only (a loaded machine is slower); start-up speed is measured by the benchmark
      expect(upMs).toBeLessThan(120_000);
      const status = labStatus(lab.dir);
      expect(status.nodes.filter((n) => n.up).length).toBe(100);
      expect(new Set(status.nodes.map((n) => n.pid)).size).toBe(100);
      expect(readFileSync(lab.knownHostsPath, "utf8").trim().split("\n")).toHaveLength(100);
      const inv = await cli(["inventory", "-i", lab.inventoryPath, "--check-reachable"]);
      expect(inv.code, inv.stderr).toBe(0);
      expect(inv.stdout).toContain("100/100 hosts reachable");
      // A sample over the ssh CLI too: first, last, and one in the middle of each OS.
      for (const name of ["el7-node01", "el7-node25", "el7-node50", "el9-node01", "el9-node50"]) {
        const r = await lab.ssh(name, "cat /etc/hostname");
        expect(r.stdout.trim()).toBe(name);
      }
    } finally {
      const dir = lab.dir;
      await lab.stop();
      expect(labLeftovers(dir)).toEqual({ mounts: [], pids: [] });
      expect(hostSnapshot()).toEqual(before);
    }
  });
});
