// --junit output validated against the vendored Jenkins xUnit junit-10.xsd (test/fixtures/plan/).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { JunitCollector } from "../../../src/report/junit.js";
import type { RunEvent } from "../../../src/model/events.js";
import { loadSchema, parseXml, validate } from "./xsd-lite.js";

const schema = loadSchema(readFileSync(new URL("../../fixtures/plan/junit-10.xsd", import.meta.url), "utf8"));
const problemsOf = (xml: string) => validate(parseXml(xml), schema);

function report(events: RunEvent[]): string {
  const j = new JunitCollector();
  for (const e of events) j.handle(e);
  return j.xml();
}

const time = "2026-11-25T08:00:00.123Z";
const run: RunEvent[] = [
  { type: "run_start", runId: "r", mode: "apply", playbook: "playbooks/sysctl & co.yml", hosts: ["node1", "node2", "node3", "node4"], time },
  { type: "command", host: "node1", step: "s1", phase: "apply", record: { command: "sysctl -w a=1 && echo '<ok>'", exitCode: 0, durationMs: 3, stdout: "a = 1\u0007\n", stderr: "warn: ]]> & <x>" } },
  { type: "step_end", host: "node1", step: "s1", name: "set <a>", status: "changed", durationMs: 1234, time },
  { type: "step_end", host: "node1", step: "s2", name: "verify \"b\"", status: "failed", message: "verify failed: got 0, want 1 & more", durationMs: 10, time },
  { type: "step_end", host: "node1", step: "s3", name: "only el9", status: "skipped", message: "condition is false: facts.os_major == 9", durationMs: 0, time },
  { type: "host_end", host: "node1", status: "failed", message: "verify failed", time },
  { type: "step_end", host: "node2", step: "s1", name: "set <a>", status: "ok", durationMs: 5, time },
  { type: "host_end", host: "node2", status: "ok", time },
  { type: "host_end", host: "node3", status: "unreachable", message: "connect ECONNREFUSED 127.0.0.1:22", time },
  { type: "host_end", host: "node4", status: "untouched", message: "not started: the failure budget was exceeded", time },
];

describe("JUnit XML against junit-10.xsd", () => {
  it("the vendored schema is read as expected", () => {
    expect([...schema.elements.keys()]).toEqual(expect.arrayContaining(["testsuites", "testsuite", "testcase", "failure", "skipped", "system-out", "stackTrace"]));
  });

  it("a run with changed, failed, skipped, ok, unreachable and untouched hosts validates", () => {
    const xml = report(run);
    expect(problemsOf(xml)).toEqual([]);
    const doc = parseXml(xml);
    expect(doc.name).toBe("testsuites");
    expect(doc.attrs.get("tests")).toBe("6");
    expect(doc.attrs.get("failures")).toBe("1");
    expect(doc.attrs.get("errors")).toBe("1"); // the unreachable host
    const suites = doc.children;
    expect(suites.map((s) => s.attrs.get("name"))).toEqual(["node1", "node2", "node3", "node4"]);
    const n1 = suites[0]!;
    expect([n1.attrs.get("tests"), n1.attrs.get("failures"), n1.attrs.get("skipped"), n1.attrs.get("time")]).toEqual(["3", "1", "1", "1.244"]);
    expect(n1.children.filter((c) => c.name === "testcase").map((c) => c.attrs.get("name"))).toEqual(["set <a>", 'verify "b"', "only el9"]);
    expect(n1.children[0]!.children.find((c) => c.name === "system-out")!.text).toContain("echo '<ok>'");
    expect(n1.children[1]!.children[0]!.attrs.get("message")).toBe("verify failed: got 0, want 1 & more");
    expect(suites[2]!.children[0]!.children[0]!.name).toBe("error");
    expect(suites[3]!.children[0]!.children[0]!.name).toBe("skipped");
  });

  it("an empty run validates too", () => {
    expect(problemsOf(report([{ type: "run_start", runId: "r", mode: "check", playbook: "p.yml", hosts: [], time }]))).toEqual([]);
  });

  it("the validator rejects what junit-10.xsd rejects", () => {
    const ok = report(run);
    expect(problemsOf(ok.replace(/<testsuites ([^>]*)>/, '<testsuites $1 skipped="1">'))).toEqual(['/testsuites: attribute "skipped" not allowed']);
    expect(problemsOf(ok.replace('<testcase name="set &lt;a&gt;"', "<testcase"))[0]).toMatch(/required attribute "name" missing/);
    expect(problemsOf(ok.replace(/time="1\.244"/, 'time="1.2s"'))[0]).toMatch(/does not match SUREFIRE_TIME/);
    expect(problemsOf(`<testsuites><testcase name="x"/></testsuites>`)[0]).toMatch(/children <testcase> do not fit/);
    expect(problemsOf(`<testsuites><testsuite name="a" tests="1" failures="0" errors="0">stray text</testsuite></testsuites>`)[0]).toMatch(/text not allowed/);
    expect(() => parseXml(ok.replace("</testsuites>", ""))).toThrow(/never closed/);
    expect(() => parseXml("<a>\u0001</a>")).toThrow(/not allowed in XML 1.0/);
    expect(() => parseXml("<a>x & y</a>")).toThrow(/entity/);
  });
});
