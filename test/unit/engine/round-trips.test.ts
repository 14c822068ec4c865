// Round trips per host, counted at the transport: a playbook of read-only checks costs one exec per host
// (facts and every check in one batch), whatever the number of steps. Real commands run (through
// LocalTransport, i.e. /bin/sh on this machine), so the batch script and its parser are exercised too.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPlaybook } from "../../../src/playbook/index.js";
import { runPlaybook } from "../../../src/engine/runner.js";
import { exitCodeForRun } from "../../../src/cli/exit-codes.js";
import { LocalTransport } from "../../../src/transport/local.js";
import type { Connector } from "../../../src/engine/connector.js";
import type { ExecOptions, ExecResult, Transport } from "../../../src/transport/transport.js";
import type { Mode, RunEvent } from "../../../src/model/events.js";

/** Counts exec calls (one session channel each over SSH) per host around a real transport. */
class CountingConnector implements Connector {
  readonly execs = new Map<string, number>();
  readonly connects = new Map<string, number>();
  private readonly live = new Map<string, Transport>();
  async get(host: string): Promise<Transport> {
    let t = this.live.get(host);
    if (!t) {
      this.connects.set(host, (this.connects.get(host) ?? 0) + 1);
      const inner = new LocalTransport(host);
      await inner.connect();
      const execs = this.execs;
      t = new Proxy(inner, {
        get(target, prop, recv) {
          if (prop === "exec") {
            return (cmd: string, o?: ExecOptions): Promise<ExecResult> => {
              execs.set(host, (execs.get(host) ?? 0) + 1);
              return target.exec(cmd, o);
            };
          }
          const v = Reflect.get(target, prop, recv);
          return typeof v === "function" ? v.bind(target) : v;
        },
      });
      this.live.set(host, t);
    }
    return t;
  }
  reconnect(host: string): Promise<Transport> {
    this.live.delete(host);
    return this.get(host);
  }
  async closeAll(): Promise<void> {
    await Promise.all([...this.live.values()].map((t) => t.close()));
    this.live.clear();
  }
}

// read-only probes that run on any Linux controller and are compliant there (like bench/probes.yml)
const PROBES = [
  `{ run: "uname -r", expect_exit: [0], compliant: { stdout: '^\\d+\\.\\d+' } }`,
  `{ run: "cat /proc/sys/kernel/ostype", expect_exit: [0], compliant: { stdout: '^Linux$' } }`,
  `{ run: "test -d /proc", expect_exit: [0, 1], compliant: { exit: [0, 1] } }`,
  `{ run: "ls /", expect_exit: [0], compliant: { exit: [0] } }`,
  `{ run: "grep -c . /proc/sys/kernel/osrelease", expect_exit: [0, 1], compliant: { exit: [0, 1] } }`,
  `{ run: "printf 'a\\nb\\n'", expect_exit: [0], compliant: { stdout: '^a$' } }`,
  `{ run: "echo err >&2; echo out", expect_exit: [0], compliant: { stdout: '^out$' } }`,
  `{ run: "test -e /no/such/file", expect_exit: [0, 1], compliant: { exit: [1] } }`,
];

async function playbook(steps: number, factSteps = 0): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "remedy-rt-"));
  const lines = ["name: round trips", "hosts: all", "steps:"];
  // `: <i>;` makes every command distinct (identical commands would be run once and shared)
  for (let i = 0; i < steps; i++) lines.push(`  - name: probe ${i + 1}`, `    check: ${PROBES[i % PROBES.length]!.replace('run: "', `run: ": ${i}; `)}`);
  // checks whose command needs a fact can only be sent once the facts are back: a second batch
  for (let i = 0; i < factSteps; i++) lines.push(`  - name: fact probe ${i + 1}`, `    check: { run: "test {{ facts.kernel }} = \\"$(uname -r)\\" && echo same ${i}", expect_exit: [0], compliant: { stdout: '^same' } }`);
  const file = join(dir, "pb.yml");
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

async function run(mode: Mode, steps: number, hosts = ["n1", "n2", "n3"], factSteps = 0) {
  const pb = await loadPlaybook(await playbook(steps, factSteps));
  const connector = new CountingConnector();
  const events: RunEvent[] = [];
  const r = await runPlaybook({
    mode, playbook: pb, hosts, varsFor: () => ({}), groups: {}, connector, emit: (e) => events.push(e),
    signal: new AbortController().signal, clock: { now: () => Date.now(), sleep: async () => undefined, random: () => 0.5 }, forks: hosts.length,
  });
  await connector.closeAll();
  const ends = events.filter((e): e is Extract<RunEvent, { type: "step_end" }> => e.type === "step_end");
  return { r, connector, ends, hosts };
}

describe("round trips per host (counted at the transport)", () => {
  it("8 checks: every step ok, one connection and ONE exec per host (facts + all checks batched)", async () => {
    const { r, connector, ends, hosts } = await run("check", 8);
    expect(exitCodeForRun(r.summary)).toBe(0);
    expect(ends).toHaveLength(8 * hosts.length);
    expect(ends.every((e) => e.status === "ok")).toBe(true);
    for (const h of hosts) {
      expect(connector.connects.get(h)).toBe(1);
      expect(connector.execs.get(h)).toBe(1);
    }
  });

  it("constant in the number of steps: 1, 8 and 24 checks cost the same number of execs per host", async () => {
    const counts = [];
    for (const steps of [1, 8, 24]) {
      const { r, connector, ends } = await run("check", steps, ["n1"]);
      expect(exitCodeForRun(r.summary)).toBe(0);
      expect(ends.filter((e) => e.status === "ok")).toHaveLength(steps);
      counts.push(connector.execs.get("n1"));
    }
    expect(counts).toEqual([1, 1, 1]);
  });

  it("checks that need facts add one batch, not one exec each", async () => {
    for (const factSteps of [1, 8]) {
      const { r, connector, ends } = await run("check", 8, ["n1"], factSteps);
      expect(exitCodeForRun(r.summary)).toBe(0);
      expect(ends.filter((e) => e.status === "ok")).toHaveLength(8 + factSteps);
      expect(connector.execs.get("n1")).toBe(2);
    }
  });

  it("apply with every check compliant needs no more round trips than check", async () => {
    const { r, connector, hosts } = await run("apply", 8);
    expect(exitCodeForRun(r.summary)).toBe(0);
    for (const h of hosts) expect(connector.execs.get(h)).toBe(1);
  });
});
