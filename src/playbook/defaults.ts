// The one place where defaults are applied: validated raw YAML → the typed model (src/model/playbook.ts).
import type { Action, Check, KubeAction, Match, Playbook, Step, Verify } from "../model/playbook.js";
import { parseCondition } from "./expr.js";
import type { RawAction, RawActions, RawCheck, RawExit, RawMatch, RawPlaybook, RawStep, RawVerify } from "./schema.js";

export const DEFAULTS = {
  stepTimeoutSec: 300,
  checkExpectExit: [0, 1],
  matchExit: [0],
  runOkExit: [0],
  verifyRetries: 3,
  verifyDelaySec: 2,
  copyBackup: true,
  rebootTimeoutSec: 600,
  rebootTestCommand: "whoami",
  rebootStableSec: 0,
  rebootCommand: 'shutdown -r now "Reboot initiated by remedy"',
  rebootConnectTimeoutSec: 10,
  cordonTimeoutSec: 60,
  drainTimeoutSec: 300,
  artifactBuilder: "controller",
  artifactTimeoutSec: 1800,
  anyErrorsFatal: false,
  become: false,
} as const;

/** Step id from its name: "Set GRUB default (EL7)" → "set-grub-default-el7". */
export function slugify(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/-{2,}/g, "-")
      .replace(/^[-._]+|[-._]+$/g, "") || "step"
  );
}

export const stepId = (s: RawStep): string => s.id ?? slugify(s.name);

const exits = (e: RawExit | undefined, dflt: readonly number[]): number[] => (e === undefined ? [...dflt] : Array.isArray(e) ? [...e] : [e]);

function match(m: RawMatch | undefined): Match {
  if (!m) return { exit: [...DEFAULTS.matchExit] };
  const out: Match = { exit: exits(m.exit, DEFAULTS.matchExit) };
  if (m.stdout !== undefined) out.stdout = m.stdout;
  if (m.stdout_not !== undefined) out.stdoutNot = m.stdout_not;
  if (m.equals !== undefined) out.equals = m.equals;
  return out;
}

function check(c: RawCheck): Check {
  if (typeof c === "string") return { run: c, expectExit: [...DEFAULTS.checkExpectExit], compliant: match(undefined) };
  const out: Check = { run: c.run, expectExit: exits(c.expect_exit, DEFAULTS.checkExpectExit), compliant: match(c.compliant) };
  if (c.not_applicable) out.notApplicable = { match: match(c.not_applicable.match), reason: c.not_applicable.reason };
  if (c.register !== undefined) out.register = c.register;
  if (c.timeout !== undefined) out.timeoutSec = c.timeout;
  return out;
}

function verify(v: RawVerify, chk: Check | undefined): Verify {
  if (typeof v === "string") return { run: v, compliant: match(undefined), retries: DEFAULTS.verifyRetries, delaySec: DEFAULTS.verifyDelaySec };
  // without `run`, verify re-runs the check, so it is judged by the check's own compliance rule
  const compliant = v.compliant ? match(v.compliant) : v.run === undefined && chk ? chk.compliant : match(undefined);
  const out: Verify = { compliant, retries: v.retries ?? DEFAULTS.verifyRetries, delaySec: v.delay ?? DEFAULTS.verifyDelaySec };
  if (v.run !== undefined) out.run = v.run;
  if (v.timeout !== undefined) out.timeoutSec = v.timeout;
  return out;
}

function kube(kind: KubeAction["kind"], k: true | { node?: string; delegate_to?: string; timeout?: number; leave_cordoned_on_failure?: boolean }): KubeAction {
  const o = k === true ? {} : k;
  const out: KubeAction = { kind, timeoutSec: o.timeout ?? (kind === "drain" ? DEFAULTS.drainTimeoutSec : DEFAULTS.cordonTimeoutSec) };
  if (o.node !== undefined) out.node = o.node;
  if (o.delegate_to !== undefined) out.delegateTo = o.delegate_to;
  if (kind === "drain") out.leaveCordonedOnFailure = o.leave_cordoned_on_failure ?? false;
  return out;
}

