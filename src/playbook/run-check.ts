// Checks of one run's values that need the inventory and the target hosts, all before connecting:
// typed inputs from every source, values rendered into templates (refused when the file syntax cannot
// hold them), delegate_to / builder / groups[...] naming hosts and groups that exist.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { InputProblem } from "../errors.js";
import type { Vars } from "../model/inventory.js";
import type { Action, Playbook, Step } from "../model/playbook.js";
import { exprPaths, parseExpr } from "./expr.js";
import { didYouMean } from "./errors-map.js";
import { inputMessage, inputProblem } from "./inputs.js";
import { interpolate, InterpolationError, parseTemplate, UnsafeValueError } from "./interpolate.js";
import { SPECIAL_ROOTS, type PathRef, type Scope } from "./scope.js";

/** Where a value was set: a file position, or a pseudo-file such as "-e". */
export interface Origin {
  file: string;
  line?: number;
  col?: number;
}

export interface RunCheckInput {
  playbook: Playbook;
  hosts: string[];
  /** merged vars of a host (playbook vars < inventory < -e) */
  varsFor: (host: string) => Vars;
  /** where the value varsFor(host)[name] comes from */
  originOf: (host: string, name: string) => Origin;
  /** every inventory host and group (delegate_to, builder, groups[...]) */
  inventoryHosts: string[];
  groups: Record<string, string[]>;
}

/** Names a step can register; their values exist only at run time. */
function registeredNames(pb: Playbook): Set<string> {
  const out = new Set<string>();
  for (const s of pb.steps) {
    if (s.check?.register) out.add(s.check.register);
    for (const a of [...s.apply, ...s.rollback]) if (a.kind === "run" && a.register) out.add(a.register);
  }
  return out;
}

function templateText(a: Extract<Action, { kind: "copy" }>, pb: Playbook): string | undefined {
  if (a.content !== undefined) return a.content;
  try {
    return readFileSync(resolve(dirname(pb.file), a.src!), "utf8");
  } catch {
    return undefined; // the loader reported it
  }
}

/** A var-only reference: known before connecting (not facts, not registered results). */
function isVarRef(ref: PathRef, registered: Set<string>): boolean {
  if (ref.root === "facts" || ref.root === "groups" || registered.has(ref.root)) return false;
  if (ref.root === "vars") return typeof ref.segs[0] === "string";
  return !(SPECIAL_ROOTS as readonly string[]).includes(ref.root) || ref.root === "host" || ref.root === "inventory_hostname";
}

function varName(ref: PathRef): string {
  return ref.root === "vars" ? String(ref.segs[0]) : ref.root;
}

function where(o: Origin): Pick<InputProblem, "file" | "line" | "col"> {
  return o.line !== undefined ? { file: o.file, line: o.line, col: o.col } : { file: o.file };
}

function inputChecks(i: RunCheckInput, add: (p: InputProblem) => void): void {
  for (const [name, spec] of Object.entries(i.playbook.inputs ?? {})) {
    for (const h of i.hosts) {
      const vars = i.varsFor(h);
      const value = Object.hasOwn(vars, name) ? vars[name] : undefined;
      const why = value === undefined ? (spec.required ? "is required but has no value" : undefined) : inputProblem(spec, value);
      if (!why) continue;
      const origin = value === undefined ? { file: i.playbook.file } : i.originOf(h, name);
      // nothing but the playbook's default: say where a value can come from
      const hint = origin.file === i.playbook.file ? `; pass -e ${name}=..., or set it in the inventory (host or group vars)` : "";
      add({ ...where(origin), message: `${inputMessage(name, spec, value, why)} (host ${h})${hint}` });
    }
  }
}

function templateChecks(i: RunCheckInput, registered: Set<string>, add: (p: InputProblem) => void): void {
  for (const step of i.playbook.steps) {
    for (const a of [...step.apply, ...step.rollback]) {
      if (a.kind !== "copy" || !a.template) continue;
      const text = templateText(a, i.playbook);
      if (text === undefined) continue;
      let parts;
      try {
        parts = parseTemplate(text);
      } catch {
        continue; // the loader reported it
      }
      for (const p of parts) {
        if (p.kind !== "expr" || !("path" in p.head) || !isVarRef(p.head.path, registered)) continue;
        const name = varName(p.head.path);
        for (const h of i.hosts) {
          const scope: Scope = { vars: i.varsFor(h), host: h, groups: i.groups, registered: {} };
          try {
            interpolate(text.slice(p.start, p.end), scope, { file: a.syntax ?? "plain" });
          } catch (e) {
            if (!(e instanceof UnsafeValueError)) {
              if (e instanceof InterpolationError) continue; // undefined here: reported by the loader or at run time
              throw e;
            }
            const reason = e.message.replace(/^\{\{ [^}]* \}\}: /, "");
            add({ ...where(i.originOf(h, name)), message: `value of "${name}" (host ${h}) refused for the template ${a.dest} of step "${step.name}" (${step.at}): ${reason}` });
          }
        }
      }
    }
  }
}

