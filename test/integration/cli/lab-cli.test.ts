// The lab through the CLI: `remedy lab up`, `remedy inventory --check-reachable`, `lab status`, a fault, `lab down`.
import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { cli } from "../../helpers/cli.js";
import { labLeftovers } from "../../../src/lab/down.js";

const DIR = "/var/lib/remedy-lab-clitest"; // the default address range (127.77.0.x): test labs use 1024+

describe("remedy lab", () => {
  it("up → inventory lists every node reachable → fault → down leaves nothing", { timeout: 180_000 }, async () => {
    const up = await cli(["lab", "up", "--el7", "2", "--el9", "1", "--dir", DIR]);
    try {
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout).toMatch(/lab up: 3 nodes/);
      const inv = await cli(["inventory", "-i", `${DIR}/inventory.ini`, "--graph", "--check-reachable"]);
      expect(inv.code, inv.stderr).toBe(0);
      expect(inv.stdout).toContain("@kube_control_plane:");
      expect(inv.stdout).toContain("3/3 hosts reachable");
      const f = await cli(["lab", "fault", "el7-node02", "unreachable", "--dir", DIR]);
      expect(f.code, f.stderr).toBe(0);
      const down1 = await cli(["inventory", "-i", `${DIR}/inventory.ini`, "--check-reachable"]);
      expect(down1.code).toBe(3);
      expect(down1.stderr).toMatch(/unreachable el7-node02/);
      const st = await cli(["lab", "status", "--dir", DIR]);
      expect(st.stdout).toMatch(/el7-node02.*unreachable/);
      expect((await cli(["lab", "fault", "el7-node02", "--clear", "--dir", DIR])).code).toBe(0);
      expect((await cli(["inventory", "-i", `${DIR}/inventory.ini`, "--check-reachable"])).stdout).toContain("3/3 hosts reachable");
    } finally {
      const down = await cli(["lab", "down", "--dir", DIR]);
      expect(down.code, down.stderr).toBe(0);
    }
    expect(existsSync(DIR)).toBe(false);
    expect(labLeftovers(DIR)).toEqual({ mounts: [], pids: [] });
  });
  it("bad lab arguments are exit 4 with a message", async () => {
    const r = await cli(["lab", "up", "--el7", "0", "--el9", "0", "--dir", DIR]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/at least one node/);
    expect((await cli(["lab", "up", "--el7", "x", "--dir", DIR])).code).toBe(4);
    expect((await cli(["lab", "up", "--fault", "nonsense", "--dir", DIR])).code).toBe(4);
  });
});
