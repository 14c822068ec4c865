// The target-side scripts (lock, marker, audit) run by a real bash against a temp state dir.
import { describe, expect, it, beforeEach } from "vitest";
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { acquireLock, decideLock, localDeadRunProbe, pidAlive, type LockRequest } from "../../../src/plan/lock.js";
import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { auditScript, joinScripts, markerScript, parseOutput, releaseScript, forceUnlockScript, type RemoteLayout } from "../../../src/plan/remote.js";
import { auditLine, auditRecords } from "../../../src/plan/audit.js";
import { LocalBash } from "./local-bash.js";
import { host, step } from "./fixtures.js";

let layout: RemoteLayout;
const t = new LocalBash("node1");
const bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();

function req(runId: string, over: Partial<LockRequest> = {}): LockRequest {
  return {
    host: "node1",
    layout,
    owner: { runId, controller: "alice@ctl", since: "2026-11-25T08:00:00.000Z", planId: "p-1" },
    become: false,
    waitMs: 0,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => Date.now(),
    ...over,
  };
}

beforeEach(() => {
  const dir = mkdtempSync(join(tmpdir(), "remedy-target-"));
  layout = { stateDir: join(dir, "var/lib/remedy"), auditFile: join(dir, "var/log/remedy/audit.jsonl") };
});

