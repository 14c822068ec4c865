// Checks the schema cannot express: unique ids, parseable `when` and `{{ }}`, names used only after
// they are registered, valid regexes, local files that exist (and match their sha256).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import type { InputProblem } from "../errors.js";
import type { Facts } from "../model/facts.js";
import { didYouMean } from "./errors-map.js";
import { ExpressionSyntaxError, exprPaths, parseExpr } from "./expr.js";
import { parseTemplate, TemplateSyntaxError } from "./interpolate.js";
import { stepId } from "./defaults.js";
import { positionProblem, type Syntax } from "./encode.js";
import type { RawAction, RawActions, RawMatch, RawPlaybook, RawStep } from "./schema.js";
import { pathText, SPECIAL_ROOTS, type PathRef } from "./scope.js";
import { formatPath, type Path, type YamlSource } from "./source.js";

const FACTS: Record<keyof Facts, true> = {
  hostname: true,
  os_id: true,
  os_version: true,
  os_major: true,
  os_family: true,
  kernel: true,
  boot_id: true,
  arch: true,
  init: true,
  pkg_mgr: true,
  default_iface: true,
  container_runtime: true,
  cgroup_version: true,
};
export const FACT_NAMES = Object.keys(FACTS);
export const REGISTERED_FIELDS = ["stdout", "stderr", "rc", "stdout_lines", "changed", "compliant"];

export interface SemanticOptions {
  /** names of playbook vars and extra vars */
  vars: string[];
  /** when given (e.g. inventory host/group var names), any other unknown name is an error */
  knownVars?: string[];
}

type Mode = "shell" | "plain";
interface Field {
  path: Path;
  text: string;
  mode: Mode;
  regex?: boolean;
  /** the text is a whole local file (template src): locate problems in that file instead */
  file?: string;
  /** template content: the declared file syntax ({{ }} only in value positions) */
  syntax?: Syntax;
}

