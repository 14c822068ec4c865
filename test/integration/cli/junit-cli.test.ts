// --junit from the CLI: pending changes pass by default, fail with --junit-fail-on-change or
// JUNIT_FAIL_ON_CHANGE=true; the file validates against junit-10.xsd.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../../helpers/cli.js";
import { loadSchema, parseXml, validate } from "../../unit/plan/xsd-lite.js";

const xsd = loadSchema(readFileSync(resolve("test/fixtures/plan/junit-10.xsd"), "utf8"));
let root: string;
let inv: string;
let env: NodeJS.ProcessEnv;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "remedy-junit-"));
  inv = join(root, "hosts.ini");
  writeFileSync(inv, "[nodes]\nn1 ansible_connection=local\n");
  env = { PATH: process.env.PATH, HOME: join(root, "home"), ANSIBLE_CONFIG: join(root, "none.cfg"), REMEDY_STATE_DIR: join(root, "state") };
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("--junit on check", () => {
  it.each([
    ["default", [], {}, "0"],
    ["--junit-fail-on-change", ["--junit-fail-on-change"], {}, "1"],
    ["JUNIT_FAIL_ON_CHANGE=true", [], { JUNIT_FAIL_ON_CHANGE: "true" }, "1"],
  ] as const)("%s", async (_name, flags, extraEnv, failures) => {
    const file = join(root, `junit-${failures}-${flags.length}.xml`);
    const r = await cli(["check", resolve("test/fixtures/cli/habits.yml"), "-i", inv, "-e", `work=${mkdtempSync(join(root, "w-"))}`, "-t", "flag", "--junit", file, ...flags], { env: { ...env, ...extraEnv } });
    expect(r.code, r.stderr).toBe(2);
    const doc = parseXml(readFileSync(file, "utf8"));
    expect(validate(doc, xsd)).toEqual([]);
    expect(doc.attrs.get("failures")).toBe(failures);
    expect(doc.children[0]!.children[0]!.attrs.get("classname")).toBe("habits.n1");
  });
});
