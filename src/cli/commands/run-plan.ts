// The plan file around a run: `plan` writes one; `apply --plan` loads it, refuses mismatched inputs before
// connecting, and hands the engine what to enforce (approved steps, fingerprints, per-host comparison).
import { resolve } from "node:path";
import { randomUUID } from "node:crypto";
import type { Io } from "../io.js";
import type { RunFlags } from "../options.js";
import { InputError, PlanRefusedError } from "../../errors.js";
import { resolvePattern } from "../../inventory/index.js";
import type { Inventory } from "../../model/inventory.js";
import type { Playbook } from "../../model/playbook.js";
import type { PlanRefusal } from "../../model/outcome.js";
import type { PlanEnforcement, RunResult } from "../../engine/runner.js";
import type { Redactor } from "../../report/redact.js";
import { buildPlan } from "../../plan/build.js";
import { approvedFrom, compareHost, compareInputs, refusalText, RETRY_LATER } from "../../plan/compare.js";
import type { PlanDoc } from "../../plan/format.js";
import { loadPlanFile } from "../../plan/load.js";
import { renderPlanSummary } from "../../plan/render.js";
import { planVars } from "../../plan/vars.js";
import { controllerIdentity, remedyVersion } from "../../plan/who.js";
import { assertWritable, writePlanFile } from "../../plan/write.js";

export interface RunInputs {
  playbook: Playbook;
  inventory: Inventory;
  hosts: string[];
  extraVars: Record<string, unknown>;
}

/** `remedy plan`: check -o early (nothing runs when it cannot be written); returns the writer for after the run. */
export async function planWriter(flags: RunFlags, l: RunInputs, io: Io, tags: string[] | undefined) {
  const out = flags.out;
  if (!out) throw new InputError("missing -o/--out: name the plan file to write");
  await assertWritable(out, io.cwd);
  const id = randomUUID();
  const created = new Date().toISOString();
  return async (result: RunResult, redactor: Redactor): Promise<void> => {
    if (result.summary.interrupted) {
      io.err(`Interrupted: no plan written to ${out}.\n`);
      return;
    }
    const doc = buildPlan(
      {
        id,
        created,
        version: remedyVersion(),
        creator: controllerIdentity(io.env),
        playbook: { path: l.playbook.file, name: l.playbook.name, sha256: l.playbook.sha256 },
        inventory: { path: l.inventory.source, sha256: l.inventory.sha256 },
        hosts: l.hosts,
        vars: planVars(l.extraVars, redactor, l.playbook.inputs),
        limit: flags.limit,
        tags,
        results: result.hosts,
      },
      redactor,
    );
    await writePlanFile(out, doc, io.cwd);
    io.err(renderPlanSummary(doc, out));
  };
}

export interface LoadedPlan {
  doc: PlanDoc;
  file: string;
  hosts: string[];
  tags?: string[];
}

/** apply --plan, before connecting: load the file (exit 4 when damaged) and compare the inputs (exit 5). */
export async function loadPlanForApply(flags: RunFlags, l: RunInputs, io: Io, tags: string[] | undefined, redactorFor: (hosts: string[]) => Redactor): Promise<LoadedPlan> {
  const file = flags.plan!;
  const doc = await loadPlanFile(file, resolve(io.cwd, file));
  let hosts = l.hosts;
  if (flags.limit === undefined && doc.limit !== null) hosts = resolvePattern(l.inventory, l.playbook.hosts, doc.limit);
  const effectiveTags = tags === undefined && doc.tags ? doc.tags : tags;
  const problems = compareInputs(doc, {
    playbook: { path: l.playbook.file, sha256: l.playbook.sha256 },
    inventory: { path: l.inventory.source, sha256: l.inventory.sha256 },
    hosts,
    vars: planVars(l.extraVars, redactorFor(hosts), l.playbook.inputs),
    limit: flags.limit,
    tags,
  });
  if (problems.length) throw new PlanRefusedError(refusalText(file, doc, problems));
  return { doc, file, hosts, tags: effectiveTags };
}

export function enforcement(p: LoadedPlan, redactor: Redactor, lockWaitMs: number, io: Io): PlanEnforcement {
  const byHost = new Map(p.doc.hosts.map((h) => [h.name, h]));
  return {
    approved: approvedFrom(p.doc),
    fingerprints: new Map(p.doc.hosts.flatMap((h) => (h.fingerprint ? [[h.name, { boot_id: h.fingerprint.boot_id, kernel: h.fingerprint.kernel }] as const] : []))),
    lockWaitMs,
    verify: (fresh): PlanRefusal | undefined => {
      const planned = byHost.get(fresh.host);
      if (!planned) return { kind: "stale", host: fresh.host, reasons: ["not in the plan"] };
      const r = compareHost(planned, fresh, (s) => redactor.text(s));
      return r ? { kind: r.kind, host: r.host, reasons: r.reasons } : undefined;
    },
    onChecked: (n) => io.err(`plan ${p.doc.id}: all ${n} host(s) still match the plan (checked under the run lock); applying ${p.doc.summary.steps_to_change} step(s) on ${p.doc.summary.hosts_to_change} host(s)\n`),
  };
}

/** The refusal text for the approver: every host's reasons, and what to do next. */
export function refusalReport(p: LoadedPlan, refusals: readonly PlanRefusal[]): string {
  const lines = refusals.flatMap((r) => r.reasons.map((x) => (x.startsWith(`${r.host}: `) ? x : `${r.host}: ${x}`)));
  const footer = refusals.some((r) => r.kind === "already_applied")
    ? "This plan was already applied; to change these hosts again, make and approve a new plan."
    : refusals.some((r) => r.kind === "stale")
      ? undefined
      : RETRY_LATER;
  return refusalText(p.file, p.doc, lines, footer) + "\n";
}