/** Every template and expression text of a step, for reference checks. */
function stepTexts(step: Step): Array<{ text: string; expr: boolean }> {
  const out: Array<{ text: string; expr: boolean }> = [];
  if (step.when) out.push({ text: step.when.source, expr: true });
  const walk = (v: unknown): void => {
    if (typeof v === "string") {
      if (v.includes("{{")) out.push({ text: v, expr: false });
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) if (k !== "when" && k !== "at") walk(x);
  };
  walk({ ...step, when: undefined });
  return out;
}

function refsOf(t: { text: string; expr: boolean }): PathRef[] {
  try {
    if (t.expr) return exprPaths(parseExpr(t.text)).map((r) => r.ref);
    return parseTemplate(t.text).flatMap((p) => (p.kind === "expr" && "path" in p.head ? [p.head.path] : []));
  } catch {
    return [];
  }
}

function referenceChecks(i: RunCheckInput, add: (p: InputProblem) => void): void {
  const groupNames = Object.keys(i.groups);
  const stepFile = (step: Step) => {
    const m = /^(.*):(\d+)$/.exec(step.at);
    return m ? { file: m[1]!, line: Number(m[2]), col: 1 } : { file: i.playbook.file };
  };
  for (const step of i.playbook.steps) {
    for (const t of stepTexts(step)) {
      for (const ref of refsOf(t)) {
        const g = ref.segs[0];
        if (ref.root !== "groups" || typeof g !== "string" || Object.hasOwn(i.groups, g)) continue;
        const guess = didYouMean(g, groupNames);
        add({ ...stepFile(step), message: `step "${step.name}": groups["${g}"]: no group "${g}" in the inventory${guess ? `; did you mean "${guess}"?` : `; groups: ${groupNames.join(", ")}`}` });
      }
    }
    for (const a of [...step.apply, ...step.rollback]) {
      if ((a.kind === "cordon" || a.kind === "drain" || a.kind === "uncordon") && a.delegateTo && !a.delegateTo.includes("{{")) {
        if (a.delegateTo === "localhost" || i.inventoryHosts.includes(a.delegateTo)) continue;
        const guess = didYouMean(a.delegateTo, [...i.inventoryHosts, "localhost"]);
        const isGroup = Object.hasOwn(i.groups, a.delegateTo);
        add({ ...stepFile(step), message: `step "${step.name}": ${a.kind} delegate_to "${a.delegateTo}" ${isGroup ? "is a group; name one inventory host" : "is no inventory host"}${guess ? `; did you mean "${guess}"?` : ""} (or "localhost" for the controller)` });
      }
      if (a.kind === "artifact" && !a.builder.includes("{{") && !["self", "controller", "localhost"].includes(a.builder) && !/[:&!*?,]/.test(a.builder)) {
        if (i.inventoryHosts.includes(a.builder) || Object.hasOwn(i.groups, a.builder)) continue;
        const guess = didYouMean(a.builder, [...i.inventoryHosts, ...groupNames]);
        add({ ...stepFile(step), message: `step "${step.name}": artifact builder "${a.builder}" is no inventory host or group${guess ? `; did you mean "${guess}"?` : ""} (or "self" / "controller")` });
      }
    }
  }
}

/** All problems of one run that can be known before connecting ([] when none). */
export function runValueProblems(i: RunCheckInput): InputProblem[] {
  const out: InputProblem[] = [];
  const seen = new Set<string>();
  const add = (p: InputProblem) => {
    const key = `${p.file}:${p.line ?? ""}:${p.col ?? ""}:${p.message.replace(/\(host [^)]*\)/g, "")}`;
    if (seen.has(key)) return; // the same group var on many hosts: say it once
    seen.add(key);
    out.push(p);
  };
  inputChecks(i, add);
  templateChecks(i, registeredNames(i.playbook), add);
  referenceChecks(i, add);
  return out;
}
