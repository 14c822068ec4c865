// Rolling remediation end to end on 10 lab nodes (real sshd, simulated reboots and kubectl on the first
// control-plane node): batch boundaries, failure budget, reboot outcomes under faults, drain → uncordon.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLab, type TestLab } from "../../helpers/lab.js";
import { cli } from "../../helpers/cli.js";
import { CP, FAULTS_PB, ROLLING_PB, bootId, cordonedNodes, hasMarker, kubeCallsFor, playbookHosts, rebootsOf, resetLab, withReboot, type Ev } from "./rolling-lab.js";

let lab: TestLab;
let hosts: string[];
let work: string;

beforeAll(async () => {
  lab = await startLab({ el7: 5, el9: 5 });
  hosts = await playbookHosts(lab.inventoryPath);
}, 120_000);
afterAll(async () => {
  await lab?.stop();
});
beforeEach(async () => {
  if (work) rmSync(work, { recursive: true, force: true });
  work = mkdtempSync(join(tmpdir(), "remedy-rolling-"));
  await resetLab(lab);
}, 60_000);

const apply = (pb: string, extra: string[] = []) => cli(["apply", pb, "-i", lab.inventoryPath, "--yes", "--json", ...extra], { cwd: work });
const ofType = (events: Ev[], type: string) => events.filter((e) => e.type === type);
const runEnd = (events: Ev[]) => ofType(events, "run_end")[0] as { summary: { hosts: Array<{ host: string; status: string; message?: string }> } };
const statusOf = (events: Ev[], host: string) => runEnd(events).summary.hosts.find((h) => h.host === host);

describe("rolling reboot over 10 nodes, serial [1, \"30%\"]", () => {
  it("runs batches of 1, 3, 3, 3 that never overlap; every node drained, rebooted once, uncordoned", async () => {
    const before = new Map<string, string>();
    for (const h of hosts) before.set(h, await bootId(lab, h));

    // a 1 s stability window (not 3): the subject is batch order, not the window
    const pb = withReboot(ROLLING_PB, work, { timeout: 40, stable_for: 1 });
    const r = await apply(pb);
    expect(r.code, r.stderr).toBe(0);
    const starts = ofType(r.events, "batch_start") as Array<Ev & { index: number; hosts: string[] }>;
    expect(starts.map((b) => b.hosts.length)).toEqual([1, 3, 3, 3]);
    expect(starts.flatMap((b) => b.hosts)).toEqual(hosts);

    // event order: every host_end of batch k precedes the batch_start of batch k+1
    for (let k = 0; k + 1 < starts.length; k++) {
      const nextStart = r.events.indexOf(starts[k + 1]!);
      for (const h of starts[k]!.hosts) {
        const end = r.events.findIndex((e) => e.type === "host_end" && e.host === h);
        expect(end, `host_end of ${h}`).toBeGreaterThan(-1);
        expect(end, `${h} (batch ${k + 1}) ended before batch ${k + 2} started`).toBeLessThan(nextStart);
      }
      for (const h of starts[k + 1]!.hosts) expect(r.events.findIndex((e) => e.type === "host_start" && e.host === h)).toBeGreaterThan(nextStart);
    }

    // the lab's own clock: every reboot of batch k+1 after the last uncordon of batch k; per node drain < reboot < uncordon
    const windows: Array<{ first: number; last: number }> = [];
    for (const b of starts) {
      let first = Infinity;
      let last = 0;
      for (const h of b.hosts) {
        const calls = await kubeCallsFor(lab, h);
        const reboots = await rebootsOf(lab, h);
        expect(calls.map((c) => c.verb), h).toEqual(["drain", "uncordon"]);
        expect(reboots, `${h} rebooted exactly once`).toHaveLength(1);
        expect(calls[0]!.ms).toBeLessThanOrEqual(reboots[0]!.ms);
        expect(reboots[0]!.ms).toBeLessThanOrEqual(calls[1]!.ms);
        first = Math.min(first, calls[0]!.ms);
        last = Math.max(last, calls[1]!.ms);
      }
      windows.push({ first, last });
    }
    for (let k = 0; k + 1 < windows.length; k++) expect(windows[k]!.last).toBeLessThanOrEqual(windows[k + 1]!.first);

    for (const h of hosts) {
      expect(statusOf(r.events, h)?.status, h).toBe("changed");
      expect(await hasMarker(lab, h), h).toBe(true);
      expect(await bootId(lab, h), `${h} has a new boot id`).not.toBe(before.get(h));
    }
    expect(await cordonedNodes(lab)).toEqual([]);

    // a second run finds every node compliant and reboots nothing
    const again = await apply(pb);
    expect(again.code, again.stderr).toBe(0);
    for (const h of hosts) expect(await rebootsOf(lab, h), h).toHaveLength(1);
  }, 150_000);

  it("a reboot that never returns in batch 2 of 4 (max_fail_percentage 0) stops the run: batches 3-4 untouched, the node uncordoned by rescue", async () => {
    const victim = hosts[2]!;
    await lab.setFault(victim, "reboot=never");
    // a 15 s reboot budget (not 40): the victim's reboot times out sooner; the others of its batch are back in a few s
    const r = await apply(withReboot(ROLLING_PB, work, { timeout: 15, stable_for: 1 }));
    expect(r.code, r.stderr).toBe(1);

    const starts = ofType(r.events, "batch_start") as Array<Ev & { hosts: string[] }>;
    expect(starts).toHaveLength(2);
    const batch2 = starts[1]!.hosts;
    expect(batch2).toContain(victim);
    const untouched = hosts.filter((h) => !starts.flatMap((b) => b.hosts).includes(h));
    expect(untouched).toHaveLength(6);
    expect(ofType(r.events, "warning").map((w) => w.message)).toContainEqual(expect.stringMatching(/failure budget exceeded in batch 2 .*no further batch starts/));

    // the failed node: drained (reported), reboot never came back, uncordoned on the delegate by rescue
    const drain = ofType(r.events, "command").find((e) => e.host === victim && String((e.record as { command: string }).command).startsWith("kubectl drain"));
    expect(drain, "the drain of the failed node is reported").toBeDefined();
    expect((drain!.record as { exitCode: number }).exitCode).toBe(0);
    const failed = statusOf(r.events, victim)!;
    expect(failed.status).toBe("failed");
    expect(failed.message).toMatch(/never came back/);
    expect(ofType(r.events, "reboot").find((e) => e.host === victim && e.state === "failed")?.detail).toMatch(/^never_came_back: /);
    expect(ofType(r.events, "warning").map((w) => w.message)).toContain(`uncordoned ${victim} after the failure (rescue)`);
    expect((await kubeCallsFor(lab, victim)).map((c) => c.verb)).toEqual(["drain", "uncordon"]);

    // the others of batch 2 finished; batches 3-4 never started: no host_start, no drain, no reboot, summary untouched
    for (const h of batch2.filter((x) => x !== victim)) expect(statusOf(r.events, h)?.status, h).toBe("changed");
    for (const h of untouched) {
      expect(r.events.some((e) => e.type === "host_start" && e.host === h), h).toBe(false);
      expect(statusOf(r.events, h)?.status, h).toBe("untouched");
      expect(statusOf(r.events, h)?.message, h).toMatch(/failure budget/);
      expect(await kubeCallsFor(lab, h), h).toEqual([]);
      expect(await rebootsOf(lab, h), h).toEqual([]);
      expect(await hasMarker(lab, h), h).toBe(false);
    }
    // the human-readable summary (stderr under --json) lists them too
    for (const h of untouched) expect(r.stderr).toMatch(new RegExp(`^${h}\\s+untouched\\b`, "m"));
    expect(r.stderr).toMatch(/1 hosts failed, 0 unreachable, 6 untouched/);
    expect(await cordonedNodes(lab)).toEqual([]);
  }, 120_000);
});

