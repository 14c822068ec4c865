// The run pipeline's typed outcomes, failure classification, audit-as-it-happens, one connection per host,
// hosts moving on their own, and checks paying their timeout once. Fake hosts, no real time budgets.
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPlaybook } from "../../../src/playbook/index.js";
import { runPlaybook, type RunOptions } from "../../../src/engine/runner.js";
import type { AuditEntry, GateLock, HostGate } from "../../../src/engine/gate.js";
import type { Playbook } from "../../../src/model/playbook.js";
import type { RunEvent } from "../../../src/model/events.js";
import type { HostResult } from "../../../src/model/outcome.js";
import type { PutResult, Transport } from "../../../src/transport/transport.js";
import { TransportError } from "../../../src/errors.js";
import { exitCodeForRun } from "../../../src/cli/exit-codes.js";
import { batchResults } from "../../../src/engine/batch-script.js";
import { CheckDeadlines, runBatch } from "../../../src/engine/batch-run.js";
import { LocalTransport } from "../../../src/transport/local.js";
import { ManualTimers } from "../../helpers/manual-timers.js";
import { FakeConnector, FakeHost, instantClock, type Handler } from "../../helpers/fake-host.js";

async function playbook(text: string): Promise<Playbook> {
  const dir = mkdtempSync(join(tmpdir(), "remedy-pipe-"));
  writeFileSync(join(dir, "pb.yml"), text);
  return loadPlaybook(join(dir, "pb.yml"));
}

/** Records every gate call with the transport it came through. */
class FakeGate implements HostGate {
  readonly calls: Array<{ op: string; host: string; t: Transport; entry?: AuditEntry }> = [];
  private readonly locked = new Set<string>();
  constructor(private readonly refuse = new Map<string, GateLock>()) {}
  async lock(host: string, t: Transport): Promise<GateLock> {
    this.calls.push({ op: "lock", host, t });
    const r = this.refuse.get(host) ?? { ok: true };
    if (r.ok) this.locked.add(host);
    return r;
  }
  async release(host: string, t: Transport) {
    this.calls.push({ op: "release", host, t });
    this.locked.delete(host);
  }
  async audit(host: string, t: Transport, entry: AuditEntry) {
    this.calls.push({ op: "audit", host, t, entry });
    return true;
  }
  held() {
    return [...this.locked];
  }
  async end(host: string, t: Transport, _r: HostResult) {
    this.calls.push({ op: "end", host, t });
    this.locked.delete(host);
    return [];
  }
  audits(host: string) {
    return this.calls.filter((c) => c.op === "audit" && c.host === host).map((c) => `${c.entry!.event}:${c.entry!.action ?? c.entry!.result}${c.entry!.ok === false ? ":failed" : ""}`);
  }
}

/** A connector that counts connections and can hold one host's connect until released. */
class CountingConnector extends FakeConnector {
  readonly gets: string[] = [];
  readonly reconnects: string[] = [];
  private readonly held = new Map<string, Promise<void>>();
  hold(host: string): () => void {
    let release!: () => void;
    this.held.set(host, new Promise<void>((r) => (release = r)));
    return release;
  }
  override async get(host: string) {
    this.gets.push(host);
    await this.held.get(host);
    return super.get(host);
  }
  override reconnect(host: string) {
    this.reconnects.push(host);
    return super.get(host);
  }
}

async function run(pb: Playbook, hosts: Map<string, FakeHost>, o: Partial<RunOptions> = {}) {
  const events: RunEvent[] = [];
  const connector = (o.connector as CountingConnector | undefined) ?? new CountingConnector(hosts);
  const r = await runPlaybook({ mode: "apply", playbook: pb, hosts: [...hosts.keys()], varsFor: () => ({ ...pb.vars }), groups: {}, connector, emit: (e) => events.push(e), signal: new AbortController().signal, clock: instantClock, forks: 10, ...o });
  return { r, events, code: exitCodeForRun(r.summary), steps: events.filter((e) => e.type === "step_end") as Array<Extract<RunEvent, { type: "step_end" }>> };
}

const GUARDED = `
name: guarded
hosts: all
steps:
  - name: runc is new enough
    id: gate
    check: { run: "cat /runc-version", expect_exit: [0], compliant: { stdout: "^new" } }
    apply:
      - fail: "runc {{ host }} is older than 1.0.0-rc94: run runc-upgrade first"
  - name: value set
    id: value
    check: { run: "cat /value", expect_exit: [0], compliant: { equals: "1" } }
    apply: ["echo 1 > /value"]
`;

const handlers: Array<[RegExp, Handler]> = [
  [/^cat \/runc-version$/, (_m, s) => ({ stdout: `${s.get("runc")}\n` })],
  [/^cat \/value$/, (_m, s) => ({ stdout: `${s.get("value") ?? "0"}\n` })],
  [/^echo 1 > \/value$/, (_m, s) => (s.set("value", "1"), {})],
  [/^restore-value$/, (_m, s) => (s.set("restored", "yes"), {})],
];

