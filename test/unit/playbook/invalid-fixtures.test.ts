// Every test/fixtures/playbooks/invalid/<name>.yml must fail with exactly <name>.expected.txt.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblem, InputError } from "../../../src/errors.js";
import { ExitCode } from "../../../src/cli/exit-codes.js";
import { loadPlaybook, validatePlaybookFile } from "../../../src/playbook/index.js";

const dir = "test/fixtures/playbooks/invalid";
const cases = readdirSync(dir).filter((f) => f.endsWith(".yml")).sort();

/** Messages name the file as given; strip the fixture dir so expectations do not depend on it. */
const rel = (s: string) => s.replaceAll(dir + "/", "");

describe("invalid playbooks", () => {
  it("has at least 20 cases, each with an expectation", () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    for (const f of cases) expect(readdirSync(dir)).toContain(f.replace(/\.yml$/, ".expected.txt"));
  });

  for (const f of cases) {
    it(f, async () => {
      const expected = readFileSync(join(dir, f.replace(/\.yml$/, ".expected.txt")), "utf8").trimEnd().split("\n");
      const problems = await validatePlaybookFile(join(dir, f));
      expect(problems.map((p) => rel(formatProblem(p)))).toEqual(expected);
      // every problem is located (file:line:col), not just "somewhere in the file"
      for (const p of problems) expect(p.line).toBeGreaterThan(0);

      const err = await loadPlaybook(join(dir, f)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).exitCode).toBe(ExitCode.InvalidInput);
      expect(rel((err as InputError).message).split("\n")).toEqual(expected);
    });
  }
});

describe("unreadable input", () => {
  it("reports a missing file without a line", async () => {
    expect(await validatePlaybookFile(join(dir, "no-such.yml"))).toEqual([{ file: join(dir, "no-such.yml"), message: "playbook file not found" }]);
  });
});
