import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Journal, loadJournal, parseJournal } from "../../../src/engine/journal.js";

describe("run journal", () => {
  it("records finished hosts; a failed host is redone; a torn last line is ignored", () => {
    const dir = mkdtempSync(join(tmpdir(), "remedy-j-"));
    const j = Journal.create(dir, { runId: "r1", playbook: "p.yml", playbookSha256: "abc", inventorySha256: "def", hosts: ["a", "b", "c"] });
    const t = "t";
    j.handle({ type: "host_end", host: "a", status: "changed", time: t });
    j.handle({ type: "host_end", host: "b", status: "failed", message: "x", time: t });
    j.handle({ type: "command", host: "c", step: "s", phase: "apply", record: { command: "x", exitCode: 0, durationMs: 1, stdout: "", stderr: "" } });
    appendFileSync(j.file, '{"type":"host_end","host":"c","sta');
    const s = loadJournal(dir, "r1");
    expect([...s.finished]).toEqual(["a"]);
    expect(s.header.hosts).toEqual(["a", "b", "c"]);
    expect(readFileSync(j.file, "utf8")).not.toContain('"command"');
  });
  it("says what the earlier run did: the steps it changed or failed and how each host ended", () => {
    const text = [
      { type: "journal", runId: "r1", hosts: ["a", "b"] },
      { type: "step_end", host: "a", step: "s1", name: "first", status: "changed", durationMs: 1, time: "t" },
      { type: "step_end", host: "a", step: "s2", name: "second", status: "ok", durationMs: 1, time: "t" },
      { type: "host_end", host: "a", status: "changed", time: "t" },
      { type: "step_end", host: "b", step: "s1", name: "first", status: "failed", message: "exited 1", durationMs: 1, time: "t" },
    ].map((v) => JSON.stringify(v)).join("\n");
    expect(parseJournal(text, "f").report).toEqual(['a: step "first" changed', "a: changed", 'b: step "first" failed (exited 1)']);
  });
  it("refuses damaged or missing journals clearly", () => {
    expect(() => parseJournal('{"type":"journal"}\nnot json\n{"a":1}\n', "f.jsonl")).toThrow(/f.jsonl:2:1: journal line is not JSON/);
    expect(() => parseJournal('{"type":"host_end"}\n', "f.jsonl")).toThrow(/no header/);
    expect(() => loadJournal(tmpdir(), "nope-123")).toThrow(/no journal at/);
    expect(() => loadJournal(tmpdir(), "../etc")).toThrow(/not a run id/);
  });
});
