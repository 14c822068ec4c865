// diagnose re-checks against the node as it is now: after the recommended playbook is applied (through the
// printed `remedy plan ...` command and `apply --plan`), it is no longer recommended.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, type TestLab } from "../../helpers/lab.js";
import { cli } from "../../helpers/cli.js";
import { splitWords } from "../../../src/transport/spec.js";

let lab: TestLab;
const work = mkdtempSync(join(tmpdir(), "remedy-diag-recheck-"));
const saved = process.env.REMEDY_STATE_DIR;
beforeAll(async () => {
  process.env.REMEDY_STATE_DIR = join(work, "state");
  lab = await startLab({ el7: 0, el9: 1, faults: { "el9-node01": ["kernel_log=skb_bug"] } });
}, 180_000);
afterAll(async () => {
  await lab?.stop();
  if (saved === undefined) delete process.env.REMEDY_STATE_DIR;
  else process.env.REMEDY_STATE_DIR = saved;
  rmSync(work, { recursive: true, force: true });
});

const diagnose = () => cli(["diagnose", "-i", lab.inventoryPath, "--known-hosts", lab.knownHostsPath], { cwd: work });
const planLines = (out: string) => out.split("\n").filter((l) => l.startsWith("  remedy plan "));

describe("diagnose after the fix", () => {
  it("recommends ethtool-offload.yml, whose printed plan command applies; then only kernel-upgrade.yml is left", async () => {
    const before = await diagnose();
    expect(before.code, before.stderr).toBe(2);
    expect(before.stdout).toMatch(/^el9-node01\s+critical\s+skb-segment-bug\s+1\s+ethtool-offload\.yml then kernel-upgrade\.yml$/m);
    const cmd = planLines(before.stdout).find((l) => l.includes("/ethtool-offload.yml "))!;
    expect(cmd, before.stdout).toBeDefined();
    const argv = splitWords(cmd.trim()).slice(1); // drop "remedy"
    expect(argv.slice(0, 1)).toEqual(["plan"]);
    const plan = await cli([...argv, "--known-hosts", lab.knownHostsPath], { cwd: work });
    expect(plan.code, plan.stderr).toBe(2);
    const out = argv[argv.indexOf("-o") + 1]!;
    const applied = await cli(["apply", argv[1]!, "-i", lab.inventoryPath, "--known-hosts", lab.knownHostsPath, "--plan", join(work, out)], { cwd: work });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);

    const after = await diagnose();
    expect(after.stdout).toMatch(/^el9-node01\s+critical\s+skb-segment-bug\s+1\s+kernel-upgrade\.yml$/m);
    expect(planLines(after.stdout).some((l) => l.includes("ethtool-offload.yml"))).toBe(false);
    expect(planLines(after.stdout).some((l) => l.includes("/kernel-upgrade.yml "))).toBe(true);
  }, 240_000);
});
