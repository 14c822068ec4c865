// unifiedDiff agrees with GNU diff -u on hunks and counts.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { unifiedDiff } from "../../../src/report/diff.js";

function gnu(a: string, b: string): string {
  const d = mkdtempSync(join(tmpdir(), "remedy-diff-"));
  writeFileSync(join(d, "a"), a);
  writeFileSync(join(d, "b"), b);
  try {
    execFileSync("diff", ["-u", "--label", "a", "--label", "b", join(d, "a"), join(d, "b")], { encoding: "utf8" });
    return "";
  } catch (e) {
    return (e as { stdout: string }).stdout;
  }
}

const base = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
describe("unifiedDiff", () => {
  it.each([
    ["one line changed", base, base.replace("line 10\n", "line ten\n")],
    ["two hunks", base, base.replace("line 2\n", "").replace("line 25\n", "line 25\nadded\n")],
    ["close changes merge", base, base.replace("line 10\n", "x\n").replace("line 14\n", "y\n")],
    ["new file", "", "a\nb\n"],
    ["emptied", "a\nb\n", ""],
    ["prepend and append", base, `first\n${base}last\n`],
  ])("%s: same as diff -u", (_n, a, b) => {
    expect(unifiedDiff(a, b, { from: "a", to: "b" })).toBe(gnu(a, b));
  });
  it("equal is empty; binary and huge are notes", () => {
    expect(unifiedDiff("x\n", "x\n", { from: "a", to: "b" })).toBe("");
    expect(unifiedDiff("a\u0000", "b", { from: "a", to: "b" })).toBe("Binary files a and b differ\n");
  });
});
