// Playbook model (types only): what src/playbook/load.ts produces after schema validation and defaults.
import type { Vars } from "./inventory.js";

/** A parsed `when` expression or condition; see src/playbook/expr.ts */
export interface Condition {
  source: string;
}

/** How a command's result is judged. All given parts must hold. */
export interface Match {
  /** exit codes that count as a match (default [0]) */
  exit?: number[];
  /** regex the stdout must match (multiline) */
  stdout?: string;
  /** regex the stdout must NOT match */
  stdoutNot?: string;
  /** stdout (trimmed) must equal this (interpolated) */
  equals?: string;
}

export interface Check {
  run: string;
  /** exit codes that are valid answers; anything else (127, signals, timeout) is a check error. default [0, 1] */
  expectExit: number[];
  compliant: Match;
  /** when this matches, the step is skipped on this host with `reason` (e.g. a [fixed] feature, cgroup v2) */
  notApplicable?: { match: Match; reason: string };
  /** register the result under this name for later steps (also in dry runs) */
  register?: string;
  timeoutSec?: number;
}

export interface Verify {
  /** omitted: re-run the check and require compliance */
  run?: string;
  compliant: Match;
  retries: number;
  delaySec: number;
  timeoutSec?: number;
}

export interface RunAction {
  kind: "run";
  run: string;
  /** exit codes counted as success (default [0]) */
  okExit: number[];
  timeoutSec?: number;
  register?: string;
}

export interface CopyAction {
  kind: "copy";
  /** local path relative to the playbook file, or inline content */
  src?: string;
  content?: string;
  dest: string;
  mode?: string;
  owner?: string;
  group?: string;
  backup: boolean;
  /** expected sha256 of the source (checked before upload) */
  sha256?: string;
  /** interpolate {{ }} inside the content (template) */
  template: boolean;
  /** template: the file's syntax, each value is encoded for it (undefined: plain, one-line values) */
  syntax?: "shell" | "sysctl" | "keyfile" | "plain";
}

export interface RebootAction {
  kind: "reboot";
  /** total budget for the reboot, seconds (default 600) */
  timeoutSec: number;
  /** command that must succeed after the boot id changed (default whoami) */
  testCommand: string;
  /** expected stdout (trimmed, interpolated) of the test command, optional */
  expect?: string;
  /** seconds the host must stay up (boot id unchanged, reachable) after it came back (default 0) */
  stableSec: number;
  /** command that triggers the reboot (default: shutdown -r now "Reboot initiated by remedy") */
  command: string;
  connectTimeoutSec: number;
}

export interface KubeAction {
  kind: "cordon" | "drain" | "uncordon";
  /** Kubernetes node name (default: the inventory host name) */
  node?: string;
  /** inventory host that runs kubectl; "localhost"/omitted = the controller */
  delegateTo?: string;
  timeoutSec: number;
  /** drain only: leave the node cordoned for a human when a later step fails */
  leaveCordonedOnFailure?: boolean;
}

export interface FailAction {
  kind: "fail";
  message: string;
}

export interface ArtifactAction {
  kind: "artifact";
  name: string;
  /** values that decide when two nodes can share a build, interpolated per host */
  key: string[];
  /** where to build: "controller", an inventory host, or a group (first host) */
  builder: string;
  /** commands run on the builder, in a fresh work dir ($REMEDY_WORKDIR) */
  build: string[];
  /** path (relative to the work dir, or absolute) of the built file to collect */
  output: string;
  /** destination on each node */
  dest: string;
  mode?: string;
  owner?: string;
  timeoutSec: number;
}

export type Action = RunAction | CopyAction | RebootAction | KubeAction | FailAction | ArtifactAction;

export interface Step {
  /** unique slug derived from the name (or `id:`), used in plans and events */
  id: string;
  name: string;
  when?: Condition;
  /** reason printed when `when` is false (default: the condition text) */
  whenReason?: string;
  tags: string[];
  /** omitted: the step always applies (no compliance question) */
  check?: Check;
  apply: Action[];
  verify?: Verify;
  rollback: Action[];
  timeoutSec: number;
  /** the step sets `timeout:` itself (--timeout then leaves it alone) */
  timeoutExplicit?: boolean;
  /** file:line of the step, for messages */
  at: string;
}

export type InputType = "string" | "integer" | "boolean" | "ipv4" | "hostname" | "host" | "port" | "interface" | "version" | "mac" | "path" | "list";

/** One declared input (`inputs:` in the playbook); checked by src/playbook/inputs.ts. */
export interface InputSpec {
  type: InputType;
  /** a non-empty value must come from some source (vars default, inventory, -e) */
  required?: boolean;
  /** never shown; also implied by a secret-looking name */
  secret?: boolean;
  description?: string;
  enum?: Array<string | number | boolean>;
  /** the whole value must match (JavaScript regex, anchored) */
  pattern?: string;
  min?: number;
  max?: number;
}

export interface Playbook {
  file: string;
  sha256: string;
  name: string;
  description?: string;
  hosts: string;
  vars: Vars;
  /** typed inputs (`inputs:`), checked before connecting; see src/playbook/inputs.ts */
  inputs?: Record<string, InputSpec>;
  /** where each playbook var default is written (line:col in `file`), for messages */
  varsAt?: Record<string, { line: number; col: number }>;
  serial?: Array<number | string>;
  maxFailPercentage?: number;
  anyErrorsFatal: boolean;
  become: boolean;
  steps: Step[];
}
