// What one host's run is given, shared by the whole host lifecycle (host-run.ts) and its steps phase
// (host-steps.ts): one definition, so an option added for the run reaches the steps with the same meaning.
import type { Playbook } from "../model/playbook.js";
import type { EventSink, Mode } from "../model/events.js";
import type { ApprovedHost } from "../model/outcome.js";
import type { ArtifactService } from "../artifacts/api.js";
import type { Clock } from "./context.js";
import type { CordonTracker } from "./cordon-tracker.js";
import type { HostGate } from "./gate.js";

export interface HostOptions {
  host: string;
  mode: Mode;
  playbook: Playbook;
  emit: EventSink;
  signal: AbortSignal;
  clock: Clock;
  tracker: CordonTracker;
  artifacts?: ArtifactService;
  /** apply --plan: what was approved for this host, and its fingerprint at plan time */
  approved?: ApprovedHost;
  tags?: string[];
  skipTags?: string[];
  /** --diff: unified diffs of copy/template destinations on step_end */
  diff?: boolean;
  /** apply: the node's run lock and audit log (and, with lockOnly, a dry run under the lock: apply --plan's check pass) */
  gate?: HostGate;
}

/** Event time stamps. */
export const now = (): string => new Date().toISOString();
