// diagnose re-checks against the node as it is now: after the recommended playbook is applied (through the
// printed `remedy plan ...` command and `apply --plan`), it is no longer recommended. Covers every finding that
// a shipped playbook's checks can clear: skb_segment BUG (ethtool-offload.yml), PLEG not healthy
// (runc-upgrade.yml), SLUB allocation failures and active kmem accounting (runc-nokmem.yml), the netdev
// refcount leak on 3.10 (kpatch-route.yml).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, type TestLab } from "../../helpers/lab.js";
import { cli } from "../../helpers/cli.js";
import { splitWords } from "../../../src/transport/spec.js";

let lab: TestLab;
const work = mkdtempSync(join(tmpdir(), "remedy-diag-recheck-"));
const saved = { state: process.env.REMEDY_STATE_DIR, cache: process.env.REMEDY_CACHE_DIR };
beforeAll(async () => {
  process.env.REMEDY_STATE_DIR = join(work, "state");
  process.env.REMEDY_CACHE_DIR = join(work, "cache"); // runc builds are cached on the controller
  lab = await startLab({
    el7: 3,
    el9: 1,
    faults: { "el9-node01": ["kernel_log=skb_bug"], "el7-node01": ["kernel_log=slub_kmem"], "el7-node02": ["kernel_log=pleg"], "el7-node03": ["kernel_log=netdev_refcnt"] },
  });
  // el7-node02 runs docker 20.10 with runc 1.0.0-rc93 (the PLEG incident's runc); el7-node03 has the stock runc (kmem risk)
  const rc93 = await lab.exec(
    "el7-node02",
    `source /opt/lab/base/tools/lib/common.sh; source $LAB_T/lib/kmem.sh; source $LAB_T/lib/runc.sh
     write_runc /usr/bin/runc 1.0.0-rc93 12644e614e25b05da6fd08a38ffa0cfe1903fdec 1.0.2-dev go1.13.15 2.3.1 "seccomp selinux apparmor"
     printf 'server_version=20.10.6\\ndefault_runtime=runc\\ncgroup_driver=cgroupfs\\n' >/var/lib/lab/docker/config`,
  );
  expect(rc93.code, rc93.stderr).toBe(0);
}, 240_000);
afterAll(async () => {
  await lab?.stop();
  for (const [k, v] of [["REMEDY_STATE_DIR", saved.state], ["REMEDY_CACHE_DIR", saved.cache]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(work, { recursive: true, force: true });
});

const diagnose = () => cli(["diagnose", "-i", lab.inventoryPath, "--known-hosts", lab.knownHostsPath], { cwd: work });
const planLines = (out: string) => out.split("\n").filter((l) => l.startsWith("  remedy plan "));

/** Runs the printed `remedy plan ...` line for `playbook` (exit 2: changes pending), then `apply --plan` (exit 0); returns its hosts. */
async function applyPrinted(diagnosis: string, playbook: string): Promise<string[]> {
  const cmd = planLines(diagnosis).find((l) => l.includes(`/${playbook} `));
  expect(cmd, diagnosis).toBeDefined();
  const argv = splitWords(cmd!.trim()).slice(1); // drop "remedy"
  expect(argv[0]).toBe("plan");
  const plan = await cli([...argv, "--known-hosts", lab.knownHostsPath], { cwd: work });
  expect(plan.code, plan.stdout + plan.stderr).toBe(2);
  const out = argv[argv.indexOf("-o") + 1]!;
  const applied = await cli(["apply", argv[1]!, "-i", lab.inventoryPath, "--known-hosts", lab.knownHostsPath, "--plan", join(work, out)], { cwd: work });
  expect(applied.code, applied.stdout + applied.stderr).toBe(0);
  return argv[argv.indexOf("-l") + 1]!.split(",");
}

/** diagnose shows `rows`; the printed command for `playbook` plans and applies; diagnose again no longer recommends it. */
async function fixAndRediagnose(playbook: string, rows: RegExp[]): Promise<{ hosts: string[]; after: string }> {
  const before = await diagnose();
  expect(before.code, before.stderr).toBe(2);
  for (const row of rows) expect(before.stdout).toMatch(row);
  const hosts = await applyPrinted(before.stdout, playbook);
  const after = (await diagnose()).stdout;
  expect(planLines(after).some((l) => l.includes(`/${playbook} `)), after).toBe(false);
  return { hosts, after };
}

describe("diagnose after the fix", () => {
  it("recommends ethtool-offload.yml, whose printed plan command applies; then only kernel-upgrade.yml is left", async () => {
    const { hosts, after } = await fixAndRediagnose("ethtool-offload.yml", [/^el9-node01\s+critical\s+skb-segment-bug\s+1\s+ethtool-offload\.yml then kernel-upgrade\.yml$/m]);
    expect(hosts).toContain("el9-node01");
    expect(after).toMatch(/^el9-node01\s+critical\s+skb-segment-bug\s+1\s+kernel-upgrade\.yml$/m);
    expect(planLines(after).some((l) => l.includes("/kernel-upgrade.yml "))).toBe(true);
  }, 300_000);

  it("PLEG not healthy: runc-upgrade.yml applied, the incident stays (this boot) with nothing to run", async () => {
    const { hosts, after } = await fixAndRediagnose("runc-upgrade.yml", [/^el7-node02\s+critical\s+pleg-runc-hang\s+4\s+runc-upgrade\.yml$/m]);
    expect(hosts).toEqual(["el7-node02"]);
    expect(after).toMatch(/^el7-node02\s+critical\s+pleg-runc-hang\s+4\s+-$/m);
    expect(after).toContain("runc 1.1.1 is not 1.0.0-rc93 now (runc-upgrade.yml has nothing to do)");
    expect(after).not.toMatch(/^el7-node02\s+\S+\s+(runc-rc93|kmem-accounting-active)\b/m);
  }, 600_000);

  it("SLUB allocation failures and kmem accounting: runc-nokmem.yml applied, only the kernel is left for SLUB, the kmem risk is gone", async () => {
    const { hosts, after } = await fixAndRediagnose("runc-nokmem.yml", [
      /^el7-node01\s+critical\s+slub-kmem\s+3\s+runc-nokmem\.yml$/m,
      /^el7-node03\s+warning\s+kmem-accounting-active\s+\d+\s+runc-nokmem\.yml$/m,
    ]);
    expect(hosts.sort()).toEqual(["el7-node01", "el7-node03"]);
    expect(after).toMatch(/^el7-node01\s+critical\s+slub-kmem\s+3\s+kernel-upgrade\.yml$/m);
    expect(after).toMatch(/runc is fixed now \(\/usr\/bin\/docker-runc is the nokmem build \/usr\/local\/lib\/remedy\/runc-nokmem-v1\.0\.0-rc9\)/);
    expect(after).not.toMatch(/kmem-accounting-active/);
  }, 900_000);

  it("netdev refcount leak on 3.10: kpatch-route.yml applied (patch loaded), the kernel upgrade is what is left", async () => {
    const { hosts, after } = await fixAndRediagnose("kpatch-route.yml", [/^el7-node03\s+critical\s+netdev-refcnt-leak\s+5\s+kpatch-route\.yml$/m]);
    expect(hosts).toEqual(["el7-node03"]);
    // the lines of this boot are still in the kernel log: the live patch stops new leaks, the lasting fix is the kernel
    expect(after).toMatch(/^el7-node03\s+critical\s+netdev-refcnt-leak\s+5\s+kernel-upgrade\.yml$/m);
  }, 900_000);
});
