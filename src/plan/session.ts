// plan / apply --plan / apply --yes around one run: write the plan; or refuse a stale plan (check pass on
// every host under the run lock first, Terraform-style all-or-nothing), then lock, audit and mark hosts.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { resolve } from "node:path";
import type { Io } from "../cli/io.js";
import type { RunFlags } from "../cli/options.js";
import { intFlag } from "../cli/options.js";
import type { Connector } from "../engine/connector.js";
import type { Clock } from "../engine/context.js";
import type { HostResult } from "../engine/host-run.js";
import { pool, runPlaybook, type RunOptions, type RunResult } from "../engine/runner.js";
import { ExitCode } from "../cli/exit-codes.js";
import { InputError, InterruptedError, PlanRefusedError, errorMessage } from "../errors.js";
import { groupsView, hostVars, resolvePattern } from "../inventory/index.js";
import type { Mode } from "../model/events.js";
import type { Facts } from "../model/facts.js";
import type { Inventory } from "../model/inventory.js";
import type { Playbook } from "../model/playbook.js";
import { Redactor, secretValues } from "../report/redact.js";
import { vaultKeyring } from "../inventory/vault.js";
import type { Transport } from "../transport/transport.js";
import { auditLine, auditRecords, type AuditContext } from "./audit.js";
import { buildPlan } from "./build.js";
import { approvedFrom, compareHosts, compareInputs, hostRefusalLines, refusalText, RETRY_LATER } from "./compare.js";
import type { PlanCreator, PlanDoc } from "./format.js";
import { loadPlanFile } from "./load.js";
import { acquireLock, localDeadRunProbe, pidAlive } from "./lock.js";
import { auditScript, joinScripts, markerScript, parseOutput, releaseScript, DEFAULT_LAYOUT, type RemoteLayout } from "./remote.js";
import { renderPlanSummary } from "./render.js";
import { planVars } from "./vars.js";
import { controllerIdentity, remedyVersion } from "./who.js";
import { assertWritable, writePlanFile } from "./write.js";
import { LockedError, PlanUnreachableError } from "./errors.js";

export interface LoadedRun {
  playbook: Playbook;
  inventory: Inventory;
  hosts: string[];
  extraVars: Record<string, unknown>;
}

export interface PlanHooks {
  runOptions: Partial<RunOptions>;
  /** called with the finished run; returns the exit code */
  after(result: RunResult, redactor: Redactor): Promise<number>;
  /** called instead of after() when the run never happened or failed (prompt declined, error): release what we hold */
  abandon?(): Promise<void>;
}

export interface SessionDeps {
  /** a connector of our own (lock, check pass, host-end bookkeeping), created only when needed */
  connector: () => Connector;
  clock: Clock;
}

type Flags = RunFlags & { lockTimeout?: string };

/** Two pipelines overlapping by a little should not fail; a real conflict still fails within a minute. */
export const DEFAULT_LOCK_TIMEOUT_SEC = 60;

const noHooks: PlanHooks = { runOptions: {}, after: async (r) => r.exitCode };

/** Target paths; overridable for development machines and tests where /var is not the node's. */
export function layoutFrom(env: NodeJS.ProcessEnv): RemoteLayout {
  return { stateDir: env.REMEDY_TARGET_STATE_DIR || DEFAULT_LAYOUT.stateDir, auditFile: env.REMEDY_TARGET_AUDIT_LOG || DEFAULT_LAYOUT.auditFile };
}

/** The same redactor run.ts builds (secret-looking vars of every source), for comparing redacted commands. */
export function runRedactor(l: LoadedRun, hosts: string[]): Redactor {
  const r = new Redactor();
  r.add(secretValues(l.extraVars));
  r.add(secretValues(l.playbook.vars));
  for (const h of hosts) r.add(secretValues(hostVars(l.inventory, h)));
  r.add(vaultKeyring().revealed); // decrypted ansible-vault values, whatever their names
  return r;
}

function parseTags(s: string | undefined): string[] | undefined {
  return s ? s.split(",").map((t) => t.trim()).filter(Boolean) : undefined;
}

export async function makePlanHooks(mode: Mode, flags: Flags, loaded: LoadedRun, io: Io, deps: SessionDeps): Promise<PlanHooks> {
  if (mode === "check") {
    if (flags.plan) throw new InputError("--plan is for `remedy apply`; `remedy check` does not read plans");
    return noHooks;
  }
  if (mode === "plan") return planMode(flags, loaded, io);
  // run.ts refuses a non-interactive apply without approval; do not connect before it can say so
  if (!flags.yes && !flags.plan && (!io.isTTY || flags.json)) return noHooks;
  return applyMode(flags, loaded, io, deps);
}

// ---------------------------------------------------------------- plan

