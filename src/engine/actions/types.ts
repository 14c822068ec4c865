// One interface for every action kind: an action either succeeds or returns the reason it failed. Losing the
// host's own connection is not a result: the TransportError propagates and the host pipeline decides.
import type { Action, Playbook, Step } from "../../model/playbook.js";
import type { Facts } from "../../model/facts.js";
import type { EventSink, Phase } from "../../model/events.js";
import type { ExecResult } from "../../transport/transport.js";
import type { Scope } from "../../playbook/index.js";
import type { HostContext } from "../context.js";
import type { CordonTracker } from "../cordon-tracker.js";
import type { ArtifactService } from "../../artifacts/api.js";

export type ActionResult = { ok: true } | { ok: false; reason: string };

export interface ActionEnv {
  host: string;
  step: Step;
  phase: Extract<Phase, "apply" | "rollback">;
  scope: Scope;
  playbook: Playbook;
  facts: Facts;
  /** the host's connection, reboot-aware */
  ctx: HostContext;
  exec(command: string, timeoutSec: number): Promise<ExecResult>;
  emit: EventSink;
  tracker: CordonTracker;
  artifacts?: ArtifactService;
}

export interface ActionKind<A extends Action = Action> {
  /** changes the host (gets audit intent/result lines); `fail` does not */
  mutating: boolean;
  run(a: A, env: ActionEnv): Promise<ActionResult>;
}

export const ok: ActionResult = { ok: true };
export const failed = (reason: string): ActionResult => ({ ok: false, reason });
