// Synthetic dry-run results and plans for the plan unit tests.
import type { HostResult, StepRecord } from "../../../src/engine/host-run.js";
import type { Facts } from "../../../src/model/facts.js";
import { Redactor } from "../../../src/report/redact.js";
import { buildPlan } from "../../../src/plan/build.js";
import { planVars } from "../../../src/plan/vars.js";
import type { PlanDoc } from "../../../src/plan/format.js";
import { sampleFacts } from "../../helpers/facts.js";

export const digest = (c: string) => c.repeat(64).slice(0, 64);

export function facts(over: Partial<Facts> = {}): Facts {
  return sampleFacts(over);
}

export function step(id: string, status: StepRecord["status"], over: Partial<StepRecord> = {}): StepRecord {
  return {
    id,
    name: id.replace(/-/g, " "),
    status,
    checkDigest: digest(status === "ok" ? "a" : "b"),
    checkExit: status === "ok" ? 0 : 1,
    commands: status === "would_change" ? [`sysctl -w fs.pipe-user-pages-soft=16384 # ${id}`] : [],
    ...(status === "would_change" ? { message: "stdout is 0, expected 16384" } : {}),
    ...over,
  };
}

export function host(name: string, steps: StepRecord[], over: Partial<HostResult> = {}): HostResult {
  const anyChange = steps.some((s) => s.status === "would_change");
  return { host: name, status: anyChange ? "would_change" : "ok", facts: facts({ hostname: name }), steps, ...over };
}

export function samplePlan(results: HostResult[] = [host("node1", [step("read-value", "ok"), step("set-value", "would_change")]), host("node2", [step("read-value", "ok"), step("set-value", "ok")])], extraVars: Record<string, unknown> = { want: "16384" }, redactor = new Redactor()): PlanDoc {
  return buildPlan(
    {
      id: "0b8a1c52-3f0e-4c1e-9a57-0d2c1f6e7a10",
      created: "2026-11-25T08:00:00.000Z",
      version: "0.1.0",
      creator: { who: "ci@runner-1", ci: { user: "alice", job: "https://gitlab.example/job/1" } },
      playbook: { path: "playbooks/sysctl.yml", name: "sysctl", sha256: digest("c") },
      inventory: { path: "inventory/prod.ini", sha256: digest("d") },
      hosts: results.map((r) => r.host),
      vars: planVars(extraVars, redactor),
      results,
    },
    redactor,
  );
}
