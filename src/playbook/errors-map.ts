// ajv errors → a few human problems at the offending YAML node. For oneOf, pick the branch the author
// most likely meant instead of listing every branch's complaints.
import type { ErrorObject } from "ajv";
import type { InputProblem } from "../errors.js";
import { pointerToPath, type Path, type YamlSource } from "./source.js";

export interface SchemaProblem {
  /** shown before the message */
  path: Path;
  message: string;
  /** where to point: the value at `path` (default), or the key of `loc` (e.g. an unknown key) */
  at: "key" | "value";
  loc?: Path;
  /** for unknown keys: the did-you-mean guess; for missing keys: the missing name */
  guess?: string;
  missing?: string;
}

type Schema = Record<string, unknown>;
const isCombinator = (e: ErrorObject): boolean => e.keyword === "oneOf" || e.keyword === "anyOf";
/** e comes from a branch of combinator c: under c's schema AND at or below c's value (list items share schemas) */
const inside = (e: ErrorObject, c: ErrorObject): boolean =>
  e !== c && e.schemaPath.startsWith(c.schemaPath + "/") && (e.instancePath === c.instancePath || e.instancePath.startsWith(c.instancePath + "/"));
const hintOf = (s: unknown): string | undefined => {
  const h = (s as Schema | undefined)?.["x-expected"];
  return typeof h === "string" ? h : undefined;
};

// ---- did you mean ----

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate by edit distance (or containment: compliant_when → compliant), if close enough. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    const close = d <= Math.max(2, Math.floor(c.length / 3)) || (Math.min(w.length, c.length) >= 3 && (w.includes(c) || c.includes(w)));
    if (close && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}

function unknownKey(key: string, allowed: readonly string[], noun = "key"): string {
  const guess = didYouMean(key, allowed);
  return guess ? `unknown ${noun} "${key}"; did you mean "${guess}"?` : `unknown ${noun} "${key}"; expected one of: ${allowed.join(", ")}`;
}

// ---- describing values and types ----

export function describeValue(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v === null || v === undefined) return "nothing (null)";
  if (typeof v === "object") return "a mapping";
  const s = JSON.stringify(v);
  return s.length > 40 ? s.slice(0, 37) + '..."' : s;
}

const TYPE_PHRASE: Record<string, string> = {
  string: "a string",
  integer: "a whole number",
  number: "a number",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
  null: "null",
};

function typePhrase(t: unknown): string {
  const list = Array.isArray(t) ? t : [t];
  return list.map((x) => TYPE_PHRASE[String(x)] ?? String(x)).join(" or ");
}

// ---- leaves ----

function leaf(e: ErrorObject, hint: string | undefined): SchemaProblem {
  const path = pointerToPath(e.instancePath);
  const own = hintOf(e.parentSchema);
  const expected = own ?? hint;
  const got = describeValue(e.data);
  const p = e.params as Record<string, unknown>;
  const at = (message: string, where: "key" | "value" = "value", loc: Path = path): SchemaProblem => ({ path, at: where, loc, message });
  if (e.propertyName !== undefined) {
    return at(`invalid name "${e.propertyName}": expected ${expected ?? "a valid name"}`, "key", [...path, e.propertyName]);
  }
  switch (e.keyword) {
    case "additionalProperties": {
      const key = String(p["additionalProperty"]);
      const allowed = Object.keys(((e.parentSchema as Schema)["properties"] as Schema | undefined) ?? {});
      return { ...at(unknownKey(key, allowed), "key", [...path, key]), guess: didYouMean(key, allowed) };
    }
    case "required":
      return { ...at(`missing required key "${String(p["missingProperty"])}"`), missing: String(p["missingProperty"]) };
    case "type": {
      // YAML turned the author's text into a number/boolean (0644, yes, 1.10): quoting fixes it
      const quote = p["type"] === "string" && (typeof e.data === "number" || typeof e.data === "boolean") ? "; put the value in quotes" : "";
      return at(`expected ${expected ?? typePhrase(p["type"])}, got ${got}${quote}`);
    }
    case "const":
    case "pattern":
      return at(`expected ${expected ?? `a string matching ${String(p["pattern"])}`}, got ${got}`);
    case "enum":
      return at(`expected one of: ${(p["allowedValues"] as unknown[]).map((x) => JSON.stringify(x)).join(", ")}; got ${got}`);
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return at(expected ? `expected ${expected}, got ${got}` : `must be ${String(p["comparison"])} ${String(p["limit"])}, got ${got}`);
    case "minLength":
    case "minItems":
    case "minProperties":
      return at(Number(p["limit"]) <= 1 ? `must not be empty${expected ? ` (expected ${expected})` : ""}` : `needs at least ${String(p["limit"])} items`);
    default:
      return at(`${e.message ?? e.keyword}${expected ? ` (expected ${expected})` : ""}`);
  }
}

// ---- oneOf branch choice ----

type Score = [typeMiss: number, shapeMiss: number, count: number];
const better = (a: Score, b: Score): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

