// Schema errors become one human message per mistake, at the right line:col.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblem } from "../../../src/errors.js";
import { didYouMean, editDistance } from "../../../src/playbook/errors-map.js";
import { validatePlaybookFile } from "../../../src/playbook/index.js";
import { inlineRefs, SCHEMA_URL, schemaErrors } from "../../../src/playbook/schema.js";
import { shellQuoteContext } from "../../../src/playbook/semantic.js";

const dir = mkdtempSync(join(tmpdir(), "remedy-errmap-"));
let n = 0;

/** Problems of a one-step playbook whose step body is `body` (indented under "- name: s"). */
async function stepProblems(body: string, top = ""): Promise<string[]> {
  const f = join(dir, `p${n++}.yml`);
  writeFileSync(f, `name: m\nhosts: all\n${top}steps:\n  - name: s\n    ${body}\n`);
  return (await validatePlaybookFile(f)).map((p) => formatProblem(p).replace(f, "pb.yml"));
}

describe("oneOf: the most specific branch, one message", () => {
  it.each<[string, string]>([
    ["apply:\n      copy: {content: x, dest: /x}", 'pb.yml:6:7: steps[0].apply: expected a command string or a list of actions (each one a "- " item, e.g. "- copy: {...}"), got a mapping'],
    ["check: {run: x, compliant: {exit: zero}}", 'pb.yml:5:39: steps[0].check.compliant.exit: expected an exit code (0-255) or a list of exit codes, got "zero"'],
    ["check: {run: x, compliant: {exit: [0, 300]}}", "pb.yml:5:43: steps[0].check.compliant.exit[1]: must be <= 255, got 300"],
    ["check: x\n    apply:\n      - reboot: {timeout: 10m}", 'pb.yml:7:27: steps[0].apply[0].reboot.timeout: expected a whole number of seconds >= 1, got "10m"'],
    ["check: x\n    apply:\n      - {run: x, ok_exti: 1}", 'pb.yml:7:18: steps[0].apply[0]: unknown key "ok_exti"; did you mean "ok_exit"?'],
    ["check: x\n    apply:\n      - 42", "pb.yml:7:9: steps[0].apply[0]: expected a command string or a mapping with one of: run, copy, template, reboot, cordon, drain, uncordon, fail, artifact, got 42"],
    [
      "check: x\n    apply:\n      - copy: {content: x, dest: /x}\n        template: {content: x, dest: /x}",
      "pb.yml:7:9: steps[0].apply[0]: expected a command string or a mapping with one of: run, copy, template, reboot, cordon, drain, uncordon, fail, artifact, got keys copy, template",
    ],
    ["check: {compliant: {exit: 0}}", 'pb.yml:5:12: steps[0].check: missing required key "run"'],
    ["check: x\n    id: Bad Id", `pb.yml:6:9: steps[0].id: expected a slug of lowercase letters, digits, '.', '_' and '-', got "Bad Id"`],
    ["check: ''", "pb.yml:5:12: steps[0].check: must not be empty (expected a non-empty command string)"],
  ])("%j", async (body, want) => {
    expect(await stepProblems(body)).toEqual([want]);
  });

  it("reports each bad list item separately (items share one schema)", async () => {
    expect(await stepProblems("check: x\n    apply:\n      - reboot: false\n      - drain: {timeout: 0}")).toEqual([
      "pb.yml:7:17: steps[0].apply[0].reboot: expected true or a mapping of reboot options, got false",
      "pb.yml:8:26: steps[0].apply[1].drain.timeout: expected a whole number of seconds >= 1, got 0",
    ]);
  });

  it.each<[string, string]>([
    ["serial: [1, abc]\n", 'pb.yml:3:13: serial[1]: expected an integer >= 1 or a percentage like "30%", got "abc"'],
    ["serial: 150%\n", 'pb.yml:3:9: serial: expected an integer >= 1 or a percentage like "30%", got "150%"'],
    ["vars: {bad-name: 1}\n", 'pb.yml:3:8: vars: invalid name "bad-name": expected a name of letters, digits and _ that does not start with a digit'],
    ["max_fail_percentage: 150\n", "pb.yml:3:22: max_fail_percentage: must be <= 100, got 150"],
  ])("top level %j", async (top, want) => {
    expect(await stepProblems("check: x", top)).toEqual([want]);
  });
});

describe("did you mean", () => {
  it("edit distance", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("same", "same")).toBe(0);
  });

  it.each<[string, string | undefined]>([
    ["compliant_when", "compliant"],
    ["complient", "compliant"],
    ["expect_exits", "expect_exit"],
    ["Register", "register"],
    ["timout", "timeout"],
    ["zzz", undefined],
    ["notapplicable", "not_applicable"],
  ])("%s → %s", (word, want) => {
    expect(didYouMean(word, ["run", "expect_exit", "compliant", "not_applicable", "register", "timeout"])).toBe(want);
  });
});

describe("shell quote context of a {{ }}", () => {
  it.each<[string, "'" | '"' | undefined]>([
    ["echo X", undefined],
    ['echo "X"', '"'],
    ["echo 'X'", "'"],
    ['echo "$(cat X)"', undefined],
    ['echo "a" X', undefined],
    ["echo \\\"X", undefined],
    ["echo 'it'\\''s' X", undefined],
    ['echo "`X`"', undefined],
    ['echo "a $(echo "X")"', '"'],
  ])("%s", (cmd, want) => {
    expect(shellQuoteContext(cmd, cmd.indexOf("X"))).toBe(want);
  });
});

describe("schema file", () => {
  it("inlines every $ref and compiles in ajv strict mode", () => {
    const raw = JSON.parse(readFileSync(SCHEMA_URL, "utf8"));
    const inlined = JSON.stringify(inlineRefs(raw));
    expect(inlined).not.toContain("$ref");
    expect(inlined).not.toContain('"definitions"');
    expect(schemaErrors({ name: "x", hosts: "all", steps: [{ name: "s", check: "true" }] })).toEqual([]);
  });

  it("forbids unknown keys everywhere (additionalProperties: false on every object)", () => {
    const raw = JSON.parse(readFileSync(SCHEMA_URL, "utf8"));
    const open: string[] = [];
    const walk = (s: unknown, at: string): void => {
      if (Array.isArray(s)) return s.forEach((x, i) => walk(x, `${at}/${i}`));
      if (s === null || typeof s !== "object") return;
      const o = s as Record<string, unknown>;
      if (o["type"] === "object" && o["properties"] && o["additionalProperties"] !== false) open.push(at);
      for (const [k, v] of Object.entries(o)) walk(v, `${at}/${k}`);
    };
    walk(raw, "#");
    expect(open).toEqual([]);
  });
});
