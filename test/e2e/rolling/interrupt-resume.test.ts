// The real bin (node dist/cli/main.js) interrupted mid-batch on lab nodes: Ctrl-C (SIGINT) cleans up and exits 130;
// a killed controller (SIGKILL) leaves a journal that `apply --resume <id>` completes without redoing finished hosts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLab, type TestLab } from "../../helpers/lab.js";
import { cli } from "../../helpers/cli.js";
import { BIN, COMPLIANT_PB, ROLLING_PB, SLOW_PB, sleep, cordonedNodes, hasMarker, kubeCallsFor, playbookHosts, rebootsOf, resetLab, spawnBin, waitUp, withReboot, type Ev, type Spawned } from "./rolling-lab.js";

let lab: TestLab;
let hosts: string[];
let work: string;
let proc: Spawned | undefined;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} missing: run \`npm run build\` first`);
  lab = await startLab({ el7: 5, el9: 5 });
  hosts = await playbookHosts(lab.inventoryPath);
}, 120_000);
afterAll(async () => {
  if (proc && proc.child.exitCode === null) proc.child.kill("SIGKILL");
  await lab?.stop();
});
beforeEach(async () => {
  if (work) rmSync(work, { recursive: true, force: true });
  work = mkdtempSync(join(tmpdir(), "remedy-rolling-sig-"));
  process.env.REMEDY_STATE_DIR = join(work, "state"); // the run journals (spawned and in-process runs)
  await resetLab(lab);
}, 60_000);

const args = (pb = ROLLING_PB) => ["apply", pb, "-i", lab.inventoryPath, "--yes", "--json"];
const isBatch = (i: number) => (e: Ev) => e.type === "batch_start" && e.index === i;
/** the reboot of every host of `batch` was triggered (so each was drained first and is cordoned now) */
async function allTriggered(p: Spawned, batch: string[]): Promise<void> {
  for (const h of batch) await p.waitFor((e) => e.type === "reboot" && e.host === h && (e.state === "waiting_down" || e.state === "waiting_up"), 60_000);
}

describe("Ctrl-C during a batch", () => {
  it("SIGINT while batch 2 reboots: rescue uncordons every node we cordoned, no further batch starts, exit 130, summary says what was done", async () => {
    const p = (proc = spawnBin(args(), work));
    const b2 = (await p.waitFor(isBatch(1))).hosts as string[];
    await allTriggered(p, b2);
    const cordonedAtInterrupt = await cordonedNodes(lab);
    expect(cordonedAtInterrupt.length, "nodes of batch 2 are cordoned when Ctrl-C comes").toBeGreaterThan(0);
    for (const n of cordonedAtInterrupt) expect(b2).toContain(n);

    p.child.kill("SIGINT");
    const { code } = await p.exited;
    expect(code, p.stderr()).toBe(130);
    expect(await cordonedNodes(lab)).toEqual([]);
    for (const n of cordonedAtInterrupt) expect((await kubeCallsFor(lab, n)).map((c) => c.verb), n).toEqual(["drain", "uncordon"]);

    const events = p.events;
    expect(events.filter((e) => e.type === "batch_start")).toHaveLength(2);
    const summary = (events.find((e) => e.type === "run_end") as { summary: { interrupted: boolean; hosts: Array<{ host: string; status: string; message?: string }> } }).summary;
    expect(summary.interrupted).toBe(true);
    const later = hosts.filter((h) => h !== hosts[0] && !b2.includes(h));
    for (const h of later) {
      expect(summary.hosts.find((x) => x.host === h)).toMatchObject({ status: "untouched", message: "not started: interrupted" });
      expect(await kubeCallsFor(lab, h), h).toEqual([]);
    }
    expect(summary.hosts.find((x) => x.host === hosts[0])?.status).toBe("changed");
    for (const n of cordonedAtInterrupt) {
      expect(summary.hosts.find((x) => x.host === n)?.message, n).toMatch(/interrupted/);
      expect(events.filter((e) => e.type === "warning").map((e) => e.message)).toContain(`uncordoned ${n} after the failure (rescue)`);
    }
    // what was done, for the human at the terminal (stderr under --json)
    const err = p.stderr();
    expect(err).toMatch(/Interrupted: no new steps start/);
    expect(err).toMatch(new RegExp(`^${hosts[0]}\\s+changed\\b`, "m"));
    for (const h of later) expect(err).toMatch(new RegExp(`^${h}\\s+untouched\\b.*not started: interrupted`, "m"));
    expect(err).toMatch(/^10 hosts: .*, 6 untouched \(INTERRUPTED\)$/m);
  }, 120_000);
});