describe("would_fail: a dry run predicts a refusal instead of a pending change", () => {
  let pb: Playbook;
  beforeAll(async () => (pb = await playbook(GUARDED)));

  it("check: the step whose apply reaches `fail:` is would_fail with the reason; exit 1; counted apart", async () => {
    const old = new FakeHost("old", handlers, { runc: "old" });
    const ok = new FakeHost("ok", handlers, { runc: "new" });
    const { r, code, steps } = await run(pb, new Map([["old", old], ["ok", ok]]), { mode: "check" });
    expect(code).toBe(1);
    const s = steps.find((x) => x.host === "old" && x.step === "gate")!;
    expect(s.status).toBe("would_fail");
    expect(s.message).toBe("runc old is older than 1.0.0-rc94: run runc-upgrade first");
    expect(r.hosts.find((h) => h.host === "old")).toMatchObject({ status: "would_fail" });
    expect(r.hosts.find((h) => h.host === "ok")).toMatchObject({ status: "would_change" });
    expect(r.summary.totals).toMatchObject({ would_fail: 1, would_fail_hosts: 1, would_change: 1, failed: 0 });
    // the prediction is right: the apply on that host fails at that step
    const a = await run(pb, new Map([["old", old]]), { gate: new FakeGate() });
    expect(a.code).toBe(1);
    expect(a.steps[0]).toMatchObject({ status: "failed", phase: "apply", message: "runc old is older than 1.0.0-rc94: run runc-upgrade first" });
  });

  it("a compliant fleet exits 0; only pending changes exit 2", async () => {
    const ok = new FakeHost("ok", handlers, { runc: "new" });
    expect((await run(pb, new Map([["ok", ok]]), { mode: "check" })).code).toBe(2);
    ok.state.set("value", "1");
    expect((await run(pb, new Map([["ok", ok]]), { mode: "check" })).code).toBe(0);
  });
});

const COPY = `
name: copy
hosts: all
steps:
  - name: config written
    id: cfg
    check: { run: "cat /value", expect_exit: [0], compliant: { equals: "1" } }
    apply:
      - copy: { content: "x=1\\n", dest: /etc/nodir/app.conf }
    rollback: ["restore-value"]
  - name: later
    id: later
    check: { run: "cat /value", expect_exit: [0], compliant: { equals: "1" } }
    apply: ["echo 1 > /value"]
`;

class PutFails extends FakeHost {
  constructor(host: string, private readonly how: "nodir" | "lost") {
    super(host, handlers);
  }
  override async put(): Promise<PutResult> {
    if (this.how === "lost") {
      this.connected = false;
      throw new TransportError(this.host, "closed", `connection to ${this.host} was lost`);
    }
    throw new TransportError(this.host, "sftp", `directory /etc/nodir does not exist on ${this.host} (writing /etc/nodir/app.conf); create it first`);
  }
}

describe("failure classification: only losing the host is unreachable", () => {
  let pb: Playbook;
  beforeAll(async () => (pb = await playbook(COPY)));

  it("a copy to a missing directory fails the step in the apply phase with the real reason; the rollback runs; audited", async () => {
    const h = new PutFails("n1", "nodir");
    const gate = new FakeGate();
    const { r, code, steps } = await run(pb, new Map([["n1", h]]), { gate });
    expect(code).toBe(1);
    expect(r.hosts[0]).toMatchObject({ status: "failed" });
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ status: "failed", phase: "apply", rollback: { ran: true, ok: true } });
    expect(steps[0]!.message).toMatch(/directory \/etc\/nodir does not exist on n1.*; rollback ran and succeeded$/);
    expect(h.state.get("restored")).toBe("yes");
    expect(gate.audits("n1")).toEqual([
      "intent:copy <inline> -> /etc/nodir/app.conf",
      "result:copy <inline> -> /etc/nodir/app.conf:failed",
      "intent:restore-value",
      "result:restore-value",
      "step:failed",
    ]);
  });

  it("a connection lost during the copy makes the host unreachable (exit 3)", async () => {
    const h = new PutFails("n1", "lost");
    const { r, code } = await run(pb, new Map([["n1", h]]), { gate: new FakeGate() });
    expect(code).toBe(3);
    expect(r.hosts[0]).toMatchObject({ status: "unreachable" });
    expect(r.hosts[0]!.steps[0]).toMatchObject({ status: "unreachable" });
  });

  it("a lock that cannot be taken fails the host with the reason, before any step; host_end is emitted", async () => {
    const h = new FakeHost("n1", handlers);
    const gate = new FakeGate(new Map([["n1", { ok: false, kind: "held", message: "locked on n1 by run other from controller bob@x" } as GateLock]]));
    const { r, code, events } = await run(pb, new Map([["n1", h]]), { gate });
    expect(code).toBe(1);
    expect(r.hosts[0]).toMatchObject({ status: "failed", endedIn: "lock", message: "locked on n1 by run other from controller bob@x" });
    expect(events.filter((e) => e.type === "step_start")).toEqual([]);
    expect(events.some((e) => e.type === "host_end" && e.host === "n1" && e.status === "failed")).toBe(true);
    expect(h.log.some((c) => c.startsWith("echo"))).toBe(false);
  });
});

