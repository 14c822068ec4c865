// Outcomes through the CLI in-process on "hosts" that are this machine (ansible_connection=local), with the
// node state dir and audit log in a temp dir: would_fail in check/plan/show/prompt, tag typos, a copy to a
// missing directory, and one run id across events, journal, lock owner, audit lines and JUnit.
import { beforeEach, describe, expect, it } from "vitest";
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli } from "../../helpers/cli.js";
import { useLocalTarget } from "../../helpers/local-target.js";

const PLAYBOOK = `
name: outcomes
hosts: nodes
vars:
  work: ""
steps:
  - name: runc is new enough
    id: guard
    tags: [guard]
    check:
      run: "if [ -e {{ work }}/{{ host }}.old ]; then echo old; else echo new; fi"
      expect_exit: [0]
      compliant: { stdout: "^new" }
    apply:
      - fail: "runc on {{ host }} is older than 1.0.0-rc94: run runc-upgrade.yml first"
  - name: flag written
    id: flag
    tags: [flag]
    check:
      run: "cat {{ work }}/{{ host }}.flag"
      expect_exit: [0, 1]
      compliant: { equals: "1" }
    apply:
      - "echo 1 > {{ work }}/{{ host }}.flag"
`;

const COPY = `
name: copy to a missing dir
hosts: nodes
vars:
  work: ""
steps:
  - name: config in place
    id: cfg
    check:
      run: "cat {{ work }}/missing/{{ host }}.conf"
      expect_exit: [0, 1]
      compliant: { equals: "x=1" }
    apply:
      - "echo before > {{ work }}/{{ host }}.state"
      - copy: { content: "x=1\\n", dest: "{{ work }}/missing/{{ host }}.conf" }
    rollback:
      - "echo rolled-back > {{ work }}/{{ host }}.state"
`;

// hosts n1, n2 on this machine; the target state dir and audit log in a temp dir (short layout: target/state, target/audit.jsonl)
const target = useLocalTarget("remedy-outcomes-", { state: "state", audit: "audit.jsonl" });
let root: string;
let work: string;
let inv: string;
let pb: string;
const audit = () => target.audit();
const args = (file: string, ...more: string[]) => [file, "-i", inv, "-e", `work=${work}`, ...more];

beforeEach(() => {
  ({ root, work, inv } = target);
  pb = join(work, "outcomes.yml");
  writeFileSync(pb, PLAYBOOK);
  writeFileSync(join(work, "n1.old"), "");
});

