// Change-approval flow end to end on lab nodes (real sshd, chrooted node state, simulated reboots):
// plan → apply --plan → already applied; every refusal changes nothing; concurrent applies; audit.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync, appendFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLab, type TestLab } from "../../helpers/lab.js";
import { cli } from "../../helpers/cli.js";
import { sleep } from "../../helpers/wait.js";

const FIXTURE = new URL("../../fixtures/plan/lab-sysctl.yml", import.meta.url).pathname;
const N7 = "el7-node01";
const N9 = "el9-node01";
let lab: TestLab;
let work: string;
let pb: string;
let inv: string;

const onNode = async (n: string, cmd: string) => (await lab.exec(n, cmd)).stdout.trim();
const value = (n: string) => onNode(n, "cat /proc/sys/fs/pipe-user-pages-soft");
const applies = async (n: string) => Number(await onNode(n, "wc -l < /var/tmp/remedy-plan-test.count 2>/dev/null || echo 0"));
const allAudit = async (n: string) => {
  const text = await onNode(n, "cat /var/log/remedy/audit.jsonl 2>/dev/null");
  return text ? text.split("\n").map((l) => JSON.parse(l) as Record<string, unknown>) : [];
};
/** the per-step lines (the intent/result lines of each action are written before them) */
const audit = async (n: string) => (await allAudit(n)).filter((l) => l.event === "step");
const locked = async (n: string) => (await onNode(n, "test -d /var/lib/remedy/lock.d && echo yes || echo no")) === "yes";

/** Everything on both nodes back to "needs the playbook", no remedy state. */
async function reset() {
  for (const n of [N7, N9]) {
    await lab.exec(n, "sysctl -qw fs.pipe-user-pages-soft=8192; rm -rf /etc/remedy-note /var/tmp/remedy-plan-test.count /var/lib/remedy/applied /var/lib/remedy/lock.d /var/log/remedy");
  }
}

function inventory(nodes: string[]): string {
  const lines = readFileSync(lab.inventoryPath, "utf8").split("\n");
  const hostLines = nodes.map((n) => lines.find((l) => l.startsWith(`${n} `))!);
  return `[k8s_cluster]\n${hostLines.join("\n")}\n`;
}

async function plan(file = join(work, "plan.json"), extra: string[] = []) {
  const r = await cli(["plan", pb, "-i", inv, "-o", file, ...extra]);
  expect(r.code, r.stderr + r.stdout).toBe(2);
  return file;
}

beforeAll(async () => {
  lab = await startLab({ el7: 1, el9: 1 });
}, 120_000);
afterAll(async () => {
  await lab?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});
beforeEach(async () => {
  work = mkdtempSync(join(tmpdir(), "remedy-plan-lab-"));
  pb = join(work, "lab-sysctl.yml");
  copyFileSync(FIXTURE, pb);
  inv = join(work, "hosts.ini");
  writeFileSync(inv, inventory([N7, N9]));
  await reset();
});

