// Every JSON-lines event of e2e runs on lab nodes (EL7 + EL9, real sshd) validates against
// schemas/events.schema.json: check --diff, apply --diff and a re-check of shipped playbooks.
import { Ajv } from "ajv";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, type TestLab } from "../helpers/lab.js";
import { cli } from "../helpers/cli.js";

const validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(resolve("schemas/events.schema.json"), "utf8")) as object);
let lab: TestLab;
let work: string;
const saved = process.env.REMEDY_STATE_DIR;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "remedy-events-e2e-"));
  process.env.REMEDY_STATE_DIR = join(work, "state");
  lab = await startLab({ el7: 1, el9: 1 });
}, 180_000);
afterAll(async () => {
  await lab?.stop();
  if (saved === undefined) delete process.env.REMEDY_STATE_DIR;
  else process.env.REMEDY_STATE_DIR = saved;
  rmSync(work, { recursive: true, force: true });
});

describe("events of lab runs", () => {
  it("check, apply and re-check of ethtool-offload.yml and netconsole.yml: every event valid", async () => {
    const events: Array<Record<string, unknown>> = [];
    for (const [pb, vars] of [["ethtool-offload.yml", []], ["netconsole.yml", ["-e", "netconsole_target=127.0.0.1"]]] as const) {
      for (const [mode, want] of [["check", 2], ["apply", 0], ["check", 0]] as const) {
        const r = await cli([mode, resolve("playbooks", pb), "-i", lab.inventoryPath, "--known-hosts", lab.knownHostsPath, "--json", "--diff", ...vars, ...(mode === "apply" ? ["--yes"] : [])], { cwd: work });
        expect(r.code, `${mode} ${pb}: ${r.stderr}`).toBe(want);
        events.push(...r.events);
      }
    }
    expect(events.filter((e) => e.type === "run_start")).toHaveLength(6);
    const types = new Set(events.map((e) => e.type));
    for (const t of ["run_start", "facts", "command", "step_end", "host_end", "run_end"]) expect(types).toContain(t);
    const bad = events.filter((e) => !validate(e)).map((e) => `${JSON.stringify(e).slice(0, 200)}: ${JSON.stringify(validate.errors)}`);
    expect(bad).toEqual([]);
  }, 300_000);
});
