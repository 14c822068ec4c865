// Pure decisions for `apply --plan`: does the world still look like the approved plan?
import type { ApprovedHost, HostResult } from "../model/outcome.js";
import type { Facts } from "../model/facts.js";
import type { PlanDoc, PlanHost } from "./format.js";
import { fingerprintOf } from "./format.js";
import { planStep } from "./build.js";
import { varsDifferences, type PlanVars } from "./vars.js";

export interface CurrentInputs {
  playbook: { path: string; sha256: string };
  inventory: { path: string; sha256: string };
  /** hosts resolved now, with the effective limit */
  hosts: string[];
  vars: PlanVars;
  /** --limit / --tags as given on this command line (undefined: taken from the plan) */
  limit?: string;
  tags?: string[];
}

const short = (h: string) => h.slice(0, 12);
const list = (xs: string[]) => xs.join(", ");

/** Reasons to refuse the plan before connecting anywhere ([] = the inputs match). */
export function compareInputs(plan: PlanDoc, now: CurrentInputs): string[] {
  const out: string[] = [];
  if (plan.playbook.sha256 !== now.playbook.sha256) {
    out.push(`playbook edited since the plan: ${now.playbook.path} has sha256 ${short(now.playbook.sha256)}…, the plan was made from ${plan.playbook.path} with sha256 ${short(plan.playbook.sha256)}…`);
  }
  if (plan.inventory.sha256 !== now.inventory.sha256) {
    out.push(`inventory edited since the plan: ${now.inventory.path} has sha256 ${short(now.inventory.sha256)}…, the plan was made from ${plan.inventory.path} with sha256 ${short(plan.inventory.sha256)}…`);
  }
  if (now.limit !== undefined && now.limit !== (plan.limit ?? undefined)) {
    out.push(`--limit ${JSON.stringify(now.limit)} differs from the plan's ${plan.limit === null ? "(no limit)" : JSON.stringify(plan.limit)}; omit --limit to use the plan's`);
  }
  if (now.tags !== undefined && [...now.tags].sort().join(",") !== [...(plan.tags ?? [])].sort().join(",")) {
    out.push(`--tags ${JSON.stringify(now.tags.join(","))} differ from the plan's ${plan.tags ? JSON.stringify(plan.tags.join(",")) : "(no tags)"}; omit --tags to use the plan's`);
  }
  const planned = new Set(plan.inventory.hosts);
  const current = new Set(now.hosts);
  const added = now.hosts.filter((h) => !planned.has(h));
  const removed = plan.inventory.hosts.filter((h) => !current.has(h));
  if (added.length) out.push(`hosts added since the plan: ${list(added)}`);
  if (removed.length) out.push(`hosts removed since the plan: ${list(removed)}`);
  out.push(...varsDifferences({ plain: plan.extra_vars, secret: plan.secret_extra_vars }, now.vars));
  for (const h of plan.hosts) {
    if (h.status === "failed" || h.status === "would_fail" || h.status === "unreachable" || h.status === "untouched") {
      out.push(`the plan is incomplete: ${h.name} was ${h.status} at plan time${h.message ? ` (${h.message})` : ""}; fix it and re-plan`);
    }
  }
  return out;
}

export interface HostRefusal {
  host: string;
  kind: "stale" | "unreachable" | "failed";
  reasons: string[];
}

function factDiffs(a: Facts, b: Facts): string[] {
  const out: string[] = [];
  for (const k of Object.keys({ ...a, ...b }) as Array<keyof Facts>) {
    if (k === "boot_id" || k === "kernel") continue;
    if (String(a[k]) !== String(b[k])) out.push(`${k} ${JSON.stringify(a[k])} → ${JSON.stringify(b[k])}`);
  }
  return out;
}

/**
 * One host: plan entry vs a fresh dry run (check pass) under the run lock. `redact` is applied to fresh
 * commands so they compare equal to the plan's redacted ones.
 */
