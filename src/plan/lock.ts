// Per-host run lock: observe (one script) → decide (pure) → take over a stale lock / wait / give up.
import type { Transport } from "../transport/transport.js";
import { errorMessage } from "../errors.js";
import { acquireScript, parseOutput, takeoverScript, type AppliedMarker, type LockOwnerInfo, type RemoteLayout, type ScriptOutput } from "./remote.js";

/** A lock older than this (node clock) is stale: no sane run holds a node for a day. */
export const DEFAULT_LOCK_MAX_AGE_SEC = 24 * 3600;
/** A lock directory without an owner file this long after its creation belongs to a run that died mid-write. */
const INCOMPLETE_GRACE_SEC = 60;

export type LockDecision =
  | { kind: "acquired" }
  | { kind: "held"; message: string; /** the holder is still writing its owner file: look again shortly */ transient?: boolean }
  | { kind: "stale"; reason: string }
  | { kind: "error"; message: string };

export function describeOwner(owner: Map<string, string>): string {
  const plan = owner.get("plan_id");
  return `run ${owner.get("run_id") ?? "?"} from controller ${owner.get("controller") ?? "?"} since ${owner.get("since") ?? "?"}${plan && plan !== "-" ? ` (plan ${plan})` : ""}`;
}

/** Pure: what one acquire attempt observed → what to do. */
/** Is the run that wrote this owner known to be dead? (its controller is this machine and its pid is gone) */
export type DeadRunProbe = (owner: Map<string, string>) => boolean;

export function decideLock(o: ScriptOutput, host: string, runId: string, maxAgeSec = DEFAULT_LOCK_MAX_AGE_SEC, deadRun: DeadRunProbe = () => false): LockDecision {
  const result = o.top.get("result");
  if (result === "acquired") return { kind: "acquired" };
  // re-entrant for one run: two inventory names for the same machine must not lock each other out
  if (result === "held" && o.owner.get("run_id") === runId) return { kind: "acquired" };
  if (result !== "held") return { kind: "error", message: `cannot take the run lock on ${host}: ${o.top.get("error") || "unexpected output from the lock script"}` };
  const boot = o.top.get("boot") ?? "";
  const now = Number(o.top.get("now"));
  const owner = o.owner;
  const ownerBoot = owner.get("boot_id");
  if (ownerBoot && boot && ownerBoot !== boot) return { kind: "stale", reason: `the node rebooted since ${describeOwner(owner)} took it (boot id ${ownerBoot.slice(0, 8)}… → ${boot.slice(0, 8)}…)` };
  const since = Number(owner.get("node_since"));
  if (Number.isFinite(since) && since > 0 && Number.isFinite(now) && now - since > maxAgeSec) {
    return { kind: "stale", reason: `${describeOwner(owner)} took it ${Math.round((now - since) / 3600)} h ago, more than the ${Math.round(maxAgeSec / 3600)} h maximum` };
  }
  if (owner.get("run_id") && deadRun(owner)) {
    return { kind: "stale", reason: `${describeOwner(owner)} holds it, but that remedy process (pid ${owner.get("controller_pid")} on this controller) is gone` };
  }
  const mtime = Number(o.top.get("lock_mtime"));
  if (!owner.get("run_id") && Number.isFinite(mtime) && mtime > 0 && Number.isFinite(now) && now - mtime > INCOMPLETE_GRACE_SEC) {
    return { kind: "stale", reason: "the lock has no owner (its run died while taking it)" };
  }
  if (!owner.get("run_id")) return { kind: "held", message: `locked on ${host}: another run is taking the lock right now`, transient: true };
  return {
    kind: "held",
    message: `locked on ${host} by ${describeOwner(owner)}; if that run is dead, remove the lock with \`remedy unlock -i INVENTORY -l ${host}\`, or wait for it with --lock-timeout SECONDS`,
  };
}

export interface LockRequest {
  host: string;
  layout: RemoteLayout;
  owner: LockOwnerInfo;
  become: boolean;
  /** how long to wait for a lock held by a live run (0: fail at once) */
  waitMs: number;
  maxAgeSec?: number;
  deadRun?: DeadRunProbe;
  /** told once, when a live holder makes us wait */
  onWait?: (message: string) => void;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
  signal?: AbortSignal;
}

export type LockOutcome =
  | { ok: true; warnings: string[]; applied?: AppliedMarker }
  | { ok: false; kind: "held" | "error"; message: string; warnings: string[] };

export function appliedFrom(o: ScriptOutput): AppliedMarker | undefined {
  const a = o.applied;
  if (!a.get("plan_id")) return undefined;
  return { planId: a.get("plan_id")!, runId: a.get("run_id") ?? "?", appliedAt: a.get("applied_at") ?? "?", controller: a.get("controller") ?? "?" };
}

export async function acquireLock(t: Transport, r: LockRequest): Promise<LockOutcome> {
  const warnings: string[] = [];
  const deadline = r.now() + r.waitMs;
  let takeovers = 0;
  let transientLeft = 30;
  let waited = false;
  for (;;) {
    const res = await t.exec(acquireScript(r.layout, r.owner), { timeoutMs: 30_000, become: r.become, signal: r.signal });
    const out = parseOutput(res.stdout);
    if (res.exitCode !== 0 && !out.top.has("result")) {
      return { ok: false, kind: "error", message: `cannot take the run lock on ${r.host}: lock script exited ${res.exitCode ?? res.signal}: ${res.stderr.trim().slice(0, 300)}`, warnings };
    }
    const d = decideLock(out, r.host, r.owner.runId, r.maxAgeSec, r.deadRun);
    if (d.kind === "acquired") return { ok: true, warnings, applied: appliedFrom(out) };
    if (d.kind === "error") return { ok: false, kind: "error", message: d.message, warnings };
    if (d.kind === "stale" && takeovers < 3) {
      takeovers++;
      const tk = await t.exec(takeoverScript(r.layout, out.ownerText, r.owner.runId), { timeoutMs: 30_000, become: r.become, signal: r.signal });
      if (parseOutput(tk.stdout).top.get("result") === "removed") warnings.push(`${r.host}: took over a stale run lock: ${d.reason}`);
      continue; // removed, or someone else changed it meanwhile: look again
    }
    const message = d.kind === "held" ? d.message : `locked on ${r.host}: ${d.reason}, but taking it over failed`;
    if (d.kind === "held" && d.transient && transientLeft-- > 0) {
      // the owner file follows the mkdir within milliseconds; it may even be our own run (re-entrant)
      await r.sleep(100, r.signal).catch(() => undefined);
      continue;
    }
    const left = deadline - r.now();
    if (left <= 0 || r.signal?.aborted) return { ok: false, kind: "held", message: r.waitMs > 0 ? `${message} (waited ${Math.round(r.waitMs / 1000)} s)` : message, warnings };
    if (!waited) r.onWait?.(message);
    waited = true;
    try {
      await r.sleep(Math.min(1000, left), r.signal);
    } catch (e) {
      return { ok: false, kind: "held", message: `${message} (${errorMessage(e)})`, warnings };
    }
  }
}

/** A probe for this controller: the owner names our host name and a pid that no longer exists. */
export function localDeadRunProbe(thisHost: string, alive: (pid: number) => boolean): DeadRunProbe {
  return (owner) => {
    const pid = Number(owner.get("controller_pid"));
    return owner.get("controller_host") === thisHost && Number.isInteger(pid) && pid > 0 && !alive(pid);
  };
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
