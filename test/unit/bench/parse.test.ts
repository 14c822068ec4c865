import { describe, expect, it } from "vitest";
// @ts-expect-error plain .mjs module without types
import { parseAnsibleJson, parseRemedyEvents } from "../../../bench/lib/parse.mjs";

const ev = (o: object) => JSON.stringify(o);
describe("parseRemedyEvents", () => {
  it("pairs each step's check command with its step_end verdict, per host", () => {
    const lines = [
      "warning: something on stderr that leaked",
      ev({ type: "host_start", host: "n1" }),
      ev({ type: "command", host: "n1", step: "", phase: "facts", record: { exitCode: 0, stdout: "kernel=x" } }),
      ev({ type: "step_start", host: "n1", step: "kernel-release", name: "kernel release" }),
      ev({ type: "command", host: "n1", step: "kernel-release", phase: "check", record: { exitCode: 0, stdout: "3.10.0-957.el7.x86_64" } }),
      ev({ type: "step_end", host: "n1", step: "kernel-release", name: "kernel release", status: "ok" }),
      ev({ type: "step_start", host: "n1", step: "kernel-ml-package", name: "kernel-ml package" }),
      ev({ type: "command", host: "n1", step: "kernel-ml-package", phase: "check", record: { exitCode: 1, stdout: "package kernel-ml is not installed" } }),
      ev({ type: "step_end", host: "n1", step: "kernel-ml-package", name: "kernel-ml package", status: "would_change", message: "m" }),
      ev({ type: "host_end", host: "n1", status: "would_change" }),
      ev({ type: "host_end", host: "n2", status: "unreachable" }),
      ev({ type: "run_end", exitCode: 3 }),
      "{broken",
    ].join("\n");
    const r = parseRemedyEvents(lines);
    expect(r.exitCode).toBe(3);
    expect(r.hostStatus.get("n2")).toBe("unreachable");
    const n1 = r.hosts.get("n1");
    expect(n1[0]).toMatchObject({ ok: true, exit: 0, stdout: "3.10.0-957.el7.x86_64" });
    expect(n1[3]).toMatchObject({ ok: false, exit: 1, status: "would_change" });
    expect(n1[1]).toBeUndefined();
    expect(r.hosts.get("n2").every((x: unknown) => x === undefined)).toBe(true);
    expect(r.errors).toHaveLength(1);
  });
});

describe("parseAnsibleJson", () => {
  const doc = {
    plays: [{ tasks: [
      { task: { name: "kernel release" }, hosts: { n1: { rc: 0, stdout: "3.10.0\r\n" }, n2: { unreachable: true, msg: "Failed to connect" } } },
      { task: { name: "kernel-ml package" }, hosts: { n1: { rc: 1, stdout: "package kernel-ml is not installed\r\n", failed_when_result: false } } },
      { task: { name: "something else" }, hosts: { n1: { rc: 0 } } },
    ] }],
    stats: { n1: { ok: 2, failures: 0, unreachable: 0 }, n2: { ok: 0, failures: 0, unreachable: 1 } },
  };
  it("reads rc, stdout and failure per task and host, after any leading warning text", () => {
    const r = parseAnsibleJson(`[WARNING]: noise\n${JSON.stringify(doc)}`);
    expect(r.errors).toEqual([]);
    expect(r.hosts.get("n1")[0]).toMatchObject({ ok: true, exit: 0, stdout: "3.10.0\r\n" });
    expect(r.hosts.get("n1")[3]).toMatchObject({ ok: true, exit: 1 });
    expect(r.hosts.get("n2")[0]).toMatchObject({ ok: false, exit: null });
    expect(r.hostStatus.get("n2")).toBe("unreachable");
  });
  it("reports output that is not JSON", () => {
    expect(parseAnsibleJson("ERROR! the playbook could not be found").errors[0]).toMatch(/not JSON/);
  });
});
