// Every JSON-lines event of check and apply runs (local hosts) validates against schemas/events.schema.json,
// carries v: 1, and uses one key convention (camelCase; fact names inside `facts` are data).
import { Ajv } from "ajv";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../../helpers/cli.js";

const schema = JSON.parse(readFileSync(resolve("schemas/events.schema.json"), "utf8")) as object;
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
let root: string;
let env: NodeJS.ProcessEnv;
let inv: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "remedy-events-"));
  inv = join(root, "hosts.ini");
  writeFileSync(inv, "[nodes]\nn1 ansible_connection=local\nn2 ansible_connection=local\n");
  env = { PATH: process.env.PATH, HOME: join(root, "home"), ANSIBLE_CONFIG: join(root, "none.cfg"), REMEDY_STATE_DIR: join(root, "state") };
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function keysOutsideFacts(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => keysOutsideFacts(x, out));
  else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      if (k !== "facts") keysOutsideFacts(x, out);
    }
  }
  return out;
}

describe("JSON-lines events", () => {
  it("check and apply: every event validates; every key is camelCase", async () => {
    const work = mkdtempSync(join(root, "w-"));
    const pb = resolve("test/fixtures/cli/events.yml");
    const check = await cli(["check", pb, "-i", inv, "--json", "-e", `work=${work}`], { env });
    const apply = await cli(["apply", pb, "-i", inv, "--json", "--yes", "-e", `work=${work}`], { env });
    expect(check.code).toBe(2);
    expect(apply.code).toBe(1);
    const events = [...check.events, ...apply.events];
    const types = new Set(events.map((e) => e.type));
    for (const t of ["run_start", "batch_start", "host_start", "facts", "step_start", "command", "step_end", "host_end", "batch_end", "run_end"]) expect(types, t).toContain(t);
    expect(events.map((e) => e.status)).toEqual(expect.arrayContaining(["ok", "would_change", "changed", "failed", "skipped"]));
    for (const e of events) {
      const ok = validate(e);
      expect(ok, `${JSON.stringify(e).slice(0, 300)}\n${JSON.stringify(validate.errors)}`).toBe(true);
      expect(e.v).toBe(1);
    }
    const bad = [...new Set(events.flatMap((e) => keysOutsideFacts(e)))].filter((k) => !/^[a-z][a-zA-Z0-9]*$/.test(k));
    expect(bad).toEqual([]);
    const end = apply.events.find((e) => e.type === "run_end") as unknown as { summary: { totals: Record<string, number> } };
    expect(end.summary.totals).toMatchObject({ changed: 2, failed: 1, wouldChange: 0 });
  });

  it("the schema rejects what it should: unknown fields, a missing version, snake_case keys", () => {
    const ok = { v: 1, type: "host_start", host: "n1", time: "2026-01-01T00:00:00.000Z" };
    expect(validate(ok)).toBe(true);
    expect(validate({ ...ok, v: undefined })).toBe(false);
    expect(validate({ ...ok, extra: 1 })).toBe(false);
    expect(validate({ v: 1, type: "step_end", host: "n1", step: "s", name: "s", status: "ok", duration_ms: 1, time: ok.time })).toBe(false);
  });
});
