// Finished dry run → plan document (pure). Secrets are redacted here, before anything reaches a file.
import type { HostResult, StepRecord } from "../model/outcome.js";
import type { Redactor } from "../report/redact.js";
import { PLAN_FORMAT, fingerprintOf, planChecksum, type PlanCreator, type PlanDoc, type PlanHost, type PlanStep, type PlanStepStatus } from "./format.js";
import type { PlanVars } from "./vars.js";

export interface PlanInputs {
  id: string;
  created: string;
  version: string;
  creator: PlanCreator;
  playbook: { path: string; name: string; sha256: string };
  inventory: { path: string; sha256: string };
  hosts: string[];
  vars: PlanVars;
  limit?: string;
  tags?: string[];
  results: HostResult[];
}

export function planStep(r: StepRecord): PlanStep {
  const status: PlanStepStatus = r.status === "ok" || r.status === "would_change" || r.status === "would_fail" || r.status === "skipped" ? r.status : "failed";
  const message = r.status === "unreachable" ? `unreachable: ${r.message ?? ""}` : r.message;
  return {
    id: r.id,
    name: r.name,
    status,
    ...(message ? { message } : {}),
    ...(r.checkDigest ? { check_digest: r.checkDigest, check_exit: r.checkExit ?? null } : {}),
    commands: status === "would_change" ? r.commands : [],
    ...(r.diff && status === "would_change" ? { diff: r.diff } : {}),
  };
}

export function planHost(r: HostResult): PlanHost {
  return {
    name: r.host,
    status: r.status,
    ...(r.message ? { message: r.message } : {}),
    fingerprint: r.facts ? fingerprintOf(r.facts) : null,
    facts: r.facts ?? null,
    steps: r.steps.map(planStep),
  };
}

export function buildPlan(i: PlanInputs, redactor: Redactor): PlanDoc {
  const hosts = redactor.value(i.results.map(planHost));
  // a host whose apply would fail is not "to change": it is reported apart and blocks the plan
  const toChange = hosts.filter((h) => h.status !== "would_fail" && h.steps.some((s) => s.status === "would_change"));
  const body: Omit<PlanDoc, "checksum"> = {
    format: PLAN_FORMAT,
    id: i.id,
    created: i.created,
    remedy_version: i.version,
    created_by: i.creator,
    playbook: i.playbook,
    inventory: { ...i.inventory, hosts: [...i.hosts] },
    extra_vars: i.vars.plain,
    secret_extra_vars: i.vars.secret,
    limit: i.limit ?? null,
    tags: i.tags?.length ? [...i.tags] : null,
    summary: {
      hosts: hosts.length,
      hosts_to_change: toChange.length,
      steps_to_change: toChange.reduce((n, h) => n + h.steps.filter((s) => s.status === "would_change").length, 0),
      failed_hosts: hosts.filter((h) => h.status === "failed").length,
      unreachable_hosts: hosts.filter((h) => h.status === "unreachable" || h.status === "untouched").length,
      would_fail_hosts: hosts.filter((h) => h.status === "would_fail").length,
    },
    hosts,
  };
  return { ...body, checksum: planChecksum(body) };
}