describe("run lock", () => {
  it("first run takes it; the owner file names run, controller, time, boot id", async () => {
    const r = await acquireLock(t, req("run-A"));
    expect(r).toEqual({ ok: true, warnings: [], applied: undefined });
    const owner = readFileSync(join(layout.stateDir, "lock.d/owner"), "utf8");
    expect(owner).toContain("run_id=run-A\ncontroller=alice@ctl\nsince=2026-11-25T08:00:00.000Z\n");
    expect(owner).toContain(`boot_id=${bootId}\n`);
    expect(owner).toMatch(/node_since=\d{10}\n/);
  });

  it("a second run is refused with who holds it and how to unlock; the same run re-enters", async () => {
    await acquireLock(t, req("run-A"));
    const r = await acquireLock(t, req("run-B"));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.kind).toBe("held");
      expect(r.message).toBe("locked on node1 by run run-A from controller alice@ctl since 2026-11-25T08:00:00.000Z (plan p-1); if that run is dead, remove the lock with `remedy unlock -i INVENTORY -l node1`, or wait for it with --lock-timeout SECONDS");
    }
    expect((await acquireLock(t, req("run-A"))).ok).toBe(true);
  });

  /** A fake clock: sleeping advances it; `at` runs once the clock has passed a time (no real waiting). */
  function fakeClock(at?: { ms: number; run: () => Promise<unknown> }) {
    let now = 0;
    let fired = false;
    return {
      now: () => now,
      sleep: async (ms: number) => {
        now += ms;
        if (at && !fired && now >= at.ms) {
          fired = true;
          await at.run();
        }
      },
    };
  }

  it("waits with --lock-timeout until the holder releases", async () => {
    await acquireLock(t, req("run-A"));
    const clock = fakeClock({ ms: 1200, run: () => t.exec(releaseScript(layout, "run-A")) });
    const r = await acquireLock(t, req("run-B", { waitMs: 10_000, ...clock }));
    expect(r.ok).toBe(true);
    expect(clock.now()).toBeGreaterThanOrEqual(1200);
    expect(clock.now()).toBeLessThan(10_000);
    expect(readFileSync(join(layout.stateDir, "lock.d/owner"), "utf8")).toContain("run_id=run-B");
  });

  it("gives up after the timeout, saying how long it waited", async () => {
    await acquireLock(t, req("run-A"));
    const clock = fakeClock();
    const r = await acquireLock(t, req("run-B", { waitMs: 1500, ...clock }));
    expect(clock.now()).toBeGreaterThanOrEqual(1500);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/\(waited 2 s\)$/);
  });

  it("a lock from before a reboot (other boot id) is taken over with a warning", async () => {
    mkdirSync(join(layout.stateDir, "lock.d"), { recursive: true });
    writeFileSync(join(layout.stateDir, "lock.d/owner"), `run_id=old\ncontroller=bob@ctl\nsince=2026-01-01T00:00:00Z\nnode_since=${Math.floor(Date.now() / 1000)}\nboot_id=00000000-dead-beef-0000-000000000000\nplan_id=-\n`);
    const r = await acquireLock(t, req("run-B"));
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([`node1: took over a stale run lock: the node rebooted since run old from controller bob@ctl since 2026-01-01T00:00:00Z took it (boot id 00000000… → ${bootId.slice(0, 8)}…)`]);
    expect(readFileSync(join(layout.stateDir, "lock.d/owner"), "utf8")).toContain("run_id=run-B");
  });

  it("a lock left by a dead remedy process of this same controller is taken over; a live one is respected", async () => {
    const deadPid = spawnSync("true").pid!;
    const write = (pid: number) => {
      mkdirSync(join(layout.stateDir, "lock.d"), { recursive: true });
      writeFileSync(join(layout.stateDir, "lock.d/owner"), `run_id=crashed\ncontroller=ci@${hostname()}\nsince=x\nnode_since=${Math.floor(Date.now() / 1000)}\nboot_id=${bootId}\nplan_id=-\ncontroller_host=${hostname()}\ncontroller_pid=${pid}\n`);
    };
    const probe = localDeadRunProbe(hostname(), pidAlive);
    write(process.pid);
    expect((await acquireLock(t, req("run-B", { deadRun: probe }))).ok).toBe(false);
    write(deadPid);
    const r = await acquireLock(t, req("run-B", { deadRun: probe }));
    expect(r.ok).toBe(true);
    expect(r.warnings[0]).toContain(`that remedy process (pid ${deadPid} on this controller) is gone`);
    // another controller's pid means nothing here
    expect(localDeadRunProbe("other-host", pidAlive)(new Map([["controller_host", hostname()], ["controller_pid", String(deadPid)]]))).toBe(false);
  });

  it("a lock older than the max age is taken over", async () => {
    mkdirSync(join(layout.stateDir, "lock.d"), { recursive: true });
    writeFileSync(join(layout.stateDir, "lock.d/owner"), `run_id=old\ncontroller=bob@ctl\nsince=x\nnode_since=${Math.floor(Date.now() / 1000) - 100 * 3600}\nboot_id=${bootId}\nplan_id=-\n`);
    const r = await acquireLock(t, req("run-B"));
    expect(r.ok).toBe(true);
    expect(r.warnings[0]).toMatch(/took it 100 h ago, more than the 24 h maximum/);
  });

  it("a lock dir without owner: young = being taken, old = dead", async () => {
    const d = join(layout.stateDir, "lock.d");
    mkdirSync(d, { recursive: true });
    const young = await acquireLock(t, req("run-B"));
    expect(young.ok).toBe(false);
    if (!young.ok) expect(young.message).toMatch(/another run is taking the lock right now/);
    const old = (Date.now() - 3600_000) / 1000;
    utimesSync(d, old, old);
    const r = await acquireLock(t, req("run-B"));
    expect(r.ok).toBe(true);
    expect(r.warnings[0]).toMatch(/the lock has no owner/);
  });

  it("a lock dir whose owner file appears a moment later (another inventory name of this machine, same run) is re-entered", async () => {
    const d = join(layout.stateDir, "lock.d");
    mkdirSync(d, { recursive: true });
    setTimeout(() => writeFileSync(join(d, "owner"), `run_id=run-A\ncontroller=alice@ctl\nsince=x\nnode_since=1\nboot_id=${bootId}\nplan_id=p-1\n`), 300);
    const r = await acquireLock(t, req("run-A"));
    expect(r.ok).toBe(true);
  });

  it("release removes only our own lock", async () => {
    await acquireLock(t, req("run-A"));
    expect(parseOutput((await t.exec(releaseScript(layout, "run-B"))).stdout).top.get("released")).toBe("notours");
    expect(existsSync(join(layout.stateDir, "lock.d"))).toBe(true);
    expect(parseOutput((await t.exec(releaseScript(layout, "run-A"))).stdout).top.get("released")).toBe("yes");
    expect(existsSync(join(layout.stateDir, "lock.d"))).toBe(false);
    expect(parseOutput((await t.exec(releaseScript(layout, "run-A"))).stdout).top.get("released")).toBe("absent");
  });

  it("unlock removes any lock and says whose it was", async () => {
    await acquireLock(t, req("run-A"));
    const out = parseOutput((await t.exec(forceUnlockScript(layout))).stdout);
    expect(out.top.get("result")).toBe("removed");
    expect(out.owner.get("run_id")).toBe("run-A");
    expect(parseOutput((await t.exec(forceUnlockScript(layout))).stdout).top.get("result")).toBe("none");
  });

  it("an unwritable state dir is an error, not 'held'", async () => {
    const file = join(layout.stateDir, "..");
    mkdirSync(file, { recursive: true });
    writeFileSync(layout.stateDir, "a file where the dir should be");
    const r = await acquireLock(t, req("run-A"));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.kind).toBe("error");
  });

  it("decideLock is pure: held by a live run", () => {
    const out = parseOutput("result=held\nboot=b1\nnow=1000\nowner.run_id=r1\nowner.controller=c\nowner.since=s\nowner.node_since=900\nowner.boot_id=b1\n");
    expect(decideLock(out, "n", "r2").kind).toBe("held");
    expect(decideLock(out, "n", "r1").kind).toBe("acquired");
    expect(decideLock(out, "n", "r2", 50).kind).toBe("stale");
  });
});

