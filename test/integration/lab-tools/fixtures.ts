// Fixture files test/fixtures/lab-tools/<tool>/*.json: a command run in a fresh node and its exact
// (or regex) stdout/stderr and exit code, taken from the formats in shared/domain-facts.md.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export type Expect = string | { regex: string };

export interface ToolFixture {
  file: string;
  description?: string;
  personality: "el7" | "el9";
  setup?: string[];
  command: string;
  stdout?: Expect;
  stderr?: Expect;
  exit: number;
}

export const FIXTURES_DIR = fileURLToPath(new URL("../../fixtures/lab-tools", import.meta.url));

export function loadFixtures(dir = FIXTURES_DIR): ToolFixture[] {
  const out: ToolFixture[] = [];
  for (const tool of readdirSync(dir).sort()) {
    for (const f of readdirSync(join(dir, tool)).filter((x) => x.endsWith(".json")).sort()) {
      const data = JSON.parse(readFileSync(join(dir, tool, f), "utf8")) as Omit<ToolFixture, "file">;
      out.push({ ...data, file: `${tool}/${f}` });
    }
  }
  return out;
}

/** Human-readable mismatch, or undefined when actual satisfies the expectation. */
export function mismatch(what: string, expected: Expect | undefined, actual: string): string | undefined {
  if (expected === undefined) return undefined;
  if (typeof expected === "string") return expected === actual ? undefined : `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
  return new RegExp(expected.regex, "m").test(actual) ? undefined : `${what}: /${expected.regex}/ does not match ${JSON.stringify(actual)}`;
}