/** Drop keys whose value is undefined, so the model has no `key: undefined` noise (plans are JSON). */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function action(a: RawAction): Action {
  if (typeof a === "string") return { kind: "run", run: a, okExit: [...DEFAULTS.runOkExit] };
  if ("run" in a) return compact({ kind: "run", run: a.run, okExit: exits(a.ok_exit, DEFAULTS.runOkExit), timeoutSec: a.timeout, register: a.register });
  if ("copy" in a || "template" in a) {
    const template = "template" in a;
    const f = "copy" in a ? a.copy : a.template;
    return compact({
      kind: "copy",
      src: f.src,
      content: f.content,
      dest: f.dest,
      mode: f.mode,
      owner: f.owner,
      group: f.group,
      backup: f.backup ?? DEFAULTS.copyBackup,
      sha256: f.sha256,
      template,
      syntax: f.syntax,
    });
  }
  if ("reboot" in a) {
    const r = a.reboot === true ? {} : a.reboot;
    return compact({
      kind: "reboot",
      timeoutSec: r.timeout ?? DEFAULTS.rebootTimeoutSec,
      testCommand: r.test_command ?? DEFAULTS.rebootTestCommand,
      expect: r.expect,
      stableSec: r.stable_for ?? DEFAULTS.rebootStableSec,
      command: r.command ?? DEFAULTS.rebootCommand,
      connectTimeoutSec: r.connect_timeout ?? DEFAULTS.rebootConnectTimeoutSec,
    });
  }
  if ("cordon" in a) return kube("cordon", a.cordon);
  if ("drain" in a) return kube("drain", a.drain);
  if ("uncordon" in a) return kube("uncordon", a.uncordon);
  if ("fail" in a) return { kind: "fail", message: a.fail };
  const x = a.artifact;
  return compact({
    kind: "artifact",
    name: x.name,
    key: x.key.map(String),
    builder: x.builder ?? DEFAULTS.artifactBuilder,
    build: typeof x.build === "string" ? [x.build] : [...x.build],
    output: x.output,
    dest: x.dest,
    mode: x.mode,
    owner: x.owner,
    timeoutSec: x.timeout ?? DEFAULTS.artifactTimeoutSec,
  });
}

export const actions = (a: RawActions | undefined): Action[] => (a === undefined ? [] : typeof a === "string" ? [action(a)] : a.map(action));

export function step(s: RawStep, at: string): Step {
  const chk = s.check === undefined ? undefined : check(s.check);
  const out: Step = {
    id: stepId(s),
    name: s.name,
    tags: [...(s.tags ?? [])],
    apply: actions(s.apply),
    rollback: actions(s.rollback),
    timeoutSec: s.timeout ?? DEFAULTS.stepTimeoutSec,
    at,
  };
  if (s.timeout !== undefined) out.timeoutExplicit = true;
  if (s.when !== undefined) out.when = parseCondition(s.when);
  if (s.when_reason !== undefined) out.whenReason = s.when_reason;
  if (chk) out.check = chk;
  if (s.verify !== undefined) out.verify = verify(s.verify, chk);
  return out;
}

/**
 * Build the model from a schema-valid, semantically checked raw playbook. Extra vars override
 * playbook vars (Ansible's precedence). `stepAt(i)` gives "file:line" of step i.
 */
export function playbook(raw: RawPlaybook, o: { file: string; sha256: string; extraVars?: Record<string, unknown>; stepAt: (i: number) => string; varAt?: (name: string) => { line: number; col: number } }): Playbook {
  // an optional input nobody set is "" (unset), so templates and `when` can test it
  const unset = Object.fromEntries(Object.keys(raw.inputs ?? {}).filter((n) => !raw.inputs![n]!.required).map((n) => [n, ""]));
  const out: Playbook = {
    file: o.file,
    sha256: o.sha256,
    name: raw.name,
    hosts: raw.hosts,
    vars: { ...unset, ...(raw.vars ?? {}), ...(o.extraVars ?? {}) },
    anyErrorsFatal: raw.any_errors_fatal ?? DEFAULTS.anyErrorsFatal,
    become: raw.become ?? DEFAULTS.become,
    steps: raw.steps.map((s, i) => step(s, o.stepAt(i))),
  };
  if (raw.description !== undefined) out.description = raw.description;
  if (raw.inputs !== undefined) out.inputs = raw.inputs;
  if (o.varAt && raw.vars) out.varsAt = Object.fromEntries(Object.keys(raw.vars).map((n) => [n, o.varAt!(n)]));
  if (raw.serial !== undefined) out.serial = Array.isArray(raw.serial) ? [...raw.serial] : [raw.serial];
  if (raw.max_fail_percentage !== undefined) out.maxFailPercentage = raw.max_fail_percentage;
  return out;
}