describe("applied marker and audit log", () => {
  it("the marker is reported by the next lock attempt for that plan", async () => {
    const m = { planId: "p-1", runId: "run-A", appliedAt: "2026-11-25T09:00:00.000Z", controller: "alice@ctl" };
    const out = parseOutput((await t.exec(markerScript(layout, m))).stdout);
    expect(out.top.get("marked")).toBe("yes");
    expect(existsSync(join(layout.stateDir, "applied/p-1.tmp"))).toBe(false);
    const r = await acquireLock(t, req("run-B"));
    expect(r).toMatchObject({ ok: true, applied: m });
  });

  it("one JSON line per applied step; concurrent writers never interleave lines", async () => {
    const result = host("node1", [step("read-value", "ok"), step("set-value", "changed", { commands: ["sysctl -w x=1"] }), step("other", "failed", { commands: ["false"], message: "exit 1 with 'quotes' and \"dq\" $(not run)" })], { status: "failed" });
    const ctx = { creator: { who: "alice@ctl", ci: { user: "alice" } }, runId: "run-A", planId: "p-1", playbook: { path: "pb.yml", sha256: "c".repeat(64) } };
    const lines = auditRecords(ctx, result, "2026-11-25T09:00:00.000Z").map((r) => auditLine(r, (s) => s));
    expect(lines).toHaveLength(2);
    const writers = Array.from({ length: 4 }, () => t.exec(auditScript(layout, Array.from({ length: 50 }, () => lines).flat())));
    const outs = await Promise.all(writers);
    for (const o of outs) expect(parseOutput(o.stdout).top.get("audited")).toBe("yes");
    const text = readFileSync(layout.auditFile, "utf8").trimEnd().split("\n");
    expect(text).toHaveLength(400);
    const recs = text.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs[1]).toEqual({
      time: "2026-11-25T09:00:00.000Z", who: "alice@ctl", ci_user: "alice", run_id: "run-A", plan_id: "p-1",
      playbook: { path: "pb.yml", sha256: "c".repeat(64) }, host: "node1", step: { id: "other", name: "other" }, event: "step", result: "failed",
      message: "exit 1 with 'quotes' and \"dq\" $(not run)",
    });
  });

  it("a very long message is cut to keep the line one write", () => {
    const ctx = { creator: { who: "a@b" }, runId: "r", playbook: { path: "p", sha256: "c" } };
    const [rec] = auditRecords(ctx, host("n", [step("s", "changed", { message: "x".repeat(10_000), commands: ["c"] })]), "t");
    const line = auditLine(rec!, (s) => s);
    expect(line.length).toBeLessThanOrEqual(3500);
    expect(JSON.parse(line).message).toMatch(/… \(cut\)$/);
  });

  it("joined scripts all run even if one fails", async () => {
    const out = parseOutput((await t.exec(joinScripts(["false", "echo a=1", "exit_status_ignored=1; echo b=2"]))).stdout);
    expect([out.top.get("a"), out.top.get("b")]).toEqual(["1", "2"]);
  });
});