async function planMode(flags: Flags, loaded: LoadedRun, io: Io): Promise<PlanHooks> {
  if (flags.plan) throw new InputError("--plan is for `remedy apply`; `remedy plan` writes a plan with -o FILE");
  const out = flags.out;
  if (!out) throw new InputError("missing -o/--out: name the plan file to write");
  await assertWritable(out, io.cwd);
  const id = randomUUID();
  const created = new Date().toISOString();
  return {
    runOptions: {},
    after: async (result, redactor) => {
      if (result.summary.interrupted) {
        io.err(`Interrupted: no plan written to ${out}.\n`);
        return result.exitCode;
      }
      const doc = buildPlan(
        {
          id,
          created,
          version: remedyVersion(),
          creator: controllerIdentity(io.env),
          playbook: { path: loaded.playbook.file, name: loaded.playbook.name, sha256: loaded.playbook.sha256 },
          inventory: { path: loaded.inventory.source, sha256: loaded.inventory.sha256 },
          hosts: loaded.hosts,
          vars: planVars(loaded.extraVars, redactor),
          limit: flags.limit,
          tags: parseTags(flags.tags),
          results: result.hosts,
        },
        redactor,
      );
      await writePlanFile(out, doc, io.cwd);
      io.err(renderPlanSummary(doc, out));
      return result.exitCode;
    },
  };
}

// ---------------------------------------------------------------- apply

interface HostState {
  locked: boolean;
  /** why the lock could not be taken (apply --yes: fails the host before it changes anything) */
  lockError?: string;
  /** lock released and bookkeeping done at host end */
  done: boolean;
}

