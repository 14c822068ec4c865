// JUnit semantics for CI: Jenkins-safe classname, real durations, unreachable as <error>, pending changes
// failing only with failOnChange (ansible's JUNIT_FAIL_ON_CHANGE); still valid against junit-10.xsd.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classSegment, JunitCollector, type JunitOptions } from "../../../src/report/junit.js";
import type { RunEvent } from "../../../src/model/events.js";
import { loadSchema, parseXml, validate } from "../plan/xsd-lite.js";

const xsd = loadSchema(readFileSync(new URL("../../fixtures/plan/junit-10.xsd", import.meta.url), "utf8"));
const time = "2026-11-25T08:00:00.123Z";
const events: RunEvent[] = [
  { type: "run_start", runId: "r", mode: "check", playbook: "playbooks/sysctl-revert.yml", hosts: ["web1.example.com", "web2.example.com", "db1"], time },
  // batched checks: the step itself ends at once, its command took 1.5 s
  { type: "command", host: "web1.example.com", step: "s1", phase: "check", record: { command: "sysctl -n a", exitCode: 0, durationMs: 1500, stdout: "0", stderr: "" } },
  { type: "step_end", host: "web1.example.com", step: "s1", name: "a is 1", status: "would_change", message: "a is 0", commands: ["sysctl -w a=1"], durationMs: 0, time },
  { type: "step_end", host: "web2.example.com", step: "s1", name: "a is 1", status: "ok", durationMs: 250, time },
  { type: "host_end", host: "db1", status: "unreachable", message: "connect ETIMEDOUT", time },
];

function xml(o?: JunitOptions): string {
  const j = new JunitCollector(o);
  for (const e of events) j.handle(e);
  return j.xml();
}

describe("JUnit for CI", () => {
  it("classname is <playbook>.<host> with no other dot: Jenkins shows the playbook as package, the host as class", () => {
    const doc = parseXml(xml());
    const classnames = doc.children.flatMap((s) => s.children.filter((c) => c.name === "testcase").map((c) => c.attrs.get("classname")));
    expect(classnames).toEqual(["sysctl-revert.web1_example_com", "sysctl-revert.web2_example_com", "sysctl-revert.db1"]);
    expect(classSegment("a b/c.d.yml")).toBe("a_b_c_d");
  });

  it("durations are real: a batched check counts its command's time", () => {
    const doc = parseXml(xml());
    expect(doc.children[0]!.children[0]!.attrs.get("time")).toBe("1.500");
    expect(doc.children[1]!.children[0]!.attrs.get("time")).toBe("0.250");
  });

  it("unreachable is an <error>; pending changes pass by default and fail with failOnChange", () => {
    const plain = parseXml(xml());
    expect(plain.children[2]!.children[0]!.children[0]!.name).toBe("error");
    expect([plain.attrs.get("failures"), plain.attrs.get("errors")]).toEqual(["0", "1"]);
    const strict = parseXml(xml({ failOnChange: true }));
    const wc = strict.children[0]!.children[0]!.children.find((c) => c.name === "failure")!;
    expect(wc.attrs.get("type")).toBe("would_change");
    expect(wc.attrs.get("message")).toBe("a is 0");
    expect([strict.attrs.get("failures"), strict.attrs.get("errors")]).toEqual(["1", "1"]);
    expect(validate(strict, xsd)).toEqual([]);
    expect(validate(plain, xsd)).toEqual([]);
  });
});
