import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../../src/errors.js";
import { ExitCode } from "../../../src/cli/exit-codes.js";
import { loadPlanFile, parsePlanText, planSchemaErrors } from "../../../src/plan/load.js";
import { canonicalJson, planChecksum, PLAN_FORMAT } from "../../../src/plan/format.js";
import { Redactor, secretValues } from "../../../src/report/redact.js";
import { host, samplePlan, step } from "./fixtures.js";

const FILE = "approved/plan.json";

function loadError(text: string): InputError {
  try {
    parsePlanText(text, FILE);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error("expected the plan to be refused");
}

describe("plan schema", () => {
  it("a built plan validates and round-trips", () => {
    const doc = samplePlan();
    expect(planSchemaErrors(doc)).toEqual([]);
    const text = JSON.stringify(doc, null, 2);
    expect(parsePlanText(text, FILE)).toEqual(doc);
    expect(doc.format).toBe(PLAN_FORMAT);
    expect(doc.summary).toEqual({ hosts: 2, hosts_to_change: 1, steps_to_change: 1, failed_hosts: 0, unreachable_hosts: 0, would_fail_hosts: 0 });
    const n1 = doc.hosts[0]!;
    expect(n1.fingerprint?.boot_id).toBe("11111111-2222-3333-4444-555555555555");
    expect(n1.fingerprint?.facts_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(n1.steps[1]).toMatchObject({ id: "set-value", status: "would_change", commands: ["sysctl -w fs.pipe-user-pages-soft=16384 # set-value"] });
    // only would_change steps carry commands
    expect(n1.steps[0]!.commands).toEqual([]);
  });

  it("rejects unknown fields, bad statuses and bad hashes", () => {
    const doc = samplePlan() as unknown as Record<string, unknown>;
    expect(planSchemaErrors({ ...doc, surprise: 1 }).map((e) => e.keyword)).toContain("additionalProperties");
    const bad = JSON.parse(JSON.stringify(doc));
    bad.hosts[0].steps[0].status = "maybe";
    bad.playbook.sha256 = "abc";
    expect(planSchemaErrors(bad).length).toBeGreaterThanOrEqual(2);
  });

  it("checksum is over canonical JSON, independent of key order", () => {
    const doc = samplePlan();
    const reordered = JSON.parse(canonicalJson(doc));
    expect(planChecksum(reordered)).toBe(doc.checksum);
  });

  it("keeps secrets out: secret extra vars only as sha256, secret values redacted from commands", () => {
    const r = new Redactor();
    const extra = { want: "16384", api_token: "s3cr3t-tok" };
    r.add(secretValues(extra));
    const doc = samplePlan([host("node1", [step("push", "would_change", { commands: ["curl -H 'Authorization: s3cr3t-tok' https://x"] })])], extra, r);
    const text = JSON.stringify(doc);
    expect(text).not.toContain("s3cr3t-tok");
    expect(doc.extra_vars).toEqual({ want: "16384" });
    expect(doc.secret_extra_vars.api_token).toMatch(/^[0-9a-f]{64}$/);
    expect(doc.hosts[0]!.steps[0]!.commands[0]).toContain("<redacted>");
    expect(parsePlanText(text, FILE).id).toBe(doc.id);
  });
});

describe("loading a bad plan file: exit 4, message names the file and the problem", () => {
  const good = JSON.stringify(samplePlan(), null, 2);

  it("truncated", () => {
    const e = loadError(good.slice(0, Math.floor(good.length / 2)));
    expect(e.exitCode).toBe(ExitCode.InvalidInput);
    expect(e.message).toContain(FILE);
    expect(e.message).toMatch(/not valid JSON \(truncated\?\)/);
    expect(e.message).toMatch(/re-run `remedy plan`/);
  });

  it("empty", () => {
    expect(loadError("").message).toMatch(/approved\/plan\.json: the plan file is empty \(truncated\?\)/);
  });

  it("garbled bytes in the middle (located)", () => {
    const mid = Math.floor(good.length / 3);
    const e = loadError(good.slice(0, mid) + "\u0000#@!" + good.slice(mid + 4));
    expect(e.message).toMatch(/not valid JSON \(garbled\?\)/);
    expect(e.problems[0]!.line).toBeGreaterThan(1);
  });

  it("garbled but still valid JSON: the checksum catches it", () => {
    const edited = good.replace("sysctl -w fs.pipe-user-pages-soft=16384", "rm -rf / #");
    const e = loadError(edited);
    expect(e.message).toMatch(/checksum does not match the content: the plan was edited or corrupted/);
  });

  it("wrong version", () => {
    const e = loadError(good.replace(`"format": "remedy-plan/1"`, `"format": "remedy-plan/2"`));
    expect(e.message).toContain(`${FILE}: plan format "remedy-plan/2" is not supported: this remedy reads only "remedy-plan/1" (the plan was written by remedy 0.1.0)`);
  });

  it("not a plan at all", () => {
    expect(loadError(`{"apiVersion": "v1"}`).message).toMatch(/not a remedy plan: it has no "format" field/);
    expect(loadError(`[1,2]`).message).toMatch(/not a remedy plan: expected a JSON object/);
    expect(loadError(`{"format": "terraform-plan"}`).message).toMatch(/"format" is "terraform-plan", expected "remedy-plan\/1"/);
  });

  it("schema violation names the field", () => {
    const doc = JSON.parse(good);
    delete doc.inventory.sha256;
    expect(loadError(JSON.stringify(doc)).message).toMatch(/does not match the plan schema .*\/inventory: missing field "sha256"/);
  });

  it("missing file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "remedy-plan-"));
    await expect(loadPlanFile(join(dir, "nope.json"))).rejects.toThrow(/nope\.json: plan file not found/);
    writeFileSync(join(dir, "ok.json"), good);
    await expect(loadPlanFile(join(dir, "ok.json"))).resolves.toMatchObject({ format: "remedy-plan/1" });
  });
});