async function applyMode(flags: Flags, loaded: LoadedRun, io: Io, deps: SessionDeps): Promise<PlanHooks> {
  const waitMs = (intFlag("lock-timeout", flags.lockTimeout, 0, 86400) ?? DEFAULT_LOCK_TIMEOUT_SEC) * 1000;
  const layout = layoutFrom(io.env);
  const creator = controllerIdentity(io.env);
  const runId = randomUUID();
  const become = loaded.playbook.become;
  const since = new Date().toISOString();

  // --- plan: everything that can be refused without connecting
  let plan: PlanDoc | undefined;
  let hosts = loaded.hosts;
  let tags = parseTags(flags.tags);
  let redactor = runRedactor(loaded, hosts);
  if (flags.plan) {
    plan = await loadPlanFile(flags.plan, resolve(io.cwd, flags.plan));
    if (flags.limit === undefined && plan.limit !== null) hosts = resolvePattern(loaded.inventory, loaded.playbook.hosts, plan.limit);
    if (tags === undefined && plan.tags) tags = plan.tags;
    redactor = runRedactor(loaded, hosts);
    const problems = compareInputs(plan, {
      playbook: { path: loaded.playbook.file, sha256: loaded.playbook.sha256 },
      inventory: { path: loaded.inventory.source, sha256: loaded.inventory.sha256 },
      hosts,
      vars: planVars(loaded.extraVars, redactor),
      limit: flags.limit,
      tags: parseTags(flags.tags),
    });
    if (problems.length) throw new PlanRefusedError(refusalText(flags.plan, plan, problems));
  }

  // created on first use: an interactive apply that is declined at the prompt never connects from here
  let conn: Connector | undefined;
  const connector: Connector = {
    get: (h, sig) => (conn ??= deps.connector()).get(h, sig),
    reconnect: (h, sig) => (conn ??= deps.connector()).reconnect(h, sig),
    closeAll: async () => conn?.closeAll(),
  };
  // interactive apply (no --yes/--plan): run.ts may return after the preview without calling after(),
  // so take locks only at the first apply action there, never up front
  const upfront = Boolean(flags.yes || flags.plan);
  const forks = intFlag("forks", flags.forks, 1, 5000) ?? 50;
  const state = new Map<string, HostState>(hosts.map((h) => [h, { locked: false, done: false }]));
  const warnings: string[] = [];
  const audit: AuditContext = { creator, runId, planId: plan?.id, playbook: { path: loaded.playbook.file, sha256: loaded.playbook.sha256 } };
  const owner = { runId, controller: creator.who, since, planId: plan?.id, controllerHost: hostname(), controllerPid: process.pid };
  const deadRun = localDeadRunProbe(hostname(), pidAlive);
  const lockOn = async (host: string, t: Transport, wait = waitMs) => {
    const r = await acquireLock(t, { host, layout, owner, become, waitMs: wait, deadRun, sleep: deps.clock.sleep, now: deps.clock.now, signal: io.signal, onWait: (m) => io.err(`waiting up to ${Math.round(wait / 1000)} s for the run lock: ${m}\n`) });
    warnings.push(...r.warnings);
    for (const w of r.warnings) io.err(`warning: ${w}\n`);
    return r;
  };

  const releaseAll = async () => {
    await pool(hosts, forks, new AbortController().signal, async (h) => {
      const st = state.get(h)!;
      if (!st.locked || st.done) return;
      await hostEnd(h, undefined).catch((e) => warnings.push(`${h}: could not release the run lock: ${errorMessage(e)}; remove it with \`remedy unlock -i INVENTORY -l ${h}\``));
    });
  };

  /** host end: audit lines, applied marker (plan, success), lock release — one round trip */
  const hostEnd = async (host: string, result: HostResult | undefined, t?: Transport) => {
    const st = state.get(host)!;
    const parts: string[] = [];
    if (result) {
      const lines = auditRecords(audit, result, new Date().toISOString()).map((r) => auditLine(r, (s) => redactor.text(s)));
      if (lines.length) parts.push(auditScript(layout, lines));
      if (plan && (result.status === "changed" || result.status === "ok")) {
        parts.push(markerScript(layout, { planId: plan.id, runId, appliedAt: new Date().toISOString(), controller: creator.who }));
      }
    }
    if (st.locked) parts.push(releaseScript(layout, runId));
    if (!parts.length) return;
    const exec = async (tr: Transport) => tr.exec(joinScripts(parts), { timeoutMs: 30_000, become });
    let r;
    try {
      r = await exec(t ?? (await connector.get(host, io.signal)));
    } catch {
      r = await exec(await connector.reconnect(host)); // e.g. the host rebooted during the run
    }
    const out = parseOutput(r.stdout).top;
    if (result && parts.some((p) => p.includes("audited=yes")) && out.get("audited") !== "yes") warnings.push(`${host}: could not append to the audit log ${layout.auditFile}: ${r.stderr.trim().slice(0, 200)}`);
    if (result && plan && parts.some((p) => p.includes("marked=yes")) && out.get("marked") !== "yes") warnings.push(`${host}: could not record plan ${plan.id} as applied: ${r.stderr.trim().slice(0, 200)}`);
    if (st.locked) {
      if (out.get("released") === "notours") warnings.push(`${host}: the run lock was no longer ours at the end (taken over?)`);
      st.locked = false;
    }
    st.done = true;
  };

  // --- lock every host before any check, so nothing else changes a node between our checks and applies
  const refusedHosts: string[] = [];
  const transports = new Map<string, Transport>();
  await pool(upfront ? hosts : [], forks, io.signal, async (h) => {
    try {
      transports.set(h, await connector.get(h, io.signal));
    } catch (e) {
      // unreachable: the run reports it (--yes; beforeApply retries if it comes back) or the plan is refused
      if (plan) refusedHosts.push(`${h}: unreachable: ${errorMessage(e)}`);
    }
  });
  const appliedOn = new Map<string, string>();
  /** one host, one attempt (waiting up to `wait`); the outcome is left in `state` */
  const lockOne = async (h: string, wait: number): Promise<"ok" | "held" | "failed"> => {
    const st = state.get(h)!;
    const t = transports.get(h);
    if (!t) return "failed";
    try {
      const r = await lockOn(h, t, wait);
      if (r.ok) {
        st.locked = true;
        st.lockError = undefined;
        if (plan && r.applied) appliedOn.set(h, `${h}: already applied on ${h} at ${r.applied.appliedAt} (run ${r.applied.runId} from ${r.applied.controller})`);
        return "ok";
      }
      st.lockError = r.message;
      return r.kind === "held" ? "held" : "failed";
    } catch (e) {
      st.lockError = `cannot take the run lock on ${h}: ${errorMessage(e)}`;
      return "failed";
    }
  };
  const reachable = [...transports.keys()];
  if (!(plan && refusedHosts.length)) {
    // optimistic: all at once without waiting (nobody waits, so nobody deadlocks)
    const first = new Map<string, string>();
    await pool(reachable, forks, io.signal, async (h) => void first.set(h, await lockOne(h, 0)));
    const held = reachable.filter((h) => first.get(h) === "held");
    if (held.length && waitMs > 0 && !io.signal.aborted) {
      // waiting while holding other locks deadlocks two runs that took them in different orders:
      // let go of ours, then take them one by one in name order (a plan stops at the first it cannot get)
      await pool(reachable, forks, new AbortController().signal, async (h) => {
        const t = transports.get(h)!;
        if (!state.get(h)!.locked) return;
        await t.exec(releaseScript(layout, runId), { timeoutMs: 30_000, become }).catch(() => undefined);
        state.get(h)!.locked = false;
      });
      for (const h of reachable.sort()) {
        if (io.signal.aborted) break;
        if ((await lockOne(h, waitMs)) !== "ok" && plan) break;
      }
    }
  }
  if (plan) {
    for (const h of reachable) {
      const st = state.get(h)!;
      if (!st.locked && st.lockError) refusedHosts.push(st.lockError);
    }
    refusedHosts.push(...appliedOn.values());
  }
  if (io.signal.aborted) {
    await releaseAll();
    await connector.closeAll();
    throw new InterruptedError("interrupted while taking the run locks; nothing was applied");
  }

  if (plan) {
    if (refusedHosts.length) {
      await releaseAll();
      await connector.closeAll();
      if (refusedHosts.some((r) => r.includes("already applied on"))) throw new PlanRefusedError(refusalText(flags.plan!, plan, refusedHosts, "This plan was already applied; to change these hosts again, make and approve a new plan."));
      const text = refusalText(flags.plan!, plan, refusedHosts, RETRY_LATER);
      if (refusedHosts.every((r) => r.includes(": unreachable: "))) throw new PlanUnreachableError(text);
      throw new LockedError(text);
    }
    // check pass: the same dry run as `remedy plan`, on every host, before anything is applied anywhere
    const fresh = await runPlaybook({
      mode: "plan",
      playbook: loaded.playbook,
      hosts,
      varsFor: (h) => ({ ...loaded.playbook.vars, ...hostVars(loaded.inventory, h), ...loaded.extraVars }),
      groups: groupsView(loaded.inventory),
      connector,
      emit: () => undefined,
      signal: io.signal,
      clock: deps.clock,
      forks,
      tags,
    });
    if (io.signal.aborted) {
      await releaseAll();
      await connector.closeAll();
      throw new InterruptedError("interrupted during the plan's check pass; nothing was applied");
    }
    const refusals = compareHosts(plan, fresh.hosts, (s) => redactor.text(s));
    if (refusals.length) {
      await releaseAll();
      await connector.closeAll();
      if (refusals.every((r) => r.kind === "unreachable")) throw new PlanUnreachableError(refusalText(flags.plan!, plan, hostRefusalLines(refusals), RETRY_LATER));
      throw new PlanRefusedError(refusalText(flags.plan!, plan, hostRefusalLines(refusals)));
    }
    io.err(`plan ${plan.id}: all ${hosts.length} host(s) still match the plan (checked under the run lock); applying ${plan.summary.steps_to_change} step(s) on ${plan.summary.hosts_to_change} host(s)\n`);
  }

  const planFp = new Map(plan?.hosts.map((h) => [h.name, h.fingerprint]) ?? []);
  const runOptions: Partial<RunOptions> = {
    runId,
    hosts,
    tags,
    ...(plan ? { approved: approvedFrom(plan) } : {}),
    hooks: {
      beforeApply: async (t: Transport, facts: Facts) => {
        const host = t.host; // our connectors name transports by inventory host
        const st = state.get(host);
        if (!st) return;
        if (!st.locked) {
          if (st.lockError) throw new Error(st.lockError);
          const r = await lockOn(host, t);
          if (!r.ok) throw new Error(r.message);
          st.locked = true;
        }
        const fp = planFp.get(host);
        if (fp && (fp.boot_id !== facts.boot_id || fp.kernel !== facts.kernel)) {
          throw new Error(`${host} rebooted since the plan's check pass (boot id or kernel changed); nothing applied here, re-plan`);
        }
      },
      afterApply: async (t: Transport, result: HostResult) => {
        try {
          await hostEnd(result.host, result, t);
        } catch (e) {
          warnings.push(`${result.host}: host-end bookkeeping failed (${errorMessage(e)}); check the audit log and remove a left-over lock with \`remedy unlock -i INVENTORY -l ${result.host}\``);
        }
      },
    },
  };

  return {
    runOptions,
    after: async (result) => {
      const byHost = new Map(result.hosts.map((h) => [h.host, h]));
      await pool(hosts, forks, new AbortController().signal, async (h) => {
        const st = state.get(h)!;
        if (st.done || !st.locked) return;
        await hostEnd(h, byHost.get(h)).catch((e) => warnings.push(`${h}: could not release the run lock (${errorMessage(e)}); remove it with \`remedy unlock -i INVENTORY -l ${h}\``));
      });
      await connector.closeAll();
      for (const w of warnings) io.err(`warning: ${w}\n`);
      return exitCodeAfter(result);
    },
    abandon: async () => {
      await releaseAll();
      await connector.closeAll();
      for (const w of warnings) io.err(`warning: ${w}\n`);
    },
  };
}

/** A run whose only failures are steps the plan did not approve was refused, not broken: exit 5. */
export function exitCodeAfter(result: RunResult): number {
  if (result.exitCode !== ExitCode.Failed) return result.exitCode;
  const failed = result.hosts.filter((h) => h.status === "failed");
  const refused = (h: HostResult) => h.steps.some((s) => s.status === "failed" && (s.message ?? "").startsWith("not in the approved plan")) || /since the plan/.test(h.message ?? "");
  return failed.length > 0 && failed.every(refused) ? ExitCode.PlanRefused : result.exitCode;
}

export type { PlanCreator };
