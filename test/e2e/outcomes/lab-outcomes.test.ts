// Issue 12 acceptance on the lab: a refusal predicted by the dry run (would_fail), file-transfer failures
// that are step failures (missing directory, full disk), and the audit trail of a SIGKILLed controller.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startLab, type TestLab } from "../../helpers/lab.js";
import { cli } from "../../helpers/cli.js";
import { BIN, invocations, spawnBin, type Spawned } from "../rolling/rolling-lab.js";

const EL7 = "el7-node01";
const PB = (name: string) => fileURLToPath(new URL(`../../../playbooks/${name}.yml`, import.meta.url));
let lab: TestLab;
let work: string;
let proc: Spawned | undefined;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} missing: run \`npm run build\` first`);
  lab = await startLab({ el7: 1, el9: 1 });
  work = mkdtempSync(join(tmpdir(), "remedy-outcomes-lab-"));
}, 120_000);
afterAll(async () => {
  if (proc && proc.child.exitCode === null) proc.child.kill("SIGKILL");
  await lab?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const run = (args: string[], o: { tty?: boolean; answer?: boolean } = {}) => cli([...args, "-i", lab.inventoryPath], { cwd: work, ...o });
type Ev = { type: string; host?: string; status?: string; message?: string; phase?: string; rollback?: { ran: boolean; ok: boolean } };
const audit = async (node: string, file = "/var/log/remedy/audit.jsonl") => {
  const text = (await lab.exec(node, `cat ${file} 2>/dev/null`)).stdout.trim();
  return text ? text.split("\n").map((l) => JSON.parse(l) as Record<string, unknown>) : [];
};

describe("sysctl-revert on a node whose runc is older than rc94", () => {
  it("check and plan exit 1 showing would_fail with the reason; the interactive apply does not offer the host", async () => {
    await lab.exec(EL7, "printf 'fs.pipe-user-pages-soft = 163840\\n' >/etc/sysctl.d/99-pipe-workaround.conf; echo 163840 >/proc/sys/fs/pipe-user-pages-soft");
    const check = await run(["check", PB("sysctl-revert"), "-l", EL7, "--json"]);
    expect(check.code, check.stderr).toBe(1);
    const wf = (check.events as Ev[]).find((e) => e.type === "step_end" && e.status === "would_fail");
    expect(wf?.message).toMatch(/older than 1\.0\.0-rc94: the fs\.pipe-user-pages-soft workaround is still needed on el7-node01/);
    expect((check.events as Ev[]).find((e) => e.type === "host_end")).toMatchObject({ status: "would_fail" });
    expect(check.stderr).toMatch(/1 hosts would fail/);

    const planFile = join(work, "sysctl.plan.json");
    const plan = await run(["plan", PB("sysctl-revert"), "-l", EL7, "-o", planFile]);
    expect(plan.code, plan.stderr).toBe(1);
    expect(plan.stderr).toContain("1 would fail");
    const doc = JSON.parse(readFileSync(planFile, "utf8"));
    expect(doc.summary.would_fail_hosts).toBe(1);
    expect(doc.summary.hosts_to_change).toBe(0);

    const apply = await run(["apply", PB("sysctl-revert"), "-l", EL7], { tty: true, answer: true });
    expect(apply.code, apply.stderr).toBe(1);
    expect(apply.stdout).not.toContain("Pending changes:");
    expect((await lab.exec(EL7, "cat /proc/sys/fs/pipe-user-pages-soft")).stdout.trim()).toBe("163840");
    await lab.exec(EL7, "rm -f /etc/sysctl.d/99-pipe-workaround.conf; echo 16384 >/proc/sys/fs/pipe-user-pages-soft");
  }, 120_000);
});

const COPY = (dest: string) => `
name: copy a config
hosts: k8s_cluster
become: true
steps:
  - name: config in place
    id: cfg
    check:
      run: "cat ${dest}"
      expect_exit: [0, 1]
      compliant: { equals: "x=1" }
    apply:
      - "echo before > /run/remedy-test.state"
      - copy: { content: "x=1\\n", dest: "${dest}", mode: "0644" }
    rollback:
      - "echo rolled-back > /run/remedy-test.state"
`;

describe("a failed file transfer is the step's failure, not an unreachable host", () => {
  const saved = { state: process.env.REMEDY_TARGET_STATE_DIR, audit: process.env.REMEDY_TARGET_AUDIT_LOG };
  afterAll(async () => {
    for (const [k, v] of [["REMEDY_TARGET_STATE_DIR", saved.state], ["REMEDY_TARGET_AUDIT_LOG", saved.audit]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await lab.clearFault(EL7, "disk");
  });

  it.each([
    ["a missing directory", "/etc/remedy-nodir/app.conf", /directory \/etc\/remedy-nodir does not exist on el7-node01/],
    ["a full disk", "/etc/remedy-app.conf", /no space left on device on el7-node01/],
  ])("%s: exit 1, failed in apply with the real reason, rollback ran, audit lines on the node", async (what, dest, reason) => {
    // the lock and the audit log live on /run, which disk=full leaves writable
    process.env.REMEDY_TARGET_STATE_DIR = "/run/remedy";
    process.env.REMEDY_TARGET_AUDIT_LOG = "/run/remedy/audit.jsonl";
    await lab.exec(EL7, "rm -rf /run/remedy /run/remedy-test.state");
    if (what === "a full disk") await lab.setFault(EL7, "disk=full");
    const file = join(work, "copy.yml");
    writeFileSync(file, COPY(dest));
    const r = await run(["apply", file, "-l", EL7, "--yes", "--json"]);
    expect(r.code, r.stderr).toBe(1);
    const end = (r.events as Ev[]).find((e) => e.type === "step_end")!;
    expect(end).toMatchObject({ status: "failed", phase: "apply", rollback: { ran: true, ok: true } });
    expect(end.message).toMatch(reason);
    expect((r.events as Ev[]).find((e) => e.type === "host_end")).toMatchObject({ status: "failed" });
    expect((await lab.exec(EL7, "cat /run/remedy-test.state")).stdout.trim()).toBe("rolled-back");
    const lines = await audit(EL7, "/run/remedy/audit.jsonl");
    expect(lines.map((l) => `${l.event}:${l.phase ?? ""}:${l.ok ?? l.result}`)).toEqual(["intent:apply:undefined", "result:apply:true", "intent:apply:undefined", "result:apply:false", "intent:rollback:undefined", "result:rollback:true", "step::failed"]);
    expect(String(lines[3]!.message)).toMatch(reason);
    expect((await lab.exec(EL7, "test -d /run/remedy/lock.d")).code, "lock released").not.toBe(0);
    if (what === "a full disk") await lab.clearFault(EL7, "disk");
  }, 120_000);
});

const SLOW = `
name: three steps, one slow
hosts: k8s_cluster
become: true
steps:
  - name: first
    check: { run: "cat /var/tmp/s1", expect_exit: [0, 1], compliant: { equals: "done" } }
    apply: ["echo done > /var/tmp/s1"]
  - name: second
    check: { run: "cat /var/tmp/s2", expect_exit: [0, 1], compliant: { equals: "done" } }
    apply:
      - "echo started > /var/tmp/s2"
      - "sleep 4; echo done > /var/tmp/s2"
  - name: third
    check: { run: "cat /var/tmp/s3", expect_exit: [0, 1], compliant: { equals: "done" } }
    apply: ["echo done > /var/tmp/s3"]
`;

describe("a SIGKILLed controller leaves its trail on the node", () => {
  it("the audit log lists every action that ran; --resume reports them and finishes the run", async () => {
    await lab.exec(EL7, "rm -f /var/tmp/s1 /var/tmp/s2 /var/tmp/s3 /var/log/remedy/audit.jsonl; rm -rf /var/lib/remedy/lock.d");
    const file = join(work, "slow.yml");
    writeFileSync(file, SLOW);
    const p = (proc = spawnBin(["apply", file, "-i", lab.inventoryPath, "-l", EL7, "--yes", "--json"], work));
    const runId = String((await p.waitFor((e) => e.type === "run_start")).runId);
    await p.waitFor((e) => e.type === "command" && e.phase === "apply" && String((e.record as { command: string }).command).startsWith("echo started"), 60_000);
    // the slow action's intent line is written before it starts: wait for it on the node, then kill
    for (let i = 0; !(await audit(EL7)).some((l) => l.event === "intent" && String(l.action).startsWith("sleep 4")); i++) {
      if (i > 200) throw new Error("the slow action never started");
      await new Promise((r) => setTimeout(r, 25));
    }
    p.child.kill("SIGKILL");
    expect((await p.exited).signal).toBe("SIGKILL");

    const lines = await audit(EL7);
    expect(new Set(lines.map((l) => l.run_id))).toEqual(new Set([runId]));
    const trail = lines.map((l) => `${(l.step as { name: string }).name}:${l.event}:${l.action ?? l.result}`);
    expect(trail).toEqual([
      "first:intent:echo done > /var/tmp/s1",
      "first:result:echo done > /var/tmp/s1",
      "first:step:changed",
      "second:intent:echo started > /var/tmp/s2",
      "second:result:echo started > /var/tmp/s2",
      "second:intent:sleep 4; echo done > /var/tmp/s2",
    ]);

    const r = await cli(["apply", file, "-i", lab.inventoryPath, "-l", EL7, "--yes", "--resume", runId], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`resuming run ${runId}`);
    expect(r.stderr).toMatch(/el7-node01: step "first" changed/);
    expect(r.stdout + r.stderr).toMatch(/the interrupted run did: \S+ step "second": started apply action sleep 4; echo done > \/var\/tmp\/s2/);
    expect((await lab.exec(EL7, "cat /var/tmp/s2 /var/tmp/s3")).stdout).toBe("done\ndone\n");
  }, 120_000);
});

const HUNG = `
name: a hung check
hosts: k8s_cluster
become: true
steps:
  - name: offloads read
    check: { run: "ethtool -k eth0", timeout: 5, expect_exit: [0], compliant: { exit: 0 } }
    apply: ["true"]
  - name: value read
    check: { run: "cat /proc/sys/fs/pipe-user-pages-soft", timeout: 5, expect_exit: [0], compliant: { exit: 0 } }
    apply: ["true"]
`;

describe("timeouts are paid once, hosts move on their own", () => {
  afterAll(async () => {
    await lab.clearFault(EL7, "hang");
    await lab.clearFault("el9-node01", "slow_ms");
  });

  it("a hung check with timeout: 5 ends its host within 5 s plus a small margin, and runs once", async () => {
    await lab.setFault(EL7, "hang=ethtool");
    const before = (await invocations(lab, EL7, "ethtool")).length;
    const file = join(work, "hung.yml");
    writeFileSync(file, HUNG);
    const r = await run(["check", file, "-l", EL7, "--json"]);
    expect(r.code, r.stderr).toBe(1);
    const ev = r.events as Array<Ev & { time?: string }>;
    const end = ev.find((e) => e.type === "step_end")!;
    expect(end).toMatchObject({ status: "failed", phase: "check" });
    expect(end.message).toMatch(/timed out after 5s/);
    const t = (type: string) => Date.parse(String(ev.find((e) => e.type === type && e.host === EL7)!.time));
    // unbatched-equivalent cost: 5 s for the hung check, plus connect/facts; before, the batch waited 15 s and then ran it again
    expect(t("host_end") - t("host_start")).toBeLessThan(5_000 + 4_000);
    expect((await invocations(lab, EL7, "ethtool")).length - before).toBe(1);
  }, 120_000);

  it("a slow host (slow_ms) does not hold up a healthy one: the healthy host ends before the slow one is even connected", async () => {
    await lab.clearFault(EL7, "hang");
    // 1 s per chunk each way: its handshake alone takes several 2 s round trips; the healthy host's whole run, a fraction of one
    await lab.setFault("el9-node01", "slow_ms=1000");
    const file = join(work, "hung.yml");
    writeFileSync(file, HUNG);
    const r = await run(["apply", file, "--yes", "--json"]);
    // the slow host may even miss its connect timeout (then it is unreachable, exit 3): either way it is alone in that
    expect([0, 3], r.stderr).toContain(r.code);
    const ev = r.events as Array<Ev & { phase?: string }>;
    expect(ev.find((e) => e.type === "host_end" && e.host === EL7)).toMatchObject({ status: "ok" });
    const healthyEnd = ev.findIndex((e) => e.type === "host_end" && e.host === EL7);
    // the slow host's connect completes (or fails) with its next event: the lock phase, or its host_end
    const slowConnected = ev.findIndex((e) => e.host === "el9-node01" && ((e.type === "host_phase" && e.phase === "lock") || e.type === "host_end"));
    expect(healthyEnd).toBeGreaterThan(-1);
    expect(slowConnected).toBeGreaterThan(healthyEnd);
  }, 120_000);
});
