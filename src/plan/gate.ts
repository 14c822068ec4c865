// The node's bookkeeping for one apply run, through the run's own connection to each host: the run lock,
// audit lines appended as actions happen, the applied-plan marker and the lock release at host end.
// The engine calls this through its HostGate interface (src/engine/gate.ts); this file knows no engine.
import type { Transport } from "../transport/transport.js";
import type { HostResult } from "../model/outcome.js";
import { errorMessage } from "../errors.js";
import { auditLine, auditRecord, type AuditContext, type AuditEvent } from "./audit.js";
import { acquireLock, type DeadRunProbe } from "./lock.js";
import { auditScript, joinScripts, markerScript, parseOutput, releaseScript, DEFAULT_LAYOUT, type LockOwnerInfo, type RemoteLayout } from "./remote.js";

/** Two pipelines overlapping by a little should not fail; a real conflict still fails within a minute. */
export const DEFAULT_LOCK_TIMEOUT_SEC = 60;

/** Target paths; overridable for development machines and tests where /var is not the node's. */
export function layoutFrom(env: NodeJS.ProcessEnv): RemoteLayout {
  return { stateDir: env.REMEDY_TARGET_STATE_DIR || DEFAULT_LAYOUT.stateDir, auditFile: env.REMEDY_TARGET_AUDIT_LOG || DEFAULT_LAYOUT.auditFile };
}

export interface NodeGateOptions {
  layout: RemoteLayout;
  owner: LockOwnerInfo;
  audit: AuditContext;
  become: boolean;
  /** default wait for a lock held by a live run */
  waitMs: number;
  deadRun?: DeadRunProbe;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
  signal?: AbortSignal;
  redact: (s: string) => string;
  /** told once per host when a live holder makes us wait */
  onWait?: (message: string, waitMs: number) => void;
  onWarning?: (message: string) => void;
}

type GateLock = { ok: true; alreadyApplied?: string } | { ok: false; kind: "held" | "error"; message: string };

export class NodeGate {
  private readonly locked = new Set<string>();
  constructor(private readonly o: NodeGateOptions) {}

  held(): string[] {
    return [...this.locked];
  }

  async lock(host: string, t: Transport, waitMs = this.o.waitMs): Promise<GateLock> {
    if (this.locked.has(host)) return { ok: true };
    const { o } = this;
    const r = await acquireLock(t, { host, layout: o.layout, owner: o.owner, become: o.become, waitMs, deadRun: o.deadRun, sleep: o.sleep, now: o.now, signal: o.signal, onWait: (m) => o.onWait?.(m, waitMs) });
    for (const w of r.warnings) o.onWarning?.(w);
    if (!r.ok) return { ok: false, kind: r.kind, message: r.message };
    this.locked.add(host);
    const a = r.applied;
    return a ? { ok: true, alreadyApplied: `already applied on ${host} at ${a.appliedAt} (run ${a.runId} from ${a.controller})` } : { ok: true };
  }

  async release(host: string, t: Transport): Promise<void> {
    if (!this.locked.has(host)) return;
    await t.exec(releaseScript(this.o.layout, this.o.owner.runId), { timeoutMs: 30_000, become: this.o.become });
    this.locked.delete(host);
  }

  async audit(host: string, t: Transport, e: AuditEvent): Promise<boolean> {
    const line = auditLine(auditRecord(this.o.audit, host, e, new Date().toISOString()), this.o.redact);
    try {
      const r = await t.exec(auditScript(this.o.layout, [line]), { timeoutMs: 30_000, become: this.o.become });
      if (parseOutput(r.stdout).top.get("audited") === "yes") return true;
      this.o.onWarning?.(`${host}: could not append to the audit log ${this.o.layout.auditFile}: ${r.stderr.trim().slice(0, 200)}`);
    } catch (e) {
      this.o.onWarning?.(`${host}: could not append to the audit log ${this.o.layout.auditFile}: ${errorMessage(e)}`);
    }
    return false;
  }

  /** Marker for a successful host of a plan, then the lock release: one round trip. */
  async end(host: string, t: Transport, result: HostResult): Promise<string[]> {
    const { o } = this;
    const warnings: string[] = [];
    const parts: string[] = [];
    const planId = o.audit.planId;
    const marks = Boolean(planId) && (result.status === "changed" || result.status === "ok");
    if (marks) parts.push(markerScript(o.layout, { planId: planId!, runId: o.owner.runId, appliedAt: new Date().toISOString(), controller: o.owner.controller }));
    const held = this.locked.has(host);
    if (held) parts.push(releaseScript(o.layout, o.owner.runId));
    if (!parts.length) return warnings;
    const r = await t.exec(joinScripts(parts), { timeoutMs: 30_000, become: o.become });
    const out = parseOutput(r.stdout).top;
    if (marks && out.get("marked") !== "yes") warnings.push(`${host}: could not record plan ${planId} as applied: ${r.stderr.trim().slice(0, 200)}`);
    if (held) {
      if (out.get("released") === "notours") warnings.push(`${host}: the run lock was no longer ours at the end (taken over?)`);
      this.locked.delete(host);
    }
    return warnings;
  }
}
