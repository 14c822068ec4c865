// Start-up work only where needed: `remedy --version` and `remedy validate` must not load ssh2, listr2 or
// the lab (dist/, as the bin runs it; `npm test` builds first).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const REPO = resolve(import.meta.dirname, "../../..");
const BIN = join(REPO, "dist/cli/main.js");
const RECORDER = join(REPO, "test/helpers/record-imports.mjs");

/** Module URLs (relative to the repo) that `remedy ...args` resolved, and its exit code. */
function loaded(args: string[]): { code: number | null; modules: string[]; stderr: string } {
  if (!existsSync(BIN)) throw new Error(`${BIN} missing: run \`npm run build\` first`);
  const file = join(mkdtempSync(join(tmpdir(), "remedy-imports-")), "imports.txt");
  const r = spawnSync(process.execPath, ["--import", RECORDER, BIN, ...args], { cwd: REPO, env: { ...process.env, RECORD_IMPORTS: file }, encoding: "utf8" });
  const urls = existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
  return { code: r.status, stderr: r.stderr, modules: [...new Set(urls.map((u) => u.replace(`file://${REPO}/`, "")))] };
}

const heavy = (mods: string[]) => mods.filter((m) => /node_modules\/(ssh2|listr2)\/|dist\/lab\/|dist\/transport\/ssh/.test(m));

describe("lazy command loading", () => {
  it("the recorder sees ssh2 when a run command loads (so the checks below can fail)", () => {
    const r = loaded(["check", "no-such-playbook.yml", "-i", "no-such-inventory.ini"]);
    expect(r.code).toBe(4);
    expect(r.modules.some((m) => m.includes("node_modules/ssh2/"))).toBe(true);
  });

  it("remedy check does not load ajv (only commands that read a plan file compile its schema)", () => {
    const r = loaded(["check", "no-such-playbook.yml", "-i", "no-such-inventory.ini"]);
    expect(r.code).toBe(4);
    expect(r.modules.filter((m) => m.includes("node_modules/ajv/"))).toEqual([]);
  });

  it("remedy --version loads no command module at all", () => {
    const r = loaded(["--version"]);
    expect(r.code).toBe(0);
    expect(heavy(r.modules)).toEqual([]);
    expect(r.modules.filter((m) => m.startsWith("dist/cli/commands/") || m.includes("node_modules/ajv/"))).toEqual([]);
  });

  it("remedy validate loads neither ssh2, listr2 nor the lab", () => {
    const r = loaded(["validate", "bench/probes.yml", "-i", "inventory/example.ini"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.modules).toContain("dist/cli/commands/validate.js");
    expect(heavy(r.modules)).toEqual([]);
    // the schema's validator comes precompiled from the build: ajv's compiler is not loaded at all
    expect(r.modules.filter((m) => m === "node_modules/ajv/dist/ajv.js")).toEqual([]);
  });
});