export function compareHost(planned: PlanHost, fresh: HostResult, redact: (s: string) => string): HostRefusal | undefined {
  const host = planned.name;
  if (fresh.status === "unreachable") return { host, kind: "unreachable", reasons: [`unreachable now: ${fresh.message ?? "no connection"}`] };
  if (!fresh.facts) return { host, kind: "failed", reasons: [`could not gather facts now: ${fresh.message ?? "unknown error"}`] };
  const reasons: string[] = [];
  const fp = fingerprintOf(fresh.facts);
  const was = planned.fingerprint;
  if (was) {
    if (was.boot_id !== fp.boot_id) reasons.push(`rebooted since the plan (boot id ${was.boot_id.slice(0, 8)}… → ${fp.boot_id.slice(0, 8)}…)`);
    if (was.kernel !== fp.kernel) reasons.push(`running kernel changed since the plan (${was.kernel} → ${fp.kernel})`);
    if (was.facts_sha256 !== fp.facts_sha256 && planned.facts) {
      const d = factDiffs(planned.facts, fresh.facts);
      if (d.length) reasons.push(`facts changed since the plan: ${d.join(", ")}`);
    }
  }
  const freshSteps = new Map(fresh.steps.map((s) => [s.id, planStep(s)]));
  for (const p of planned.steps) {
    const f = freshSteps.get(p.id);
    freshSteps.delete(p.id);
    const name = `step "${p.name}"`;
    if (!f) {
      reasons.push(`${name}: was ${p.status} in the plan and did not run now`);
      continue;
    }
    if (f.status !== p.status) {
      const why = f.status === "failed" ? ` (${f.message ?? "failed"})` : p.status === "would_change" && f.status === "ok" ? " (fixed by hand or by another run?)" : "";
      reasons.push(`${name}: ${f.status} now, ${p.status} in the plan${why}`);
      continue;
    }
    if (p.check_digest !== f.check_digest) {
      reasons.push(`${name}: the check's output changed since the plan (state changed by hand?)`);
      continue;
    }
    const cmds = f.commands.map(redact);
    if (cmds.join("\n") !== p.commands.join("\n")) reasons.push(`${name}: the commands apply would run changed since the plan`);
  }
  for (const f of freshSteps.values()) reasons.push(`step "${f.name}": ${f.status} now and not in the plan`);
  return reasons.length ? { host, kind: "stale", reasons } : undefined;
}

/** All hosts; a host of the plan missing from the fresh results counts as not checked. */
export function compareHosts(plan: PlanDoc, fresh: HostResult[], redact: (s: string) => string): HostRefusal[] {
  const byHost = new Map(fresh.map((r) => [r.host, r]));
  const out: HostRefusal[] = [];
  for (const p of plan.hosts) {
    const f = byHost.get(p.name);
    if (!f) out.push({ host: p.name, kind: "failed", reasons: ["not checked now (interrupted?)"] });
    else {
      const r = compareHost(p, f, redact);
      if (r) out.push(r);
    }
  }
  return out;
}

/** The approval the engine enforces during apply: step id → planned status and digest, per host. */
export function approvedFrom(plan: PlanDoc): Map<string, ApprovedHost> {
  const out = new Map<string, ApprovedHost>();
  for (const h of plan.hosts) {
    out.set(h.name, { steps: new Map(h.steps.map((s) => [s.id, { status: s.status, checkDigest: s.check_digest }])) });
  }
  return out;
}

const REPLAN = "Re-run `remedy plan` and have the new plan approved.";

export function refusalText(planFile: string, plan: PlanDoc, problems: string[], footer = REPLAN): string {
  return [`plan ${planFile} (id ${plan.id}) refused; nothing was applied on any host:`, ...problems.map((p) => `  ${p}`), footer].join("\n");
}

/** Footer when the plan itself is fine but hosts could not be locked or reached. */
export const RETRY_LATER = "The plan itself still holds: run the same apply again later (--lock-timeout SECONDS waits for a lock).";

export function hostRefusalLines(refusals: HostRefusal[]): string[] {
  return refusals.flatMap((r) => r.reasons.map((x) => `${r.host}: ${x}`));
}