function branches(c: ErrorObject, errs: ErrorObject[]): Map<number, ErrorObject[]> {
  const base = c.schemaPath + "/";
  const byBranch = new Map<number, ErrorObject[]>();
  const n = Array.isArray(c.schema) ? c.schema.length : 0;
  for (let i = 0; i < n; i++) byBranch.set(i, []);
  for (const e of errs) {
    if (!inside(e, c)) continue;
    const i = Number(e.schemaPath.slice(base.length).split("/")[0]);
    byBranch.get(i)?.push(e);
  }
  return byBranch;
}

/** How badly a branch misfits the value at `at`: wrong type > wrong keys > number of complaints. */
function score(errs: ErrorObject[], at: string): Score {
  const combos = errs.filter(isCombinator);
  let type = 0;
  let shape = 0;
  for (const e of errs) {
    if (e.instancePath !== at || isCombinator(e) || combos.some((c) => inside(e, c))) continue;
    if (e.keyword === "type" || e.keyword === "const") type = 1;
    else if (e.keyword === "required" || e.keyword === "additionalProperties") shape++;
  }
  for (const c of combos.filter((c) => c.instancePath === at && !combos.some((o) => inside(c, o)))) {
    const best = [...branches(c, errs).values()].map((b) => score(b, at)).sort(better)[0] ?? [0, 0, 0];
    type = Math.max(type, best[0]);
    shape += best[1];
  }
  return [type, shape, errs.length];
}

function combinator(c: ErrorObject, errs: ErrorObject[], inherited: string | undefined): SchemaProblem[] {
  const path = pointerToPath(c.instancePath);
  const hint = hintOf(c.parentSchema) ?? inherited;
  const alts = (Array.isArray(c.schema) ? c.schema : []) as Schema[];
  const got = describeValue(c.data);
  const scored = [...branches(c, errs).entries()].map(([i, b]) => ({ i, b, s: score(b, c.instancePath) }));
  scored.sort((x, y) => better(x.s, y.s));
  const best = scored[0];
  if (!best || best.b.length === 0) {
    // more than one branch matched: a schema ambiguity, not the author's fault, but say what is expected
    return [{ path, at: "value", message: `expected ${hint ?? "exactly one form"}, got ${got}` }];
  }
  const tied = scored.filter((x) => x.s[0] === best.s[0] && x.s[1] === best.s[1]);
  if (best.s[0] > 0) return [{ path, at: "value", message: `expected ${hint ?? "another type"}, got ${got}` }];
  if (tied.length > 1 && best.s[1] > 0) {
    // no branch fits the keys: name unknown keys against all branches' keys, or list the choices
    const data = (c.data ?? {}) as Schema;
    const allowed = [...new Set(alts.flatMap((a) => Object.keys((a["properties"] as Schema | undefined) ?? {})))];
    const unknown = Object.keys(data).filter((k) => !allowed.includes(k));
    if (unknown.length) return unknown.map((k) => ({ path, loc: [...path, k], at: "key" as const, message: unknownKey(k, allowed) }));
    const keys = Object.keys(data);
    return [{ path, at: "value", message: `expected ${hint ?? "one of the documented forms"}, got ${keys.length ? `keys ${keys.join(", ")}` : got}` }];
  }
  return explain(best.b, hint, c.instancePath);
}

/** Errors of one schema region → problems; nested oneOfs are resolved outermost first. */
function explain(errs: ErrorObject[], hint?: string, hintAt?: string): SchemaProblem[] {
  const combos = errs.filter(isCombinator);
  const out: SchemaProblem[] = [];
  for (const e of errs) {
    if (isCombinator(e) || combos.some((c) => inside(e, c))) continue;
    if (e.keyword === "propertyNames") continue; // its inner error (with propertyName) says it better
    out.push(leaf(e, e.instancePath === hintAt ? hint : undefined));
  }
  for (const c of combos.filter((c) => !combos.some((o) => inside(c, o)))) {
    out.push(...combinator(c, errs, c.instancePath === hintAt ? hint : undefined));
  }
  return out;
}

/** "missing hosts" next to "unknown key host; did you mean hosts?" says the same thing twice: keep the latter. */
function dropExplainedMissing(problems: SchemaProblem[]): SchemaProblem[] {
  const guessed = new Set(problems.flatMap((p) => (p.guess ? [`${p.path.join("/")}|${p.guess}`] : [])));
  return problems.filter((p) => !(p.missing && guessed.has(`${p.path.join("/")}|${p.missing}`)));
}

/** ajv errors → located, de-duplicated problems sorted by position. */
export function mapSchemaErrors(errors: ErrorObject[], src: YamlSource): InputProblem[] {
  const seen = new Set<string>();
  const out: Array<InputProblem & { offset: number }> = [];
  for (const p of dropExplainedMissing(explain(errors))) {
    const problem = src.problem(p.path, p.message, { at: p.at, loc: p.loc });
    const k = `${problem.line}:${problem.col}:${problem.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ ...problem, offset: src.offset(p.loc ?? p.path, p.at) });
  }
  return out.sort((a, b) => a.offset - b.offset).map(({ offset: _o, ...p }) => p);
}