describe("one connection per host, owned by the engine", () => {
  it("apply --yes: one connect per host; lock, facts, checks, steps, audit and unlock all go through it", async () => {
    const pb = await playbook(GUARDED);
    const hosts = new Map(["a", "b", "c"].map((n) => [n, new FakeHost(n, handlers, { runc: "new" })]));
    const connector = new CountingConnector(hosts);
    const gate = new FakeGate();
    const { code } = await run(pb, hosts, { gate, connector });
    expect(code).toBe(0);
    expect(connector.gets.sort()).toEqual(["a", "b", "c"]);
    expect(connector.reconnects).toEqual([]);
    for (const [n, h] of hosts) {
      const ops = gate.calls.filter((c) => c.host === n);
      expect(ops.map((c) => c.op)[0]).toBe("lock");
      expect(ops.at(-1)!.op).toBe("end");
      expect(ops.every((c) => c.t === h)).toBe(true);
    }
  });
});

describe("hosts move on their own", () => {
  it("healthy hosts end (locked, applied, unlocked) while a slow host is still connecting", async () => {
    const pb = await playbook(GUARDED);
    const hosts = new Map(["fast1", "fast2", "slow"].map((n) => [n, new FakeHost(n, handlers, { runc: "new" })]));
    const connector = new CountingConnector(hosts);
    const release = connector.hold("slow");
    const events: RunEvent[] = [];
    const gate = new FakeGate();
    const done = runPlaybook({ mode: "apply", playbook: pb, hosts: ["slow", "fast1", "fast2"], varsFor: () => ({}), groups: {}, connector, emit: (e) => events.push(e), signal: new AbortController().signal, clock: instantClock, forks: 10, gate });
    // wait (without a clock) until both healthy hosts ended
    for (let i = 0; i < 1000 && events.filter((e) => e.type === "host_end").length < 2; i++) await new Promise((r) => setImmediate(r));
    const ended = events.filter((e) => e.type === "host_end").map((e) => (e as { host: string }).host).sort();
    expect(ended).toEqual(["fast1", "fast2"]);
    expect(gate.calls.filter((c) => c.op === "end").map((c) => c.host).sort()).toEqual(["fast1", "fast2"]);
    expect(events.some((e) => e.type === "host_phase" && e.host === "slow" && e.phase === "lock")).toBe(false);
    release();
    const r = await done;
    expect(r.hosts.map((h) => h.status)).toEqual(["changed", "changed", "changed"]);
  });
});

describe("a check's timeout is paid once", () => {
  it("each batched check carries its own deadline, armed as its start mark arrives", () => {
    const clock = new ManualTimers();
    const d = new CheckDeadlines([{ command: "sleep 60", timeoutSec: 5 }, { command: "true", timeoutSec: 30 }], "REMEDY-t", clock, () => undefined);
    d.feed("\nREMEDY-t-OUT 0\n");
    d.feed("\nREMEDY-t-ERR 0 0\n\nREMEDY-t-OUT 1\n");
    expect(clock.armed).toEqual([5000, 30_000]);
  });

  it("a check killed at its own deadline is reported timed out and the next check still runs (real sh)", async () => {
    const items = [{ command: "sleep 30", timeoutSec: 1 }, { command: "echo after", timeoutSec: 5 }];
    const t = new LocalTransport("local");
    const b = await runBatch(t, items, { become: false, signal: new AbortController().signal });
    expect(b.results.get("sleep 30")).toMatchObject({ exitCode: null, timedOut: true });
    expect(b.results.get("echo after")).toMatchObject({ exitCode: 0, stdout: "after\n" });
  });

  it("when the batch itself is cut off, the check that was running counts as timed out and is not run again", async () => {
    const items = [{ command: "a", timeoutSec: 5 }, { command: "hung", timeoutSec: 5 }, { command: "c", timeoutSec: 5 }];
    const got = new Map([[0, { exitCode: 0, stdout: "", stderr: "", durationMs: 1 }]]);
    const r = batchResults(items, got, { exitCode: null, signal: "KILL", timedOut: true, stdout: "", stderr: "", durationMs: 1 });
    expect(r.get("hung")).toMatchObject({ timedOut: true });
    expect(r.has("c")).toBe(false);

    const pb = await playbook(`
name: hung
hosts: all
steps:
  - name: hung check
    check: { run: "hung-tool status", timeout: 5, expect_exit: [0], compliant: { exit: 0 } }
    apply: ["true"]
  - name: other
    check: { run: "cat /value", timeout: 5, expect_exit: [0], compliant: { exit: 0 } }
    apply: ["true"]
`);
    // the batch (facts + both checks) reports the hung check as killed by its own timeout
    const h = new FakeHost("n1", [[/REMEDY-/, () => "hang"], [/^cat \/value$/, () => ({ stdout: "0\n" })]]);
    const { steps } = await run(pb, new Map([["n1", h]]), { mode: "check" });
    expect(steps[0]).toMatchObject({ status: "failed", phase: "check" });
    expect(steps[0]!.message).toMatch(/timed out after 5s/);
    expect(h.log.filter((c) => c === "hung-tool status")).toHaveLength(0);
  });
});
