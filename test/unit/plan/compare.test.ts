import { describe, expect, it } from "vitest";
import { approvedFrom, compareHost, compareHosts, compareInputs, type CurrentInputs } from "../../../src/plan/compare.js";
import { exitCodeForRefusals, exitCodeForRun } from "../../../src/cli/exit-codes.js";
import { varsDifferences, planVars } from "../../../src/plan/vars.js";
import { Redactor } from "../../../src/report/redact.js";
import { digest, facts, host, samplePlan, step } from "./fixtures.js";

const plan = samplePlan();
const same = (): CurrentInputs => ({
  playbook: { path: plan.playbook.path, sha256: plan.playbook.sha256 },
  inventory: { path: plan.inventory.path, sha256: plan.inventory.sha256 },
  hosts: [...plan.inventory.hosts],
  vars: { plain: { want: "16384" }, secret: {} },
});
const id = (s: string) => s;

describe("compareInputs: refused before connecting", () => {
  it("identical inputs: nothing to say", () => {
    expect(compareInputs(plan, same())).toEqual([]);
  });

  it.each<[string, (c: CurrentInputs) => void, RegExp]>([
    ["playbook edited", (c) => void (c.playbook.sha256 = digest("e")), /^playbook edited since the plan: playbooks\/sysctl\.yml has sha256 eeeeeeeeeeee…, the plan was made from playbooks\/sysctl\.yml with sha256 cccccccccccc…$/],
    ["inventory edited", (c) => void (c.inventory.sha256 = digest("f")), /^inventory edited since the plan/],
    ["host added", (c) => void c.hosts.push("node3"), /^hosts added since the plan: node3$/],
    ["host removed", (c) => void c.hosts.pop(), /^hosts removed since the plan: node2$/],
    ["extra var changed", (c) => void (c.vars.plain.want = "4096"), /^-e want is "4096" now, "16384" in the plan$/],
    ["extra var dropped", (c) => void (c.vars.plain = {}), /^-e want was "16384" in the plan and is not given now$/],
    ["secret given now", (c) => void (c.vars.secret.api_token = digest("9")), /^secret -e api_token is given now but was not in the plan$/],
    ["other limit", (c) => void (c.limit = "node1"), /^--limit "node1" differs from the plan's \(no limit\)/],
    ["other tags", (c) => void (c.tags = ["sysctl"]), /^--tags "sysctl" differ from the plan's \(no tags\)/],
  ])("%s", (_name, edit, expected) => {
    const c = same();
    edit(c);
    const problems = compareInputs(plan, c);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
  });

  it("a plan with an unreachable host cannot be applied", () => {
    const p = samplePlan([host("node1", [step("set-value", "would_change")]), { host: "node2", status: "unreachable", message: "connect ECONNREFUSED", steps: [] }]);
    expect(compareInputs(p, { ...same(), hosts: ["node1", "node2"] })).toEqual(["the plan is incomplete: node2 was unreachable at plan time (connect ECONNREFUSED); fix it and re-plan"]);
  });

  it("secret vars compare by hash only", () => {
    const r = new Redactor();
    const a = planVars({ db_password: "hunter22" }, r);
    expect(varsDifferences(a, planVars({ db_password: "hunter22" }, r))).toEqual([]);
    expect(varsDifferences(a, planVars({ db_password: "hunter23" }, r))).toEqual(["secret -e db_password has a different value than in the plan (sha256 differs)"]);
    expect(JSON.stringify(a)).not.toContain("hunter22");
  });
});

describe("compareHost: plan vs the check pass", () => {
  const planned = plan.hosts[0]!;
  const fresh = () => host("node1", [step("read-value", "ok"), step("set-value", "would_change")]);

  it("unchanged host: no refusal", () => {
    expect(compareHost(planned, fresh(), id)).toBeUndefined();
  });

  it("rebooted: boot id changed", () => {
    const f = fresh();
    f.facts = facts({ hostname: "node1", boot_id: "99999999-0000-0000-0000-000000000000" });
    expect(compareHost(planned, f, id)?.reasons).toEqual(["rebooted since the plan (boot id 11111111… → 99999999…)"]);
  });

  it("rebooted into another kernel", () => {
    const f = fresh();
    f.facts = facts({ hostname: "node1", boot_id: "99999999-0000-0000-0000-000000000000", kernel: "3.10.0-1160.el7.x86_64" });
    expect(compareHost(planned, f, id)?.reasons).toEqual(["rebooted since the plan (boot id 11111111… → 99999999…)", "running kernel changed since the plan (3.10.0-957.el7.x86_64 → 3.10.0-1160.el7.x86_64)"]);
  });

  it("other facts changed (OS upgraded)", () => {
    const f = fresh();
    f.facts = facts({ hostname: "node1", os_version: "7.9.2009" });
    expect(compareHost(planned, f, id)?.reasons).toEqual(['facts changed since the plan: os_version "7.6.1810" → "7.9.2009"']);
  });

  it("state fixed by hand: step status changed", () => {
    const f = host("node1", [step("read-value", "ok"), step("set-value", "ok")]);
    expect(compareHost(planned, f, id)?.reasons).toEqual(['step "set value": ok now, would_change in the plan (fixed by hand or by another run?)']);
  });

  it("state changed by hand: same status, other check output", () => {
    const f = host("node1", [step("read-value", "ok"), step("set-value", "would_change", { checkDigest: digest("7") })]);
    expect(compareHost(planned, f, id)).toEqual({ host: "node1", kind: "stale", reasons: ['step "set value": the check\'s output changed since the plan (state changed by hand?)'] });
  });

  it("the commands apply would run changed (e.g. a template source file edited)", () => {
    const f = host("node1", [step("read-value", "ok"), step("set-value", "would_change", { commands: ["sysctl -w fs.pipe-user-pages-soft=1"] })]);
    expect(compareHost(planned, f, id)?.reasons).toEqual(['step "set value": the commands apply would run changed since the plan']);
  });

  it("fresh commands are redacted before comparing", () => {
    const r = new Redactor();
    r.add(["tok-secret"]);
    const p = samplePlan([host("node1", [step("push", "would_change", { commands: ["curl -H tok-secret"] })])], {}, r).hosts[0]!;
    expect(compareHost(p, host("node1", [step("push", "would_change", { commands: ["curl -H tok-secret"] })]), (s) => r.text(s))).toBeUndefined();
  });

  it("check now fails", () => {
    const f = host("node1", [step("read-value", "failed", { message: "exit 127: sysctl: not found" })], { status: "failed" });
    expect(compareHost(planned, f, id)?.reasons).toEqual(['step "read value": failed now, ok in the plan (exit 127: sysctl: not found)', 'step "set value": was would_change in the plan and did not run now']);
  });

  it("unreachable now", () => {
    expect(compareHost(planned, { host: "node1", status: "unreachable", message: "connect ETIMEDOUT", steps: [] }, id)).toEqual({ host: "node1", kind: "unreachable", reasons: ["unreachable now: connect ETIMEDOUT"] });
  });

  it("compareHosts covers every planned host", () => {
    const r = compareHosts(plan, [fresh()], id);
    expect(r).toEqual([{ host: "node2", kind: "failed", reasons: ["not checked now (interrupted?)"] }]);
  });
});

describe("approval and exit codes", () => {
  it("approvedFrom: step id → planned status and digest per host", () => {
    const a = approvedFrom(plan);
    expect(a.get("node1")?.steps.get("set-value")).toEqual({ status: "would_change", checkDigest: digest("b") });
    expect(a.get("node2")?.steps.get("set-value")?.status).toBe("ok");
  });

  it("a run failed only by typed plan refusals exits 5; a real failure stays 1 (no message is parsed)", () => {
    const totals = { ok: 0, changed: 0, would_change: 0, would_fail: 0, failed: 1, unreachable: 0, skipped: 0, untouched: 0, would_fail_hosts: 0 };
    const row = { host: "n", status: "failed" as const, ok: 0, changed: 0, would_change: 0, would_fail: 0, failed: 1, skipped: 0 };
    const refused = { mode: "apply" as const, hosts: [{ ...row, refused: "stale" as const, message: "anything at all" }], totals, interrupted: false };
    expect(exitCodeForRun(refused)).toBe(5);
    // the same words in a message of a real failure do not make it a refusal
    expect(exitCodeForRun({ ...refused, hosts: [{ ...row, message: "not in the approved plan (planned status: ok); re-plan" }] })).toBe(1);
    expect(exitCodeForRun({ ...refused, hosts: [{ ...row, status: "changed" as const, failed: 0 }], totals: { ...totals, failed: 0 } })).toBe(0);
  });

  it("refusals before applying: stale/already applied → 5, only unreachable → 3, locked → 1", () => {
    expect(exitCodeForRefusals(["locked", "stale"])).toBe(5);
    expect(exitCodeForRefusals(["already_applied"])).toBe(5);
    expect(exitCodeForRefusals(["unreachable", "unreachable"])).toBe(3);
    expect(exitCodeForRefusals(["unreachable", "locked"])).toBe(1);
  });
});