describe("would_fail: a dry run never calls a refusal a pending change", () => {
  it("check exits 1 and shows WOULD FAIL with the reason, apart from would change", async () => {
    const r = await cli(["check", ...args(pb)]);
    expect(r.code, r.stderr).toBe(1);
    // shown apart from would change: its own mark and label, with the reason (grouped results, src/report/group.ts)
    expect(r.stdout).toContain("! [n1] runc is new enough: would fail (runc on n1 is older than 1.0.0-rc94: run runc-upgrade.yml first)");
    expect(r.stdout, r.stdout).toMatch(/runc is new enough\n  ! would fail — 1 host: n1\n/);
    expect(r.stdout).toMatch(/flag written\n  ~ would change — 1 host: n2\n/);
    expect(r.stdout).toMatch(/1 would fail.*1 hosts would fail/);
  });

  it("plan exits 1; the plan file and show carry would_fail; such a plan cannot be applied", async () => {
    const file = join(root, "plan.json");
    const r = await cli(["plan", ...args(pb, "-o", file)]);
    expect(r.code, r.stderr).toBe(1);
    const doc = JSON.parse(readFileSync(file, "utf8"));
    expect(doc.summary).toMatchObject({ hosts_to_change: 1, would_fail_hosts: 1 });
    expect(doc.hosts[0]).toMatchObject({ name: "n1", status: "would_fail" });
    expect(doc.hosts[0].steps[0]).toMatchObject({ id: "guard", status: "would_fail", message: "runc on n1 is older than 1.0.0-rc94: run runc-upgrade.yml first" });
    const show = await cli(["show", file]);
    expect(show.stdout).toContain("WOULD FAIL runc is new enough: runc on n1 is older than 1.0.0-rc94");
    const apply = await cli(["apply", ...args(pb, "--plan", file)]);
    expect(apply.code).toBe(5);
    expect(apply.stderr).toContain("n1 was would_fail at plan time");
    expect(existsSync(join(work, "n2.flag"))).toBe(false);
  });

  it("the interactive apply does not offer a host whose apply would fail", async () => {
    const r = await cli(["apply", ...args(pb)], { tty: true, answer: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Not offered .*n1 \(would_fail\)/);
    expect(r.stdout).not.toMatch(/Pending changes:[\s\S]*  n1:/);
    expect(readFileSync(join(work, "n2.flag"), "utf8")).toBe("1\n");
    expect(existsSync(join(work, "n1.flag"))).toBe(false);
  });
});

describe("a tag filter that selects nothing is invalid input", () => {
  it.each([["-t", "nosuchtag"], ["--tags", "flg"]])("check %s %s: exit 4 listing the known tags, nothing run", async (flag, value) => {
    const r = await cli(["check", ...args(pb, flag, value, "--json")]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`--tags ${value}: no step has this tag; known tags: flag, guard`);
    expect(r.events).toEqual([]);
  });

  it("a known tag still works", async () => {
    const r = await cli(["check", ...args(pb, "-t", "flag")]);
    expect(r.code).toBe(2);
  });
});

describe("a copy to a missing directory fails the step, not the host's reachability", () => {
  it("exit 1, the real reason, the rollback ran, audit lines written", async () => {
    const file = join(work, "copy.yml");
    writeFileSync(file, COPY);
    const r = await cli(["apply", ...args(file, "--yes", "--json")]);
    expect(r.code, r.stderr).toBe(1);
    const end = r.events.find((e) => e.type === "step_end" && e.host === "n1")!;
    expect(end).toMatchObject({ status: "failed", phase: "apply", rollback: { ran: true, ok: true } });
    expect(String(end.message)).toMatch(/does not exist on n1 .*create it first; rollback ran and succeeded/);
    expect(r.events.find((e) => e.type === "host_end" && e.host === "n1")).toMatchObject({ status: "failed" });
    expect(readFileSync(join(work, "n1.state"), "utf8")).toBe("rolled-back\n");
    const lines = audit().filter((a) => a.host === "n1");
    expect(lines.map((a) => `${a.event}:${a.phase ?? ""}:${a.ok ?? a.result}`)).toEqual([
      "intent:apply:undefined",
      "result:apply:true",
      "intent:apply:undefined",
      "result:apply:false",
      "intent:rollback:undefined",
      "result:rollback:true",
      "step::failed",
    ]);
  });
});

describe("one run id everywhere", () => {
  it("events, journal, lock owner, audit lines and JUnit carry the same id; --resume keeps it", async () => {
    const junit = join(root, "run.xml");
    const cwd = work;
    // hold the lock owner's id while the run is in progress: the flag step reads it back
    writeFileSync(pb, PLAYBOOK.replace(`"echo 1 > {{ work }}/{{ host }}.flag"`, `"cat ${join(root, "target/state/lock.d/owner")} > {{ work }}/{{ host }}.owner; echo 1 > {{ work }}/{{ host }}.flag"`));
    rmSync(join(work, "n1.old"));
    const env = { ...process.env, REMEDY_STATE_DIR: join(root, "controller-state") }; // where run journals live
    // one host at a time: n1 and n2 are this one machine and share its lock directory, so n2 finishing
    // (and releasing the lock) while n1's flag step reads the owner file would leave nothing to read
    const r = await cli(["apply", ...args(pb, "--yes", "--json", "--junit", junit, "--forks", "1")], { cwd, env });
    expect(r.code, r.stderr).toBe(0);
    const runId = (r.events.find((e) => e.type === "run_start") as { runId: string }).runId;
    expect(r.events.find((e) => e.type === "run_end")).toMatchObject({ runId, exitCode: 0 });
    expect(readdirSync(join(env.REMEDY_STATE_DIR, "runs"))).toEqual([`${runId}.jsonl`]);
    expect(JSON.parse(readFileSync(join(env.REMEDY_STATE_DIR, "runs", `${runId}.jsonl`), "utf8").split("\n")[0]!)).toMatchObject({ type: "journal", runId });
    expect(readFileSync(join(work, "n1.owner"), "utf8")).toContain(`run_id=${runId}\n`);
    expect(new Set(audit().map((a) => a.run_id))).toEqual(new Set([runId]));
    expect(readFileSync(junit, "utf8")).toContain(`<property name="remedy.run_id" value="${runId}"/>`);

    // resume: same id in the new events and audit lines
    rmSync(join(work, "n2.flag"));
    const again = await cli(["apply", ...args(pb, "--yes", "--json", "--resume", runId)], { cwd, env });
    expect(again.code, again.stderr).toBe(0);
    expect((again.events.find((e) => e.type === "run_start") as { runId: string }).runId).toBe(runId);
    expect(new Set(audit().map((a) => a.run_id))).toEqual(new Set([runId]));
  });
});
