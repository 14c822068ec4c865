// Every invalid inventory under test/fixtures/inventory/invalid/ (a file, or a directory with
// group_vars/host_vars) must be rejected with an InputError whose message holds <name>.expected.txt.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.js";
import { loadInventory } from "../../../src/inventory/index.js";

const dir = join(import.meta.dirname, "../../fixtures/inventory/invalid");
const entries = readdirSync(dir).sort();
const inputs = entries.filter((n) => !n.endsWith(".expected.txt"));
const stem = (n: string): string => n.replace(/\.(ini|ya?ml|json)$/, "");

describe("invalid inventories", () => {
  it("has at least 6 fixtures, each paired with an expected message", () => {
    expect(inputs.length).toBeGreaterThanOrEqual(6);
    const expected = entries.filter((n) => n.endsWith(".expected.txt")).map((n) => n.slice(0, -".expected.txt".length));
    expect(expected.sort()).toEqual(inputs.map(stem).sort());
  });

  for (const name of inputs) {
    it(`rejects ${name}`, async () => {
      const want = readFileSync(join(dir, `${stem(name)}.expected.txt`), "utf8").split("\n")[0] as string;
      const err = await loadInventory(join(dir, name)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, `${name} loaded without error`).toBeInstanceOf(InputError);
      const e = err as InputError;
      expect(e.message).toContain(want);
      // every problem is located: file:line:col
      expect(e.problems[0]?.line).toBeGreaterThan(0);
      expect(e.problems[0]?.col).toBeGreaterThan(0);
    });
  }
});
