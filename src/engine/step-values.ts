// Turning a step's templates into concrete values for one host: matches, file contents, dry-run lines.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Action, Match, Playbook, Step } from "../model/playbook.js";
import { interpolate, InterpolationError, UnsafeValueError, type Scope } from "../playbook/index.js";
import { describeAction } from "./render.js";

export function resolveMatch(m: Match, scope: Scope): Match {
  return {
    ...m,
    stdout: m.stdout !== undefined ? interpolate(m.stdout, scope, "plain") : undefined,
    stdoutNot: m.stdoutNot !== undefined ? interpolate(m.stdoutNot, scope, "plain") : undefined,
    equals: m.equals !== undefined ? interpolate(m.equals, scope, "plain") : undefined,
  };
}

export function resolveCheck(step: Step, scope: Scope) {
  const c = step.check!;
  return {
    ...c,
    compliant: resolveMatch(c.compliant, scope),
    notApplicable: c.notApplicable ? { ...c.notApplicable, match: resolveMatch(c.notApplicable.match, scope), reason: interpolate(c.notApplicable.reason, scope, "plain") } : undefined,
  };
}

export async function copyContent(a: Extract<Action, { kind: "copy" }>, scope: Scope, pb: Playbook): Promise<Buffer> {
  let buf: Buffer;
  if (a.content !== undefined) buf = Buffer.from(a.content);
  else buf = await readFile(resolve(dirname(pb.file), a.src!));
  if (a.sha256) {
    const got = createHash("sha256").update(buf).digest("hex");
    if (got !== a.sha256) throw new Error(`${a.src}: sha256 is ${got}, the playbook expects ${a.sha256}; the file was modified`);
  }
  return a.template ? Buffer.from(interpolate(buf.toString("utf8"), scope, { file: a.syntax ?? "plain" })) : buf;
}

export async function renderAction(a: Action, step: Step, scope: Scope, pb: Playbook): Promise<string> {
  try {
    return await renderActionNow(a, step, scope, pb);
  } catch (e) {
    // e.g. a value registered by an earlier action of the same apply list: only known while applying
    if (!(e instanceof InterpolationError)) throw e;
    const raw = a.kind === "run" ? a.run : a.kind === "fail" ? `fail: ${a.message}` : describeAction(a, { host: scope.host });
    if (e instanceof UnsafeValueError) return `${raw}  # refused: ${e.message.split("\n")[0]}`;
    return `${raw}  # ${e.message.split("\n")[0]}; filled in during apply`;
  }
}

async function renderActionNow(a: Action, step: Step, scope: Scope, pb: Playbook): Promise<string> {
  if (a.kind === "run") return interpolate(a.run, scope, "shell");
  if (a.kind === "fail") return describeAction({ ...a, message: interpolate(a.message, scope, "plain") }, { host: scope.host });
  if (a.kind === "copy") {
    const body = await copyContent(a, scope, pb);
    return describeAction({ ...a, dest: interpolate(a.dest, scope, "plain") }, { host: scope.host, sha256: createHash("sha256").update(body).digest("hex") });
  }
  if (a.kind === "reboot") {
    const plain = (t: string) => interpolate(t, scope, "plain");
    return describeAction({ ...a, command: plain(a.command), testCommand: plain(a.testCommand), expect: a.expect !== undefined ? plain(a.expect) : undefined }, { host: scope.host });
  }
  if (a.kind === "cordon" || a.kind === "drain" || a.kind === "uncordon") {
    const plain = (t: string) => interpolate(t, scope, "plain");
    return describeAction({ ...a, node: a.node ? plain(a.node) : undefined, delegateTo: a.delegateTo ? plain(a.delegateTo) : undefined }, { host: scope.host });
  }
  if (a.kind === "artifact") {
    const plain = (t: string) => interpolate(t, scope, "plain");
    return describeAction({ ...a, key: a.key.map(plain), dest: plain(a.dest), builder: plain(a.builder) }, { host: scope.host });
  }
  void step;
  return describeAction(a, { host: scope.host });
}
