// plan → show → apply --plan → refusals, through the CLI in-process, on "hosts" that are this machine
// (ansible_connection=local) with the target state dir and audit log redirected into a temp dir.
import { beforeEach, describe, expect, it } from "vitest";
import { copyFileSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { cli } from "../../helpers/cli.js";
import { useLocalTarget } from "../../helpers/local-target.js";
import { loadSchema, parseXml, validate } from "../../unit/plan/xsd-lite.js";

const FIXTURE = new URL("../../fixtures/plan/local/flags.yml", import.meta.url).pathname;
const target = useLocalTarget("remedy-plan-flow-");
let root: string;
let work: string;
let pb: string;
let inv: string;
let state: string;

const args = (...more: string[]) => [pb, "-i", inv, "-e", `work=${work}`, ...more];
const flag = (h: string) => (existsSync(join(work, `${h}.flag`)) ? readFileSync(join(work, `${h}.flag`), "utf8") : undefined);
const count = (h: string) => (existsSync(join(work, `${h}.count`)) ? readFileSync(join(work, `${h}.count`), "utf8").split("\n").filter(Boolean).length : 0);
const allAuditLines = () => target.audit();
/** the per-step lines (intent/result lines per action come before them) */
const auditLines = () => allAuditLines().filter((a) => a.event === "step");

async function plan(name = "plan.json") {
  const r = await cli(["plan", ...args("-o", join(root, name))]);
  expect(r.code, r.stderr).toBe(2);
  return join(root, name);
}

beforeEach(() => {
  ({ root, work, inv, state } = target);
  pb = join(work, "flags.yml");
  copyFileSync(FIXTURE, pb);
});

describe("plan → apply --plan on local hosts", () => {
  it("plan writes a valid plan, exits 2, changes nothing; show renders it; apply --plan applies it; a second apply is refused", async () => {
    const file = await plan();
    expect(flag("n1")).toBeUndefined();
    const doc = JSON.parse(readFileSync(file, "utf8"));
    expect(doc).toMatchObject({ format: "remedy-plan/1", inventory: { hosts: ["n1", "n2"] }, extra_vars: { work }, summary: { hosts: 2, hosts_to_change: 2, steps_to_change: 4 } });
    expect(doc.hosts[0].steps[0].commands).toEqual([`printf %s 16384 > ${work}/n1.flag && echo applied >> ${work}/n1.count`]);
    expect(doc.hosts[0].fingerprint.boot_id).toBe(readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim());

    const show = await cli(["show", file]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`Plan ${doc.id}`);
    expect(show.stdout).toContain(`$ printf %s 16384 > ${work}/n2.flag`);
    expect(show.stdout).toContain(`checksum   ${doc.checksum}`);
    expect(show.stdout).toMatch(/2 of 2 host\(s\) would change \(4 step\(s\)\)/);
    expect(JSON.parse((await cli(["show", file, "--json"])).stdout).id).toBe(doc.id);

    const junit = join(root, "junit.xml");
    const apply = await cli(["apply", ...args("--plan", file, "--junit", junit)]);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).toContain(`plan ${doc.id}: all 2 host(s) still match the plan`);
    expect([flag("n1"), flag("n2"), count("n1"), count("n2")]).toEqual(["16384", "16384", 1, 1]);
    // audit: one line per applied step, naming who, run, plan, playbook, host, step, result
    const audit = auditLines();
    expect(audit).toHaveLength(4);
    expect(audit.map((a) => `${a.host}:${(a.step as { id: string }).id}:${a.result}`).sort()).toEqual(["n1:flag-file-holds-the-value:changed", "n1:marker-file-exists:changed", "n2:flag-file-holds-the-value:changed", "n2:marker-file-exists:changed"]);
    expect(audit[0]).toMatchObject({ plan_id: doc.id, playbook: { path: pb, sha256: doc.playbook.sha256 } });
    expect(String(audit[0]!.who)).toMatch(/@/);
    // written as it happened: an intent line before each action and a result line after it, one run id throughout
    const all = allAuditLines();
    const n1 = all.filter((a) => a.host === "n1" && (a.step as { id: string }).id === "flag-file-holds-the-value").map((a) => `${a.event}:${a.ok ?? a.result}`);
    expect(n1).toEqual(["intent:undefined", "result:true", "step:changed"]);
    expect(new Set(all.map((a) => a.run_id)).size).toBe(1);
    expect(readdirSync(join(state, "applied"))).toEqual([doc.id]);
    expect(existsSync(join(state, "lock.d"))).toBe(false);
    // junit of the apply validates against junit-10.xsd
    const xsd = loadSchema(readFileSync(new URL("../../fixtures/plan/junit-10.xsd", import.meta.url), "utf8"));
    expect(validate(parseXml(readFileSync(junit, "utf8")), xsd)).toEqual([]);

    const again = await cli(["apply", ...args("--plan", file)]);
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(/already applied on n1 at \d{4}-\d\d-\d\dT[\d:.]+Z \(run [0-9a-f-]+ from /);
    expect(again.stderr).toContain("nothing was applied on any host");
    expect([count("n1"), count("n2"), auditLines().length]).toEqual([1, 1, 4]);
    expect(existsSync(join(state, "lock.d"))).toBe(false);
  });

  it("state changed by hand on one host: refused for every host, nothing applied anywhere", async () => {
    const file = await plan();
    writeFileSync(join(work, "n2.flag"), "4096");
    const r = await cli(["apply", ...args("--plan", file)]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`n2: step "flag file holds the value": the check's output changed since the plan (state changed by hand?)`);
    expect(r.stderr).not.toMatch(/\bn1: /);
    expect([flag("n1"), flag("n2"), count("n1"), count("n2")]).toEqual([undefined, "4096", 0, 0]);
    expect(auditLines()).toEqual([]);
    expect(existsSync(join(state, "lock.d"))).toBe(false);
  });

  it("state fixed by hand: the step is no longer pending, refused", async () => {
    const file = await plan();
    writeFileSync(join(work, "n1.marker"), "");
    const r = await cli(["apply", ...args("--plan", file)]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`n1: step "marker file exists": ok now, would_change in the plan (fixed by hand or by another run?)`);
    expect(count("n1")).toBe(0);
  });

  it.each<[string, () => void, RegExp]>([
    ["playbook edited", () => appendFileSync(pb, "# edited\n"), /playbook edited since the plan: .*flags\.yml has sha256/],
    ["inventory edited", () => appendFileSync(inv, "# edited\n"), /inventory edited since the plan/],
    ["host added", () => appendFileSync(inv, "n3 ansible_connection=local\n"), /hosts added since the plan: n3/],
  ])("%s: exit 5 before connecting", async (_n, edit, expected) => {
    const file = await plan();
    edit();
    const r = await cli(["apply", ...args("--plan", file)]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(expected);
    expect(existsSync(state)).toBe(false); // no lock was ever taken: nothing connected
    expect(count("n1") + count("n2")).toBe(0);
  });

  it("extra vars differ: exit 5", async () => {
    const file = await plan();
    const r = await cli(["apply", ...args("--plan", file, "-e", "want=1")]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/-e want=.*"1".* given now but was not in the plan/);
  });

  it.each<[string, (t: string) => string, RegExp]>([
    ["truncated", (t) => t.slice(0, t.length - 200), /not valid JSON \(truncated\?\)/],
    ["garbled", (t) => t.replace(/"steps": \[/, '"steps": [[[#'), /not valid JSON \(garbled\?\)/],
    ["wrong version", (t) => t.replace('"remedy-plan/1"', '"remedy-plan/9"'), /plan format "remedy-plan\/9" is not supported/],
  ])("%s plan file: exit 4 naming the file, nothing run", async (_n, damage, expected) => {
    const file = await plan();
    writeFileSync(file, damage(readFileSync(file, "utf8")));
    const r = await cli(["apply", ...args("--plan", file)]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(expected);
    expect(existsSync(state)).toBe(false);
    expect((await cli(["show", file])).code).toBe(4);
  });

  it("--json without --plan or --yes never applies (exit 4)", async () => {
    const r = await cli(["apply", ...args("--json")]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/pass --yes, or --plan/);
    expect(r.events).toEqual([]);
    expect(existsSync(state)).toBe(false);
    expect(count("n1") + count("n2")).toBe(0);
  });

  it("two concurrent applies of one plan without waiting: the step runs once; the other fails clearly or is refused", async () => {
    const file = await plan();
    const [a, b] = await Promise.all([cli(["apply", ...args("--plan", file, "--lock-timeout", "0")]), cli(["apply", ...args("--plan", file, "--lock-timeout", "0")])]);
    const codes = [a.code, b.code].sort();
    expect(codes[0]).toBe(0);
    const loser = a.code === 0 ? b : a;
    expect([1, 5]).toContain(loser.code);
    expect(loser.stderr).toMatch(/locked on n\d by run [0-9a-f-]+ from controller .* since .*remedy unlock|already applied on/);
    expect([count("n1"), count("n2")]).toEqual([1, 1]);
    expect(auditLines()).toHaveLength(4);
  });

  it("with --lock-timeout the second apply waits, then finds the plan applied", async () => {
    const file = await plan();
    const [a, b] = await Promise.all([cli(["apply", ...args("--plan", file, "--lock-timeout", "60")]), cli(["apply", ...args("--plan", file, "--lock-timeout", "60")])]);
    expect([a.code, b.code].sort()).toEqual([0, 5]);
    expect((a.code === 5 ? a : b).stderr).toMatch(/already applied on n1/);
    expect([count("n1"), count("n2")]).toEqual([1, 1]);
  });

  it("apply --yes also locks and audits (no plan id)", async () => {
    const r = await cli(["apply", ...args("--yes")]);
    expect(r.code, r.stderr).toBe(0);
    const audit = auditLines();
    expect(audit).toHaveLength(4);
    expect(audit.every((a) => a.plan_id === null)).toBe(true);
    expect(existsSync(join(state, "lock.d"))).toBe(false);
  });

  it("locks taken up front are released when the run then fails to start (bad --resume), and an interactive decline leaves nothing", async () => {
    const r = await cli(["apply", ...args("--yes", "--resume", "no-such-run")]);
    expect(r.code).toBe(4);
    expect(existsSync(join(state, "lock.d"))).toBe(false);
    const declined = await cli(["apply", ...args()], { tty: true, answer: false });
    expect(declined.code).toBe(1); // declined: exit 1, as terraform
    expect(declined.stderr).toContain("Nothing applied.");
    expect(existsSync(join(state, "lock.d"))).toBe(false);
    expect(count("n1") + count("n2")).toBe(0);
    const accepted = await cli(["apply", ...args()], { tty: true, answer: true });
    expect(accepted.code, accepted.stderr).toBe(0);
    expect([count("n1"), count("n2"), auditLines().length]).toEqual([1, 1, 4]);
    expect(existsSync(join(state, "lock.d"))).toBe(false);
  });

  it("a plan that changes nothing exits 0 and applies as a no-op", async () => {
    expect((await cli(["apply", ...args("--yes")])).code).toBe(0);
    const r = await cli(["plan", ...args("-o", join(root, "noop.json"))]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("Nothing to change.");
    const a = await cli(["apply", ...args("--plan", join(root, "noop.json"))]);
    expect(a.code, a.stderr).toBe(0);
    expect(auditLines()).toHaveLength(4);
  });

  it("a node locked by another live run: apply --yes fails that host before changing it", async () => {
    const held = join(state, "lock.d");
    rmSync(held, { recursive: true, force: true });
    const { mkdirSync } = await import("node:fs");
    mkdirSync(held, { recursive: true });
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    writeFileSync(join(held, "owner"), `run_id=other-run\ncontroller=bob@elsewhere\nsince=2026-11-25T07:00:00Z\nnode_since=${Math.floor(Date.now() / 1000)}\nboot_id=${boot}\nplan_id=-\n`);
    const r = await cli(["apply", ...args("--yes", "--lock-timeout", "0")]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain("locked on n1 by run other-run from controller bob@elsewhere since 2026-11-25T07:00:00Z");
    expect(count("n1") + count("n2")).toBe(0);
    expect(readFileSync(join(held, "owner"), "utf8")).toContain("run_id=other-run"); // not ours to release
    const unlock = await cli(["unlock", "-i", inv, "-l", "n1"]);
    expect(unlock.code).toBe(0);
    expect(unlock.stdout).toContain("n1: removed the run lock held by run other-run from controller bob@elsewhere");
    expect(existsSync(held)).toBe(false);
  });
});
