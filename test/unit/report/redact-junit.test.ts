import { describe, expect, it } from "vitest";
import { Redactor, secretValues } from "../../../src/report/redact.js";
import { JunitCollector } from "../../../src/report/junit.js";

describe("redaction", () => {
  it("masks values of secret-looking vars everywhere in an event", () => {
    const r = new Redactor();
    r.add(secretValues({ ansible_become_pass: "hunter22", api_token: "tok-123", kernel: "5.4" }));
    const e = r.event({ type: "step_end", host: "n1", step: "s", name: "s", status: "failed", message: "curl -H 'X: tok-123' failed", commands: ["echo hunter22 | sudo -S", "uname -r | grep 5.4"], durationMs: 1, time: "t" });
    expect(JSON.stringify(e)).not.toMatch(/hunter22|tok-123/);
    expect(JSON.stringify(e)).toContain("5.4");
  });
});

describe("junit", () => {
  it("one testcase per host x step, failures and skips marked, unreachable host as error", () => {
    const j = new JunitCollector();
    const time = "t";
    j.handle({ type: "run_start", runId: "r", mode: "apply", playbook: "p.yml", hosts: ["a", "b"], time });
    j.handle({ type: "step_end", host: "a", step: "s1", name: "first <step>", status: "changed", durationMs: 5, time });
    j.handle({ type: "step_end", host: "a", step: "s2", name: "second", status: "failed", message: "verify failed & more", durationMs: 5, time });
    j.handle({ type: "step_end", host: "a", step: "s3", name: "third", status: "skipped", message: "cgroup v2", durationMs: 0, time });
    j.handle({ type: "host_end", host: "b", status: "unreachable", message: "connect ECONNREFUSED", time });
    const xml = j.xml();
    expect(xml).toContain('<testsuites name="p.yml" tests="4" failures="1" errors="1" time="0.010">');
    expect(xml).toMatch(/<testsuite name="a" tests="3" failures="1" errors="0" skipped="1" time="0.010"/);
    expect(xml).toContain("first &lt;step&gt;");
    expect(xml).toContain('message="verify failed &amp; more"');
    expect(xml).toContain('<skipped message="cgroup v2"/>');
    expect(xml).toMatch(/<testsuite name="b"[^>]*failures="0" errors="1"/);
    expect(xml).toContain('<error message="connect ECONNREFUSED" type="unreachable">');
  });
});
