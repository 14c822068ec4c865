// What the engine needs from the node's bookkeeping during an apply: the run lock, audit lines written as
// actions happen, and the host-end marker/release. Implemented by src/plan/gate.ts (NodeGate), wired by the CLI;
// always through the run's own connection to the host.
import type { Transport } from "../transport/transport.js";
import type { Phase } from "../model/events.js";
import type { HostResult } from "../model/outcome.js";

export type GateLock =
  | { ok: true; /** apply --plan: this plan was already applied on the node */ alreadyApplied?: string }
  | { ok: false; kind: "held" | "error"; message: string };

export interface AuditEntry {
  step: { id: string; name: string };
  /** intent: before a mutating action; result: after it; step: the step's final result */
  event: "intent" | "result" | "step";
  phase?: Phase;
  action?: string;
  ok?: boolean;
  result?: "changed" | "failed";
  message?: string;
}

export interface HostGate {
  /** take the run lock on the host's node (waiting up to `waitMs`, default the run's lock timeout) */
  lock(host: string, t: Transport, waitMs?: number): Promise<GateLock>;
  /** give the lock back (nothing else), e.g. after a refused plan */
  release(host: string, t: Transport): Promise<void>;
  /** append one audit line on the node now; false when it could not be written (the run goes on, with a warning) */
  audit(host: string, t: Transport, e: AuditEntry): Promise<boolean>;
  /** hosts whose lock this run holds right now */
  held(): string[];
  /** host end: applied-plan marker (when the host succeeded) and lock release, in one round trip; returns warnings */
  end(host: string, t: Transport, result: HostResult): Promise<string[]>;
}
