// Plan → text for the approver (`remedy show`) and the short summary `remedy plan` prints on stderr.
import type { PlanDoc, PlanHost } from "./format.js";

const short = (s: string, n = 12) => (s.length > n ? `${s.slice(0, n)}…` : s);

export function renderPlanSummary(doc: PlanDoc, file: string): string {
  const s = doc.summary;
  const lines = [
    `Plan written to ${file} (id ${doc.id}, checksum ${short(doc.checksum)})`,
    `  ${s.hosts} host(s): ${s.hosts_to_change} to change (${s.steps_to_change} step(s)), ${s.hosts - s.hosts_to_change - s.failed_hosts - s.unreachable_hosts - (s.would_fail_hosts ?? 0)} compliant, ${s.would_fail_hosts ?? 0} would fail, ${s.failed_hosts} failed, ${s.unreachable_hosts} unreachable`,
  ];
  if (s.would_fail_hosts) lines.push("  This plan cannot be applied: on some hosts a step would fail (see `remedy show`). Fix that (or --limit them out) and re-plan.");
  else if (s.failed_hosts || s.unreachable_hosts) lines.push("  This plan cannot be applied: every host must be checked successfully. Fix the failures and re-plan.");
  else if (s.steps_to_change) lines.push(`  Review:  remedy show ${file}`, `  Apply:   remedy apply ${doc.playbook.path} -i ${doc.inventory.path}${Object.keys({ ...doc.extra_vars, ...doc.secret_extra_vars }).length ? " -e … (the same -e as for the plan)" : ""} --plan ${file}`);
  else lines.push("  Nothing to change.");
  return lines.join("\n") + "\n";
}

function creatorText(doc: PlanDoc): string {
  const ci = doc.created_by.ci;
  const parts = [ci?.user && `CI user ${ci.user}`, ci?.job && `job ${ci.job}`, ci?.pipeline && `pipeline ${ci.pipeline}`].filter(Boolean);
  return `${doc.created_by.who}${parts.length ? ` (${parts.join(", ")})` : ""}`;
}

function hostBlock(h: PlanHost): string[] {
  const fp = h.fingerprint;
  const head = `${h.name}  [${h.status}]${fp ? `  boot id ${short(fp.boot_id, 8)}  kernel ${fp.kernel}  facts ${short(fp.facts_sha256)}` : ""}`;
  const out = [head];
  if (h.message) out.push(`  ${h.message}`);
  const change = h.steps.filter((s) => s.status === "would_change");
  for (const s of change) {
    out.push(`  ~ ${s.name}${s.message ? `: ${s.message}` : ""}`);
    for (const c of s.commands) out.push(`      $ ${c.split("\n").join("\n        ")}`);
    if (s.diff) out.push(...s.diff.trimEnd().split("\n").map((l) => `      ${l}`));
    if (s.check_digest) out.push(`      (check digest ${short(s.check_digest)}, exit ${s.check_exit ?? "none"})`);
  }
  const wouldFail = h.steps.filter((s) => s.status === "would_fail");
  for (const s of wouldFail) out.push(`  ✗ WOULD FAIL ${s.name}: ${s.message ?? "its apply would fail"}`);
  const failed = h.steps.filter((s) => s.status === "failed");
  for (const s of failed) out.push(`  ! ${s.name}: ${s.message ?? "failed"}`);
  const ok = h.steps.filter((s) => s.status === "ok");
  const skipped = h.steps.filter((s) => s.status === "skipped");
  if (ok.length) out.push(`  = ok: ${ok.map((s) => s.name).join(", ")}`);
  if (skipped.length) out.push(`  - skipped: ${skipped.map((s) => `${s.name}${s.message ? ` (${s.message})` : ""}`).join(", ")}`);
  if (!change.length && !failed.length && !wouldFail.length && h.status !== "unreachable") out.push("  nothing to change");
  return out;
}

export function renderPlan(doc: PlanDoc, file: string): string {
  const vars = [
    ...Object.entries(doc.extra_vars).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`),
    ...Object.entries(doc.secret_extra_vars).map(([k, h]) => `${k}=<secret, sha256 ${short(h)}>`),
  ];
  const s = doc.summary;
  const lines = [
    `Plan ${doc.id}  (${file}, ${doc.format}, remedy ${doc.remedy_version})`,
    `  created    ${doc.created} by ${creatorText(doc)}`,
    `  checksum   ${doc.checksum}`,
    `  playbook   ${doc.playbook.path}  "${doc.playbook.name}"  sha256 ${doc.playbook.sha256}`,
    `  inventory  ${doc.inventory.path}  sha256 ${doc.inventory.sha256}`,
    `  hosts      ${doc.inventory.hosts.length}: ${doc.inventory.hosts.join(", ")}`,
    `  limit      ${doc.limit ?? "(none)"}    tags ${doc.tags?.join(",") ?? "(all)"}`,
    `  extra vars ${vars.length ? vars.join("  ") : "(none)"}`,
    "",
    ...doc.hosts.flatMap((h) => [...hostBlock(h), ""]),
    `${s.hosts_to_change} of ${s.hosts} host(s) would change (${s.steps_to_change} step(s)); ${s.would_fail_hosts ? `${s.would_fail_hosts} would fail, ` : ""}${s.failed_hosts} failed, ${s.unreachable_hosts} unreachable at plan time.`,
    s.failed_hosts || s.unreachable_hosts || s.would_fail_hosts
      ? "This plan cannot be applied (not every host was checked successfully)."
      : "Applying it refuses any host whose boot id, kernel, facts, check output or commands differ from the above.",
  ];
  return lines.join("\n") + "\n";
}
