import { describe, expect, it, beforeAll } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPlaybook } from "../../../src/playbook/index.js";
import { runPlaybook } from "../../../src/engine/runner.js";
import type { Playbook } from "../../../src/model/playbook.js";
import type { RunEvent, Mode } from "../../../src/model/events.js";
import { FakeConnector, FakeHost, instantClock, type Handler } from "../../helpers/fake-host.js";
import { exitCodeForRun } from "../../../src/cli/exit-codes.js";

const code = (r: { summary: Parameters<typeof exitCodeForRun>[0] }) => exitCodeForRun(r.summary);

const PLAYBOOK = `
name: sysctl revert
hosts: all
vars:
  want: "16384"
steps:
  - name: read the value
    check:
      run: "cat /proc/sys/fs/pipe-user-pages-soft"
      expect_exit: [0]
      compliant: { exit: 0 }
      register: current
  - name: only on el7
    when: "facts.os_major == 9"
    when_reason: "EL9 only"
    check: "true"
    apply: ["echo never"]
  - name: set the value
    check:
      run: "sysctl -n fs.pipe-user-pages-soft"
      expect_exit: [0]
      compliant: { equals: "{{ want }}" }
    apply:
      - "sysctl -w fs.pipe-user-pages-soft={{ want }}"
    rollback:
      - "sysctl -w fs.pipe-user-pages-soft={{ current.stdout | trim }}"
`;

let pb: Playbook;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "remedy-hr-"));
  writeFileSync(join(dir, "pb.yml"), PLAYBOOK);
  pb = await loadPlaybook(join(dir, "pb.yml"));
});

const handlers = (opts: { brokenSet?: boolean } = {}): Array<[RegExp, Handler]> => [
  [/^cat \/proc\/sys\/fs\/pipe-user-pages-soft$/, (_m, s) => ({ stdout: `${s.get("pipe")}\n` })],
  [/^sysctl -n fs\.pipe-user-pages-soft$/, (_m, s) => ({ stdout: `${s.get("pipe")}\n` })],
  [/^sysctl -w fs\.pipe-user-pages-soft=(\S+)$/, (m, s) => (opts.brokenSet && m[1] === "16384" ? { stdout: "" } : (s.set("pipe", m[1]!), { stdout: `fs.pipe-user-pages-soft = ${m[1]}\n` }))],
  [/^true$/, () => ({})],
];

async function run(mode: Mode, hosts: Map<string, FakeHost>, down = new Set<string>()) {
  const events: RunEvent[] = [];
  const r = await runPlaybook({
    mode, playbook: pb, hosts: [...hosts.keys(), ...down], varsFor: () => ({ ...pb.vars }), groups: {}, connector: new FakeConnector(hosts, down),
    emit: (e) => events.push(e), signal: new AbortController().signal, clock: instantClock, forks: 5,
  });
  return { r, events, steps: events.filter((e) => e.type === "step_end") as Extract<RunEvent, { type: "step_end" }>[] };
}

describe("host run: check → apply → verify", () => {
  it("dry run reports would_change with the exact commands and changes nothing", async () => {
    const h = new FakeHost("n1", handlers(), { pipe: "163840" });
    const { r, steps } = await run("check", new Map([["n1", h]]));
    expect(code(r)).toBe(2);
    expect(steps.map((s) => s.status)).toEqual(["ok", "skipped", "would_change"]);
    expect(steps[1]!.message).toBe("EL9 only");
    expect(steps[2]!.commands).toEqual(["sysctl -w fs.pipe-user-pages-soft=16384"]);
    expect(h.state.get("pipe")).toBe("163840");
    expect(h.log.some((c) => c.startsWith("sysctl -w"))).toBe(false);
  });

  it("apply changes, verify passes, second check is clean", async () => {
    const h = new FakeHost("n1", handlers(), { pipe: "163840" });
    const hosts = new Map([["n1", h]]);
    const a = await run("apply", hosts);
    expect(code(a.r)).toBe(0);
    expect(a.steps.map((s) => s.status)).toEqual(["ok", "skipped", "changed"]);
    expect(h.state.get("pipe")).toBe("16384");
    const c = await run("check", hosts);
    expect(code(c.r)).toBe(0);
  });

  it("a failed verify runs the rollback with the registered value and fails the host", async () => {
    const h = new FakeHost("n1", handlers({ brokenSet: true }), { pipe: "163840" });
    const { r, steps, events } = await run("apply", new Map([["n1", h]]));
    expect(code(r)).toBe(1);
    expect(steps.at(-1)!.status).toBe("failed");
    expect(steps.at(-1)!.message).toMatch(/verify failed: output is "163840", wanted "16384" \(after 4 attempts\); rollback ran and succeeded/);
    expect(events.some((e) => e.type === "command" && e.phase === "rollback" && e.record.command === "sysctl -w fs.pipe-user-pages-soft=163840")).toBe(true);
  });

  it("an unreachable host gives exit 3 and does not stop the others", async () => {
    const h = new FakeHost("n1", handlers(), { pipe: "16384" });
    const { r } = await run("check", new Map([["n1", h]]), new Set(["n2"]));
    expect(code(r)).toBe(3);
    expect(r.hosts.find((x) => x.host === "n1")!.status).toBe("ok");
    expect(r.hosts.find((x) => x.host === "n2")!.message).toMatch(/ECONNREFUSED/);
  });

  it("a check error (command not found) fails the host and stops its later steps", async () => {
    const h = new FakeHost("n1", [], {});
    const { r, steps } = await run("check", new Map([["n1", h]]));
    expect(code(r)).toBe(1);
    expect(steps).toHaveLength(1);
    expect(steps[0]!.message).toMatch(/exited 127 \(command not found\)/);
  });
});

describe("dry-run rendering", () => {
  it("an action using a value registered earlier in the same apply list is shown, not an error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "remedy-hr2-"));
    writeFileSync(
      join(dir, "pb.yml"),
      `name: reg\nhosts: all\nsteps:\n  - name: two-part\n    check: { run: "cat /proc/sys/fs/pipe-user-pages-soft", expect_exit: [0], compliant: { equals: "1" } }\n    apply:\n      - run: "sysctl -n fs.pipe-user-pages-soft"\n        register: before\n      - "sysctl -w fs.pipe-user-pages-soft={{ before.stdout | trim }}"\n      - fail: "stop on {{ host }}"\n`,
    );
    const p = await loadPlaybook(join(dir, "pb.yml"));
    const h = new FakeHost("n1", handlers(), { pipe: "5" });
    const events: RunEvent[] = [];
    const r = await runPlaybook({ mode: "check", playbook: p, hosts: ["n1"], varsFor: () => ({}), groups: {}, connector: new FakeConnector(new Map([["n1", h]])), emit: (e) => events.push(e), signal: new AbortController().signal, clock: instantClock, forks: 1 });
    // the apply list ends in `fail:`: the dry run predicts a failure (would_fail, exit 1), not a pending change
    expect(code(r)).toBe(1);
    const end = events.find((e) => e.type === "step_end") as Extract<RunEvent, { type: "step_end" }>;
    expect(end.status).toBe("would_fail");
    expect(end.message).toBe("stop on n1");
    expect(end.commands?.[1]).toMatch(/^sysctl -w fs\.pipe-user-pages-soft=\{\{ before\.stdout \| trim \}\}  # .*filled in during apply$/);
    expect(end.commands?.[2]).toBe("fail: stop on n1");
  });
});