/** 1-based line:col of a 0-based offset in a text. */
function linePos(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

function fieldProblem(ctx: Ctx, f: Field, message: string, offset: number): InputProblem {
  if (f.file === undefined) return ctx.src.problem(f.path, message, { where: ctx.src.posInScalar(f.path, offset + 1) });
  return { file: f.file, ...linePos(f.text, offset), message: `${message} (template of ${formatPath(f.path)} in ${ctx.src.file})` };
}

/** Where a `{{ }}` sits in a shell command: inside '...' or "..." a quoted value would be wrong. */
export function shellQuoteContext(cmd: string, offset: number): "'" | '"' | undefined {
  const stack: string[] = []; // "'" | '"' | "$(" | "`"
  for (let i = 0; i < offset && i < cmd.length; i++) {
    const c = cmd[i];
    const top = stack[stack.length - 1];
    if (top === "'") {
      if (c === "'") stack.pop();
      continue;
    }
    if (c === "\\") {
      i++;
    } else if (top === '"') {
      if (c === '"') stack.pop();
      else if (c === "$" && cmd[i + 1] === "(") (stack.push("$("), i++);
      else if (c === "`") stack.push("`");
    } else if (c === "'" ) stack.push("'");
    else if (c === '"') stack.push('"');
    else if (c === "$" && cmd[i + 1] === "(") (stack.push("$("), i++);
    else if (c === ")" && top === "$(") stack.pop();
    else if (c === "`") top === "`" ? stack.pop() : stack.push("`");
  }
  const top = stack[stack.length - 1];
  return top === "'" || top === '"' ? top : undefined;
}

function matchFields(m: RawMatch | undefined, path: Path): Field[] {
  if (!m) return [];
  const out: Field[] = [];
  if (m.stdout !== undefined) out.push({ path: [...path, "stdout"], text: m.stdout, mode: "plain", regex: true });
  if (m.stdout_not !== undefined) out.push({ path: [...path, "stdout_not"], text: m.stdout_not, mode: "plain", regex: true });
  if (m.equals !== undefined) out.push({ path: [...path, "equals"], text: m.equals, mode: "plain" });
  return out;
}

function plain(obj: Record<string, unknown>, keys: string[], path: Path): Field[] {
  return keys.filter((k) => typeof obj[k] === "string").map((k) => ({ path: [...path, k], text: obj[k] as string, mode: "plain" as const }));
}

/** The text fields of one action that are interpolated, with their mode. */
function actionFields(a: RawAction, path: Path): Field[] {
  if (typeof a === "string") return [{ path, text: a, mode: "shell" }];
  if ("run" in a) return [{ path: [...path, "run"], text: a.run, mode: "shell" }];
  if ("copy" in a) return plain(a.copy as unknown as Record<string, unknown>, ["dest", "mode", "owner", "group"], [...path, "copy"]);
  if ("template" in a) {
    const t = a.template;
    const fields = plain(t as unknown as Record<string, unknown>, ["dest", "mode", "owner", "group"], [...path, "template"]);
    if (t.content !== undefined) fields.push({ path: [...path, "template", "content"], text: t.content, mode: "plain", syntax: t.syntax ?? "plain" });
    return fields;
  }
  if ("reboot" in a) {
    if (a.reboot === true) return [];
    const p = [...path, "reboot"];
    const r = a.reboot as Record<string, unknown>;
    return [...plain(r, ["expect"], p), ...(["test_command", "command"] as const).filter((k) => typeof r[k] === "string").map((k) => ({ path: [...p, k], text: r[k] as string, mode: "shell" as const }))];
  }
  if ("cordon" in a || "drain" in a || "uncordon" in a) {
    const k = "cordon" in a ? "cordon" : "drain" in a ? "drain" : "uncordon";
    const v = (a as Record<string, unknown>)[k];
    return v === true ? [] : plain(v as Record<string, unknown>, ["node", "delegate_to"], [...path, k]);
  }
  if ("fail" in a) return [{ path: [...path, "fail"], text: a.fail, mode: "plain" }];
  const x = a.artifact;
  const p = [...path, "artifact"];
  const build = typeof x.build === "string" ? [x.build] : x.build;
  return [
    ...x.key.flatMap((k, i) => (typeof k === "string" ? [{ path: [...p, "key", i], text: k, mode: "plain" as const }] : [])),
    ...build.map((b, i) => ({ path: typeof x.build === "string" ? [...p, "build"] : [...p, "build", i], text: b, mode: "shell" as const })),
    ...plain(x as unknown as Record<string, unknown>, ["builder", "output", "dest", "mode", "owner"], p),
  ];
}

const actionList = (a: RawActions | undefined, path: Path): Array<{ item: RawAction; path: Path }> =>
  a === undefined ? [] : typeof a === "string" ? [{ item: a, path }] : a.map((item, i) => ({ item, path: [...path, i] }));

interface Ctx {
  src: YamlSource;
  opts: SemanticOptions;
  problems: InputProblem[];
  /** name → step index that registers it, over the whole playbook */
  registeredBy: Map<string, { step: number; path: Path }>;
  /** names available at this point */
  available: Set<string>;
}

function checkRef(ctx: Ctx, ref: PathRef, guarded: boolean, report: (msg: string) => void): void {
  const { root, segs } = ref;
  const first = segs[0];
  if (root === "facts") {
    if (typeof first === "string" && !FACT_NAMES.includes(first)) {
      const guess = didYouMean(first, FACT_NAMES);
      report(`unknown fact "${first}"${guess ? `; did you mean "facts.${guess}"?` : `; facts: ${FACT_NAMES.join(", ")}`}`);
    }
    return;
  }
  if ((SPECIAL_ROOTS as readonly string[]).includes(root)) return;
  if (ctx.available.has(root)) {
    if (typeof first === "string" && !REGISTERED_FIELDS.includes(first)) {
      const guess = didYouMean(first, REGISTERED_FIELDS);
      report(`"${root}" is a registered result, which has no "${first}"${guess ? `; did you mean "${root}.${guess}"?` : `; fields: ${REGISTERED_FIELDS.join(", ")}`}`);
    }
    return;
  }
  const later = ctx.registeredBy.get(root);
  if (later) {
    report(`"${root}" is registered by ${formatPath(later.path)}, which runs after this; a step can only use results registered before it`);
    return;
  }
  if (ctx.opts.vars.includes(root) || guarded || ctx.opts.knownVars?.includes(root)) return;
  const looksRegistered = typeof first === "string" && REGISTERED_FIELDS.includes(first);
  if (looksRegistered || ctx.opts.knownVars) {
    const names = [...ctx.available, ...ctx.opts.vars, ...(ctx.opts.knownVars ?? [])];
    const guess = didYouMean(root, names);
    const what = looksRegistered ? `undefined registered variable "${root}": no earlier step has "register: ${root}"` : `undefined variable "${root}"`;
    report(`${what}${guess ? `; did you mean "${guess}"?` : ""}`);
  }
  // otherwise it may be an inventory var; interpolation reports it per host if it is not
}

function checkField(ctx: Ctx, f: Field): void {
  if (f.regex) {
    try {
      new RegExp(f.text.replace(/\{\{[\s\S]*?\}\}/g, "x"), "m");
    } catch (e) {
      ctx.problems.push(ctx.src.problem(f.path, `invalid regex ${JSON.stringify(f.text)}: ${(e as Error).message.replace(/^Invalid regular expression: \/[\s\S]*\/[a-z]*: /, "")}`));
    }
  }
  if (!f.text.includes("{{")) return;
  let parts;
  try {
    parts = parseTemplate(f.text);
  } catch (e) {
    if (!(e instanceof TemplateSyntaxError)) throw e;
    ctx.problems.push(fieldProblem(ctx, f, e.detail, e.offset));
    return;
  }
  for (const p of parts) {
    if (p.kind !== "expr") continue;
    const report = (msg: string) => ctx.problems.push(fieldProblem(ctx, f, msg, p.start));
    const raw = p.filters.some((x) => x.name === "raw");
    if (f.syntax !== undefined) {
      const where = positionProblem(f.syntax, f.text, p.start);
      if (where) report(where);
      const filter = p.filters.find((x) => x.name === "raw" || x.name === "quote");
      if (filter) report(`"| ${filter.name}" has no place in a template: values are encoded for its syntax (${f.syntax})`);
    }
    if (f.mode === "shell" && !raw) {
      const q = shellQuoteContext(f.text, p.start);
      if (q) {
        const inner = f.text.slice(p.start, p.end);
        report(`${inner} is inside ${q}...${q} quotes, but values are shell-quoted already; remove the quotes around it (or use | raw if you quote it yourself)`);
      }
    }
    if ("path" in p.head) checkRef(ctx, p.head.path, p.filters.some((x) => x.name === "default"), report);
  }
}

function checkWhen(ctx: Ctx, when: string, path: Path): void {
  try {
    const ast = parseExpr(when);
    for (const r of exprPaths(ast)) {
      checkRef(ctx, r.ref, r.guarded, (msg) => ctx.problems.push(ctx.src.problem(path, `${msg} (in ${pathText(r.ref)})`, { where: ctx.src.posInScalar(path, r.col) })));
    }
  } catch (e) {
    if (!(e instanceof ExpressionSyntaxError)) throw e;
    ctx.problems.push(ctx.src.problem(path, `invalid expression: ${e.detail}`, { where: ctx.src.posInScalar(path, e.col) }));
  }
}

function checkFile(ctx: Ctx, a: RawAction, path: Path, baseDir: string): void {
  if (typeof a === "string" || !("copy" in a || "template" in a)) return;
  const kind = "copy" in a ? "copy" : "template";
  const f = "copy" in a ? a.copy : a.template;
  const p = [...path, kind];
  if ((f.src === undefined) === (f.content === undefined)) {
    ctx.problems.push(ctx.src.problem(p, `needs exactly one of "src" (a file next to the playbook) or "content"`));
    return;
  }
  if (f.src === undefined) return;
  const file = isAbsolute(f.src) ? f.src : join(baseDir, f.src);
  let body: Buffer;
  try {
    body = readFileSync(file);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : (e as Error).message;
    ctx.problems.push(ctx.src.problem([...p, "src"], `${f.src} ${why} (looked for ${file}; src is relative to the playbook file)`));
    return;
  }
  const sum = createHash("sha256").update(body).digest("hex");
  if (f.sha256 !== undefined && f.sha256 !== sum) {
    ctx.problems.push(ctx.src.problem([...p, "sha256"], `${f.src} has sha256 ${sum}, not the expected ${f.sha256}`));
  }
  if (kind === "template") {
    // the file's own {{ }} are checked like inline content, and located in that file
    checkField(ctx, { path: [...p, "src"], text: body.toString("utf8"), mode: "plain", file, syntax: ("syntax" in f ? f.syntax : undefined) ?? "plain" });
  }
}

/** Settings that contradict each other or cannot work on the node, known from the playbook alone. */
function checkSettings(ctx: Ctx, a: RawAction, path: Path): void {
  if (typeof a === "string") return;
  const dests: Array<[string, unknown]> = [];
  if ("copy" in a) dests.push(["copy", a.copy.dest]);
  if ("template" in a) dests.push(["template", a.template.dest]);
  if ("artifact" in a) dests.push(["artifact", a.artifact.dest]);
  for (const [kind, dest] of dests) {
    if (typeof dest === "string" && !dest.startsWith("/") && !dest.startsWith("{{")) {
      ctx.problems.push(ctx.src.problem([...path, kind, "dest"], `dest "${dest}" is relative, but there is no working directory on the node to resolve it against; write an absolute path, e.g. /${dest.replace(/^\.\//, "")}`));
    }
  }
  if ("reboot" in a && a.reboot !== true) {
    const r = a.reboot;
    const timeout = r.timeout ?? 600;
    if (r.stable_for !== undefined && r.stable_for >= timeout) {
      ctx.problems.push(ctx.src.problem([...path, "reboot", "stable_for"], `stable_for ${r.stable_for}s is not shorter than the reboot timeout ${timeout}s, so the reboot could never succeed; raise timeout (e.g. ${r.stable_for + 300}) or lower stable_for`));
    }
    if (r.connect_timeout !== undefined && r.connect_timeout >= timeout) {
      ctx.problems.push(ctx.src.problem([...path, "reboot", "connect_timeout"], `connect_timeout ${r.connect_timeout}s is not shorter than the reboot timeout ${timeout}s; lower it (default 10)`));
    }
  }
}

function checkVerifySettings(ctx: Ctx, s: RawStep, path: Path): void {
  const v = s.verify;
  if (v === undefined || typeof v === "string") return;
  if (v.retries === 0 && v.delay !== undefined && v.delay > 0) {
    ctx.problems.push(ctx.src.problem([...path, "verify", "delay"], `delay ${v.delay}s with retries: 0 never waits (there is no retry); remove delay or set retries >= 1`));
  }
  if (v.retries !== undefined && v.delay !== undefined && v.retries * v.delay > 24 * 3600) {
    ctx.problems.push(ctx.src.problem([...path, "verify"], `retries ${v.retries} x delay ${v.delay}s waits more than a day; lower them`));
  }
}

function checkStep(ctx: Ctx, s: RawStep, i: number, baseDir: string): void {
  const path: Path = ["steps", i];
  const problem = (msg: string, p: Path = path) => ctx.problems.push(ctx.src.problem(p, msg));
  if (s.check === undefined && s.apply === undefined) problem(`step "${s.name}" has neither "check" nor "apply"; it would do nothing`);
  if (s.verify !== undefined && s.apply === undefined) problem(`"verify" without "apply": there is nothing to verify; make it the "check"`, [...path, "verify"]);
  if (s.rollback !== undefined && s.apply === undefined) problem(`"rollback" without "apply": there is nothing to roll back`, [...path, "rollback"]);
  if (s.verify !== undefined && typeof s.verify !== "string" && s.verify.run === undefined && s.check === undefined) {
    problem(`"verify" without "run" re-runs the check, but this step has no "check"`, [...path, "verify"]);
  }
  checkVerifySettings(ctx, s, path);
  if (s.when !== undefined) checkWhen(ctx, s.when, [...path, "when"]);
  if (s.when_reason !== undefined) checkField(ctx, { path: [...path, "when_reason"], text: s.when_reason, mode: "plain" });
  const c = s.check;
  if (c !== undefined) {
    const cp = [...path, "check"];
    if (typeof c === "string") checkField(ctx, { path: cp, text: c, mode: "shell" });
    else {
      for (const f of [{ path: [...cp, "run"], text: c.run, mode: "shell" as const }, ...matchFields(c.compliant, [...cp, "compliant"]), ...matchFields(c.not_applicable?.match, [...cp, "not_applicable", "match"])]) checkField(ctx, f);
      if (c.not_applicable) checkField(ctx, { path: [...cp, "not_applicable", "reason"], text: c.not_applicable.reason, mode: "plain" });
      if (c.register) ctx.available.add(c.register);
    }
  }
  const visitActions = (list: RawActions | undefined, p: Path) => {
    for (const { item, path: ap } of actionList(list, p)) {
      for (const f of actionFields(item, ap)) checkField(ctx, f);
      checkFile(ctx, item, ap, baseDir);
      checkSettings(ctx, item, ap);
      if (typeof item !== "string" && "run" in item && item.register) ctx.available.add(item.register);
    }
  };
  visitActions(s.apply, [...path, "apply"]);
  const v = s.verify;
  if (v !== undefined) {
    const vp = [...path, "verify"];
    if (typeof v === "string") checkField(ctx, { path: vp, text: v, mode: "shell" });
    else {
      if (v.run !== undefined) checkField(ctx, { path: [...vp, "run"], text: v.run, mode: "shell" });
      for (const f of matchFields(v.compliant, [...vp, "compliant"])) checkField(ctx, f);
    }
  }
  visitActions(s.rollback, [...path, "rollback"]);
}

/** Every semantic problem of a schema-valid playbook (empty when it is fine). */
export function semanticProblems(raw: RawPlaybook, src: YamlSource, opts: SemanticOptions): InputProblem[] {
  const ctx: Ctx = { src, opts, problems: [], registeredBy: new Map(), available: new Set() };
  const baseDir = dirname(src.file);

  for (const [name, value] of Object.entries(raw.vars ?? {})) {
    if (typeof value === "string" && value.includes("{{")) {
      ctx.problems.push(src.problem(["vars", name], "vars are not templated: {{ }} inside a var value stays literal; compute it in a check with register, or pass it with -e"));
    }
  }

  // registration sites, for "registered later" and clash messages
  raw.steps.forEach((s, i) => {
    const sites: Array<{ name: string; path: Path }> = [];
    if (s.check !== undefined && typeof s.check !== "string" && s.check.register) sites.push({ name: s.check.register, path: ["steps", i, "check", "register"] });
    for (const key of ["apply", "rollback"] as const) {
      for (const { item, path } of actionList(s[key], ["steps", i, key])) {
        if (typeof item !== "string" && "run" in item && item.register) sites.push({ name: item.register, path: [...path, "register"] });
      }
    }
    for (const site of sites) {
      if ((SPECIAL_ROOTS as readonly string[]).includes(site.name) || opts.vars.includes(site.name)) {
        ctx.problems.push(src.problem(site.path, `register name "${site.name}" is already a ${opts.vars.includes(site.name) ? "var" : "built-in name"}; pick another name`));
      }
      if (!ctx.registeredBy.has(site.name)) ctx.registeredBy.set(site.name, { step: i, path: site.path });
    }
  });

  const ids = new Map<string, number>();
  raw.steps.forEach((s, i) => {
    const id = stepId(s);
    const prev = ids.get(id);
    if (prev !== undefined) {
      const where = s.id !== undefined ? ["steps", i, "id"] : ["steps", i, "name"];
      const line = src.pos(["steps", prev]).line;
      ctx.problems.push(src.problem(where, `duplicate step id "${id}" (also steps[${prev}] at line ${line}); give one of them a unique "id:"`));
    } else ids.set(id, i);
    checkStep(ctx, s, i, baseDir);
  });
  return ctx.problems;
}
