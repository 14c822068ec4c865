// The plan file (remedy-plan/1): types, canonical JSON and the self-checksum. Schema: schemas/plan.schema.json.
import { createHash } from "node:crypto";
import type { Facts } from "../model/facts.js";
import type { HostStatus } from "../model/events.js";

export const PLAN_FORMAT = "remedy-plan/1";

export type PlanStepStatus = "ok" | "would_change" | "would_fail" | "skipped" | "failed";

export interface PlanStep {
  id: string;
  name: string;
  status: PlanStepStatus;
  /** why: the "would change" detail, skip reason or failure */
  message?: string;
  /** sha256 of the check's exit code + stdout at plan time; absent for steps without a check */
  check_digest?: string;
  check_exit?: number | null;
  /** exact commands apply would run on this host (interpolated, secrets redacted) */
  commands: string[];
  /** plan --diff: unified diff of the files copy/template would write (secrets redacted) */
  diff?: string;
}

export interface PlanFingerprint {
  boot_id: string;
  kernel: string;
  /** sha256 of the canonical JSON of all gathered facts */
  facts_sha256: string;
}

export interface PlanHost {
  name: string;
  /** the host's outcome at plan time; apply refuses a plan with a failed or unreachable host */
  status: HostStatus;
  message?: string;
  /** null when the host could not be reached at plan time */
  fingerprint: PlanFingerprint | null;
  facts: Facts | null;
  steps: PlanStep[];
}

export interface PlanCreator {
  /** user@host of the controller that ran `remedy plan` */
  who: string;
  /** CI context when run in a pipeline (GitLab, Jenkins), for the approver */
  ci?: { user?: string; job?: string; pipeline?: string };
}

export interface PlanDoc {
  format: typeof PLAN_FORMAT;
  id: string;
  created: string;
  remedy_version: string;
  created_by: PlanCreator;
  playbook: { path: string; name: string; sha256: string };
  inventory: { path: string; sha256: string; hosts: string[] };
  /** extra vars (-e) whose names do not look secret, redacted */
  extra_vars: Record<string, unknown>;
  /** secret-looking extra vars: name → sha256 of the value; apply must be given the same value */
  secret_extra_vars: Record<string, string>;
  limit: string | null;
  tags: string[] | null;
  /** would_fail_hosts: hosts where a step would fail; absent in plans written before it existed */
  summary: { hosts: number; hosts_to_change: number; steps_to_change: number; failed_hosts: number; unreachable_hosts: number; would_fail_hosts?: number };
  hosts: PlanHost[];
  /** sha256 of the canonical JSON of every other field: detects edits and corruption */
  checksum: string;
}

/** JSON with object keys sorted at every level: the same value always gives the same bytes. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? "null" : canonicalJson(x))).join(",")}]`;
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(",")}}`;
}

export function sha256(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}

export function planChecksum(doc: Omit<PlanDoc, "checksum"> | PlanDoc): string {
  const { checksum: _drop, ...rest } = doc as PlanDoc;
  return sha256(canonicalJson(rest));
}

export function factsSha256(f: Facts): string {
  return sha256(canonicalJson(f));
}

export function fingerprintOf(f: Facts): PlanFingerprint {
  return { boot_id: f.boot_id, kernel: f.kernel, facts_sha256: factsSha256(f) };
}