describe("reboot outcomes under lab faults", () => {
  it("same boot id after the reboot is a failure (same_boot_id); a node dying 2 s after coming back fails the 5 s stability window (unstable)", async () => {
    const [same, dies] = [hosts[8]!, hosts[9]!];
    await lab.setFault(same, "reboot=same-bootid");
    await lab.setFault(dies, "reboot=die-after:2");
    const idBefore = await bootId(lab, same);
    const r = await apply(FAULTS_PB, ["-l", `${same}:${dies}`]);
    expect(r.code, r.stderr).toBe(1);

    const failedReboot = (h: string) => String(ofType(r.events, "reboot").find((e) => e.host === h && e.state === "failed")?.detail);
    expect(failedReboot(same)).toMatch(/^same_boot_id: .*came back with the same boot id/);
    expect(failedReboot(dies)).toMatch(/^unstable: .*stability window/);
    expect(ofType(r.events, "reboot").some((e) => e.state === "done")).toBe(false);
    for (const h of [same, dies]) {
      expect(statusOf(r.events, h)?.status, h).toBe("failed");
      expect(await rebootsOf(lab, h), `${h} was asked to reboot once`).toHaveLength(1);
      // the apply after the reboot never ran
      expect(ofType(r.events, "command").some((e) => e.host === h && (e.record as { command: string }).command.startsWith("touch "))).toBe(false);
    }
    expect(await bootId(lab, same)).toBe(idBefore);
    expect(await hasMarker(lab, same)).toBe(false);
  }, 90_000);
});

describe("drain → uncordon", () => {
  it("a drain that fails after cordoning (PDB never satisfied) is uncordoned by rescue; nothing is rebooted", async () => {
    const h = hosts[5]!;
    const st = await lab.exec(CP, `printf 'unschedulable=false\\ndrain=stuck\\n' > /var/lib/lab-kube/nodes/${h}`);
    expect(st.code, st.stderr).toBe(0);
    const r = await apply(ROLLING_PB, ["-l", h]);
    expect(r.code, r.stderr).toBe(1);
    expect(statusOf(r.events, h)?.message).toMatch(/drain/);
    expect((await kubeCallsFor(lab, h)).map((c) => c.verb)).toEqual(["drain", "uncordon"]);
    expect(await cordonedNodes(lab)).toEqual([]);
    expect(await rebootsOf(lab, h)).toEqual([]);
  }, 60_000);
});