describe("apply --plan on lab nodes", () => {
  it("plan → apply --plan exits 0 and changes exactly the approved steps; audit per step; a second apply exits 5", async () => {
    const file = await plan();
    expect([await value(N7), await value(N9)]).toEqual(["8192", "8192"]); // plan changed nothing
    const doc = JSON.parse(readFileSync(file, "utf8"));
    expect(doc.hosts.map((h: { fingerprint: { boot_id: string } }) => h.fingerprint.boot_id)).toEqual([await onNode(N7, "cat /proc/sys/kernel/random/boot_id"), await onNode(N9, "cat /proc/sys/kernel/random/boot_id")]);
    expect(doc.hosts[0].steps[0].commands).toEqual(["sysctl -w fs.pipe-user-pages-soft=16384", "echo sysctl >> /var/tmp/remedy-plan-test.count"]);

    const r = await cli(["apply", pb, "-i", inv, "--plan", file]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    for (const n of [N7, N9]) {
      expect(await value(n)).toBe("16384");
      expect(await onNode(n, "cat /etc/remedy-note")).toBe("managed by remedy");
      expect(await applies(n)).toBe(1);
      expect(await locked(n)).toBe(false);
      expect(await onNode(n, `cat /var/lib/remedy/applied/${doc.id}`)).toMatch(new RegExp(`^plan_id=${doc.id}\\nrun_id=[0-9a-f-]+\\napplied_at=\\S+\\ncontroller=\\S+@\\S+$`));
      const lines = await audit(n);
      expect(lines.map((l) => [l.host, (l.step as { name: string }).name, l.result, l.plan_id])).toEqual([
        [n, "pipe-user-pages-soft is 16384", "changed", doc.id],
        [n, "remedy note file written", "changed", doc.id],
      ]);
      expect(lines[0]).toMatchObject({ playbook: { path: pb, sha256: doc.playbook.sha256 } });
      // every action has its intent line before and its result line after, all under the run id of the applied marker
      const all = await allAudit(n);
      expect(all.filter((l) => l.event === "intent").length).toBe(all.filter((l) => l.event === "result").length);
      expect(all.filter((l) => l.event === "intent").length).toBeGreaterThanOrEqual(2);
      const marker = await onNode(n, `cat /var/lib/remedy/applied/${doc.id}`);
      expect(new Set(all.map((l) => l.run_id))).toEqual(new Set([/run_id=(\S+)/.exec(marker)![1]]));
    }

    const again = await cli(["apply", pb, "-i", inv, "--plan", file]);
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(new RegExp(`already applied on ${N7} at \\S+ \\(run `));
    expect([await applies(N7), await applies(N9), (await audit(N7)).length]).toEqual([1, 1, 2]);
    expect(await locked(N7)).toBe(false);
  });

  it("node rebooted between plan and apply: exit 5 naming the host, nothing applied on any host", async () => {
    const file = await plan();
    const boot = await onNode(N9, "cat /proc/sys/kernel/random/boot_id");
    const trigger = await lab.ssh(N9, "reboot");
    expect([0, 255]).toContain(trigger.code);
    const end = Date.now() + 60_000;
    for (;;) {
      const r = await lab.ssh(N9, "cat /proc/sys/kernel/random/boot_id");
      if (r.code === 0 && r.stdout.trim() && r.stdout.trim() !== boot) break;
      if (Date.now() > end) throw new Error("node did not come back");
      await sleep(300);
    }
    const r = await cli(["apply", pb, "-i", inv, "--plan", file]);
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toMatch(new RegExp(`${N9}: rebooted since the plan \\(boot id ${boot.slice(0, 8)}… → `));
    expect(r.stderr).not.toContain(`${N7}:`);
    expect(await value(N7)).toBe("8192");
    expect([await applies(N7), await applies(N9), (await audit(N7)).length, (await audit(N9)).length]).toEqual([0, 0, 0, 0]);
    expect([await locked(N7), await locked(N9)]).toEqual([false, false]);
  }, 120_000);

  it("state changed by hand on one node: exit 5, nothing applied on any host", async () => {
    const file = await plan();
    expect((await lab.ssh(N7, "sysctl -qw fs.pipe-user-pages-soft=4096")).code).toBe(0);
    const r = await cli(["apply", pb, "-i", inv, "--plan", file]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`${N7}: step "pipe-user-pages-soft is 16384": the check's output changed since the plan`);
    expect([await value(N7), await value(N9)]).toEqual(["4096", "8192"]);
    expect(await onNode(N9, "cat /etc/remedy-note 2>/dev/null || echo absent")).toBe("absent");
    expect([await applies(N7), await applies(N9)]).toEqual([0, 0]);
  });

  it("playbook edited since the plan: exit 5 before connecting", async () => {
    const file = await plan();
    appendFileSync(pb, "# reviewed\n");
    const r = await cli(["apply", pb, "-i", inv, "--plan", file]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/playbook edited since the plan/);
    expect([await locked(N7), await onNode(N7, "test -e /var/lib/remedy/lock.d || test -e /var/log/remedy && echo touched || echo clean")]).toEqual([false, "clean"]);
    expect(await value(N7)).toBe("8192");
  });

  it("host added to the inventory since the plan: exit 5", async () => {
    writeFileSync(inv, inventory([N7]));
    const file = await plan();
    writeFileSync(inv, inventory([N7, N9]));
    const r = await cli(["apply", pb, "-i", inv, "--plan", file]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`hosts added since the plan: ${N9}`);
    expect(r.stderr).toContain("inventory edited since the plan");
    expect(await value(N7)).toBe("8192");
  });

  it("truncated plan file: exit 4 naming the file", async () => {
    const file = await plan();
    writeFileSync(file, readFileSync(file, "utf8").slice(0, 300));
    const r = await cli(["apply", pb, "-i", inv, "--plan", file]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`${file}:`);
    expect(r.stderr).toMatch(/truncated/);
    expect(await value(N7)).toBe("8192");
  });

  it("two concurrent applies on the same nodes: one waits (default --lock-timeout), no step runs twice", async () => {
    const file = await plan();
    const run = () => cli(["apply", pb, "-i", inv, "--plan", file]);
    const [a, b] = await Promise.all([run(), run()]);
    expect([a.code, b.code].sort(), a.stderr + b.stderr).toEqual([0, 5]);
    expect((a.code === 5 ? a : b).stderr).toMatch(/already applied on/);
    expect([await applies(N7), await applies(N9)]).toEqual([1, 1]);
    expect([(await audit(N7)).length, (await audit(N9)).length]).toEqual([2, 2]);
  });

  it("a node locked by another live run: --yes fails that node clearly and applies the other; --plan applies nothing", async () => {
    const file = await plan();
    const boot = await onNode(N9, "cat /proc/sys/kernel/random/boot_id");
    await lab.exec(N9, `mkdir -p /var/lib/remedy/lock.d && printf 'run_id=other-run\\ncontroller=bob@jenkins-2\\nsince=2026-11-25T06:00:00Z\\nnode_since=%s\\nboot_id=${boot}\\nplan_id=-\\n' "$(date +%s)" > /var/lib/remedy/lock.d/owner`);
    const p = await cli(["apply", pb, "-i", inv, "--plan", file, "--lock-timeout", "0"]);
    expect(p.code).toBe(1);
    expect(p.stderr).toContain(`locked on ${N9} by run other-run from controller bob@jenkins-2 since 2026-11-25T06:00:00Z; if that run is dead, remove the lock with \`remedy unlock -i INVENTORY -l ${N9}\``);
    expect(p.stderr).toContain("The plan itself still holds");
    expect([await applies(N7), await applies(N9), await locked(N7)]).toEqual([0, 0, false]);

    const y = await cli(["apply", pb, "-i", inv, "--yes", "--lock-timeout", "0"]);
    expect(y.code).toBe(1);
    expect(y.stdout + y.stderr).toContain(`locked on ${N9} by run other-run`);
    expect([await applies(N7), await applies(N9), await value(N9)]).toEqual([1, 0, "8192"]);
    expect(await onNode(N9, "cat /var/lib/remedy/lock.d/owner")).toContain("run_id=other-run"); // someone else's: left alone

    const u = await cli(["unlock", "-i", inv, "-l", N9]);
    expect(u.code).toBe(0);
    expect(u.stdout).toContain(`${N9}: removed the run lock held by run other-run from controller bob@jenkins-2`);
    expect(await locked(N9)).toBe(false);
  });
});
