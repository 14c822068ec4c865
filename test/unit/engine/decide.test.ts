import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { decideCheck, actionFailure, matches } from "../../../src/engine/decide.js";
import type { Check } from "../../../src/model/playbook.js";
import type { ExecResult } from "../../../src/transport/transport.js";

interface Case { name: string; check: Check; result: Omit<ExecResult, "durationMs">; decision: string; message?: string }
const cases = JSON.parse(readFileSync(new URL("../../fixtures/engine/checks/cases.json", import.meta.url), "utf8")) as Case[];

describe("decideCheck (recorded outputs)", () => {
  for (const c of cases) {
    it(c.name, () => {
      const d = decideCheck(c.check, { durationMs: 1, ...c.result });
      expect(d.kind).toBe(c.decision);
      if (c.message) expect("message" in d ? d.message : "detail" in d ? d.detail : "reason" in d ? d.reason : "").toContain(c.message);
    });
  }
});

describe("actions", () => {
  const r = (exitCode: number | null, extra: Partial<ExecResult> = {}): ExecResult => ({ exitCode, stdout: "", stderr: "boom", durationMs: 3, ...extra });
  it("a non-zero exit is a failure message, not an exception", () => {
    expect(actionFailure([0], r(2))).toBe("exited 2: boom");
    expect(actionFailure([0, 2], r(2))).toBeUndefined();
    expect(actionFailure([0], r(null, { timedOut: true }), 7)).toMatch(/timed out after 7s/);
  });
  it("match needs every part", () => {
    expect(matches({ exit: [0], stdout: "a" }, r(0, { stdout: "xa" }))).toBe(true);
    expect(matches({ exit: [0], stdout: "a", stdoutNot: "x" }, r(0, { stdout: "xa" }))).toBe(false);
    expect(matches({}, r(1))).toBe(false);
  });
});
