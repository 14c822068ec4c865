import { describe, expect, it } from "vitest";
import { parseExtraVars, parseSerial, intFlag } from "../../../src/cli/options.js";
import { exitCodeFor, ExitCode } from "../../../src/cli/exit-codes.js";

describe("CLI options", () => {
  it("extra vars", () => {
    expect(parseExtraVars(["a=1", "b=x=y", '{"c": true}'])).toEqual({ a: "1", b: "x=y", c: true });
    expect(() => parseExtraVars(["novalue"])).toThrow(/key=value/);
    expect(() => parseExtraVars(["1bad=2"])).toThrow(/not a valid variable name/);
    expect(() => parseExtraVars(["{broken"])).toThrow(/invalid JSON/);
  });
  it("serial", () => {
    expect(parseSerial("1,30%")).toEqual([1, "30%"]);
    expect(() => parseSerial("0")).toThrow(/--serial/);
    expect(() => parseSerial("abc")).toThrow(/--serial/);
  });
  it("forks", () => {
    expect(intFlag("forks", "10", 1, 100)).toBe(10);
    expect(() => intFlag("forks", "0", 1, 100)).toThrow(/--forks "0": expected a whole number from 1 to 100/);
  });
});

describe("exit codes", () => {
  const t = { hosts: 3, failed: 0, unreachable: 0, changed: 0 };
  it.each([
    [{ ...t }, "check", ExitCode.Ok],
    [{ ...t, changed: 2 }, "check", ExitCode.ChangesPending],
    [{ ...t, changed: 2 }, "plan", ExitCode.ChangesPending],
    [{ ...t, changed: 2 }, "apply", ExitCode.Ok],
    [{ ...t, unreachable: 1, changed: 2 }, "check", ExitCode.Unreachable],
    [{ ...t, unreachable: 1, failed: 1 }, "apply", ExitCode.Failed],
    [{ ...t, failed: 1, interrupted: true }, "apply", ExitCode.Interrupted],
  ] as const)("%j in %s → %i", (totals, mode, code) => {
    expect(exitCodeFor(totals, mode)).toBe(code);
  });
});