describe("Ctrl-C during an apply command", () => {
  it("the in-flight command finishes (not killed half-way), no later step starts, exit 130", async () => {
    const h = hosts[9]!;
    const p = (proc = spawnBin(["apply", SLOW_PB, "-i", lab.inventoryPath, "--yes", "--json", "-l", h], work));
    await p.waitFor((e) => e.type === "command" && e.phase === "check" && e.host === h);
    // the apply command is running: its first write is there, its last not yet
    for (let i = 0; (await lab.exec(h, "cat /var/lib/rolling-slow")).stdout.trim() !== "started"; i++) {
      if (i > 100) throw new Error("the apply command never started");
      await sleep(50);
    }
    const t0 = Date.now();
    p.child.kill("SIGINT");
    const { code } = await p.exited;
    expect(code, p.stderr()).toBe(130);
    expect(Date.now() - t0, "waited for the in-flight command").toBeGreaterThan(1500);
    expect((await lab.exec(h, "cat /var/lib/rolling-slow")).stdout.trim()).toBe("done");
    expect((await lab.exec(h, "test -f /var/lib/rolling-next")).code, "the next step never ran").not.toBe(0);
    const apply = p.events.find((e) => e.type === "command" && e.phase === "apply");
    expect((apply?.record as { exitCode: number | null }).exitCode).toBe(0);
    expect(p.events.some((e) => e.type === "step_start" && e.name === "next step")).toBe(false);
    const row = (p.events.find((e) => e.type === "run_end") as { summary: { hosts: Array<{ host: string; message?: string }> } }).summary.hosts[0];
    expect(row?.message).toMatch(/interrupted/);
  }, 60_000);
});

describe("killed controller, then --resume", () => {
  it("SIGKILL mid-batch 2, --resume <id> finishes the run: finished hosts are not run or rebooted again, nothing stays cordoned", async () => {
    // a 1 s stability window (not 3): the kill comes before any window of batch 2, the resumed batches need none longer
    const pb = withReboot(ROLLING_PB, work, { timeout: 40, stable_for: 1 });
    const p = (proc = spawnBin(args(pb), work));
    const runId = String((await p.waitFor((e) => e.type === "run_start")).runId);
    const b2 = (await p.waitFor(isBatch(1))).hosts as string[];
    await p.waitFor((e) => e.type === "reboot" && b2.includes(String(e.host)) && e.state === "waiting_up", 60_000);
    p.child.kill("SIGKILL");
    expect((await p.exited).signal).toBe("SIGKILL");

    const journal = join(work, "state", "runs", `${runId}.jsonl`);
    expect(existsSync(journal)).toBe(true);
    const finishedBefore = readFileSync(journal, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Ev)
      .filter((e) => e.type === "host_end" && (e.status === "changed" || e.status === "ok"))
      .map((e) => String(e.host));
    expect(finishedBefore).toContain(hosts[0]);
    const triggeredBefore = new Set(p.events.filter((e) => e.type === "reboot" && e.state === "triggering").map((e) => String(e.host)));
    // the killed controller could not clean up: something of batch 2 is still cordoned
    expect((await cordonedNodes(lab)).length).toBeGreaterThan(0);
    await Promise.all(hosts.map((h) => waitUp(lab, h)));

    const r = await cli([...args(pb), "--resume", runId], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`resuming run ${runId}: ${finishedBefore.length} host(s) already finished are skipped`);
    const started = r.events.filter((e) => e.type === "host_start").map((e) => String(e.host));
    expect(started.sort()).toEqual(hosts.filter((h) => !finishedBefore.includes(h)).sort());
    expect(r.events.find((e) => e.type === "run_start")?.runId).toBe(runId);

    for (const h of hosts) {
      expect(await hasMarker(lab, h), h).toBe(true);
      const expected = finishedBefore.includes(h) ? 1 : triggeredBefore.has(h) ? 2 : 1;
      expect(await rebootsOf(lab, h), `reboots of ${h}`).toHaveLength(expected);
    }
    expect(await cordonedNodes(lab)).toEqual([]);

    // resuming a completed run does nothing
    const again = await cli([...args(pb), "--resume", runId], { cwd: work });
    expect(again.code, again.stderr).toBe(0);
    expect(again.events.filter((e) => e.type === "host_start")).toEqual([]);
    for (const h of hosts) expect(await rebootsOf(lab, h), h).toHaveLength(finishedBefore.includes(h) ? 1 : triggeredBefore.has(h) ? 2 : 1);
  }, 150_000);

  it("a node killed in its stability window is compliant on resume (the reboot fixed it): --resume still uncordons it", async () => {
    // a 3 s stability window (not 5): the kill follows the "stabilising" event within milliseconds
    const pb = withReboot(COMPLIANT_PB, work, { timeout: 40, stable_for: 3 });
    const p = (proc = spawnBin(args(pb), work));
    const runId = String((await p.waitFor((e) => e.type === "run_start")).runId);
    const b2 = (await p.waitFor(isBatch(1))).hosts as string[];
    const stab = await p.waitFor((e) => e.type === "reboot" && b2.includes(String(e.host)) && e.state === "stabilising", 60_000);
    p.child.kill("SIGKILL");
    await p.exited;
    const victim = String(stab.host);
    expect(await cordonedNodes(lab)).toContain(victim);
    await Promise.all(hosts.map((h) => waitUp(lab, h)));

    const r = await cli([...args(pb), "--resume", runId], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.events.find((e) => e.type === "step_end" && e.host === victim)?.status, "the check finds the rebooted node compliant").toBe("ok");
    expect(await rebootsOf(lab, victim)).toHaveLength(1);
    expect(await cordonedNodes(lab)).toEqual([]);
    expect((await kubeCallsFor(lab, victim)).map((c) => c.verb).at(-1)).toBe("uncordon");
  }, 150_000);
});
