// `when` expressions: a tiny, safe language (no code execution). Parse once at load, evaluate per host.
//   expr := or;  or := and ("or" and)*;  and := not ("and" not)*;  not := "not" not | cmp
//   cmp  := value (("=="|"!="|"<"|"<="|">"|">="|"in"|"not in") value | "is" ["not"] "defined")?
//   value := number | 'str' | "str" | true | false | null | [list] | (expr) | fn(args) | path
import { ExitCode } from "../exit-code.js";
import { RemedyError } from "../errors.js";
import type { Condition } from "../model/playbook.js";
import { Cursor, ExpressionSyntaxError, lex, parsePathRest, unexpected } from "./lex.js";
import { lookup, resolve, type PathRef, type Scope } from "./scope.js";
import { compareVersions, versionOpHolds, VERSION_OPS } from "./version.js";

export { compareVersions } from "./version.js";
export { ExpressionSyntaxError } from "./lex.js";

export type CmpOp = "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in";
export const FUNCTIONS = ["version_compare", "matches", "contains", "defined"] as const;
export type FnName = (typeof FUNCTIONS)[number];

export type Expr =
  | { type: "lit"; value: null | boolean | number | string; col: number }
  | { type: "list"; items: Expr[]; col: number }
  | { type: "path"; ref: PathRef; col: number }
  | { type: "not"; arg: Expr; col: number }
  | { type: "and" | "or"; left: Expr; right: Expr; col: number }
  | { type: "cmp"; op: CmpOp; left: Expr; right: Expr; col: number }
  | { type: "call"; fn: FnName; args: Expr[]; col: number };

declare module "../model/playbook.js" {
  interface Condition {
    /** parsed form, set by parseCondition; evalCondition re-parses `source` when absent (e.g. from JSON) */
    ast?: Expr;
  }
}

/** A `when` that cannot be evaluated on this host (wrong types, bad regex): the host fails (exit 1). */
export class ConditionError extends RemedyError {
  override readonly exitCode = ExitCode.Failed;
}

const CMP_OPS = ["==", "!=", "<", "<=", ">", ">="];
const KEYWORDS = ["and", "or", "not", "in", "is", "true", "false", "null", "True", "False", "None"];

export function parseExpr(src: string): Expr {
  const cur = new Cursor(lex(src));
  if (cur.peek().kind === "eof") throw new ExpressionSyntaxError("empty expression", 1);
  const e = parseOr(cur);
  const t = cur.peek();
  if (t.kind !== "eof") throw unexpected(t, '"and", "or" or the end of the expression');
  return e;
}

/** Parse a `when` source; throws ExpressionSyntaxError with the 1-based column. */
export function parseCondition(src: string): Condition {
  return { source: src, ast: parseExpr(src) };
}

function parseOr(cur: Cursor): Expr {
  let left = parseAnd(cur);
  while (cur.isWord("or")) {
    const col = cur.next().col;
    left = { type: "or", left, right: parseAnd(cur), col };
  }
  return left;
}

function parseAnd(cur: Cursor): Expr {
  let left = parseNot(cur);
  while (cur.isWord("and")) {
    const col = cur.next().col;
    left = { type: "and", left, right: parseNot(cur), col };
  }
  return left;
}

function parseNot(cur: Cursor): Expr {
  if (cur.isWord("not")) {
    const col = cur.next().col;
    return { type: "not", arg: parseNot(cur), col };
  }
  return parseCmp(cur);
}

function parseCmp(cur: Cursor): Expr {
  const left = parseValue(cur);
  const t = cur.peek();
  if (t.kind === "op" && CMP_OPS.includes(t.value)) {
    cur.next();
    return { type: "cmp", op: t.value as CmpOp, left, right: parseValue(cur), col: t.col };
  }
  if (cur.isWord("in")) {
    cur.next();
    return { type: "cmp", op: "in", left, right: parseValue(cur), col: t.col };
  }
  if (cur.isWord("not") && cur.peek(1).kind === "ident" && cur.peek(1).value === "in") {
    cur.next();
    cur.next();
    return { type: "cmp", op: "not in", left, right: parseValue(cur), col: t.col };
  }
  if (cur.isWord("is")) {
    cur.next();
    const negate = cur.isWord("not") ? (cur.next(), true) : false;
    const w = cur.next();
    if (w.kind !== "ident" || w.value !== "defined") throw unexpected(w, '"defined" after "is" (the only test is "is defined")');
    if (left.type !== "path") throw new ExpressionSyntaxError('"is defined" needs a variable on its left', t.col);
    const call: Expr = { type: "call", fn: "defined", args: [left], col: t.col };
    return negate ? { type: "not", arg: call, col: t.col } : call;
  }
  return left;
}

function parseValue(cur: Cursor): Expr {
  const t = cur.next();
  if (t.kind === "num") return { type: "lit", value: t.value, col: t.col };
  if (t.kind === "str") return { type: "lit", value: t.value, col: t.col };
  if (t.kind === "op" && t.value === "-" && cur.peek().kind === "num") {
    return { type: "lit", value: -(cur.next().value as number), col: t.col };
  }
  if (t.kind === "op" && t.value === "(") {
    const e = parseOr(cur);
    cur.expectOp(")", "to close (");
    return e;
  }
  if (t.kind === "op" && t.value === "[") {
    const items: Expr[] = [];
    if (!cur.isOp("]")) {
      do items.push(parseValue(cur));
      while (cur.isOp(",") && cur.next());
    }
    cur.expectOp("]", "to close the list");
    return { type: "list", items, col: t.col };
  }
  if (t.kind === "ident") {
    if (t.value === "true" || t.value === "True") return { type: "lit", value: true, col: t.col };
    if (t.value === "false" || t.value === "False") return { type: "lit", value: false, col: t.col };
    if (t.value === "null" || t.value === "None") return { type: "lit", value: null, col: t.col };
    if (KEYWORDS.includes(t.value)) throw unexpected(t, "a value");
    if (cur.isOp("(")) return parseCall(cur, t.value, t.col);
    return { type: "path", ref: parsePathRest(cur, t.value), col: t.col };
  }
  throw unexpected(t, "a value (a number, a 'string', a variable, a list or a function call)");
}

const ARITY: Record<FnName, number> = { version_compare: 3, matches: 2, contains: 2, defined: 1 };

function parseCall(cur: Cursor, name: string, col: number): Expr {
  if (!(FUNCTIONS as readonly string[]).includes(name)) {
    throw new ExpressionSyntaxError(`unknown function "${name}"; functions: ${FUNCTIONS.join(", ")}`, col);
  }
  const fn = name as FnName;
  cur.expectOp("(", "after the function name");
  const args: Expr[] = [];
  if (!cur.isOp(")")) {
    do args.push(parseOr(cur));
    while (cur.isOp(",") && cur.next());
  }
  cur.expectOp(")", `to close ${fn}(`);
  if (args.length !== ARITY[fn]) throw new ExpressionSyntaxError(`${fn}() takes ${ARITY[fn]} argument(s), got ${args.length}`, col);
  if (fn === "defined" && args[0]!.type !== "path") throw new ExpressionSyntaxError("defined() takes a variable, e.g. defined(kernel_check.stdout)", col);
  const op = args[1];
  if (fn === "version_compare" && op?.type === "lit" && !(VERSION_OPS as readonly unknown[]).includes(op.value)) {
    throw new ExpressionSyntaxError(`version_compare operator must be one of ${VERSION_OPS.slice(0, 6).join(" ")}, got ${JSON.stringify(op.value)}`, op.col);
  }
  const re = args[1];
  if (fn === "matches" && re?.type === "lit" && typeof re.value === "string") {
    try {
      new RegExp(re.value, "m");
    } catch (e) {
      throw new ExpressionSyntaxError(`invalid regex: ${(e as Error).message}`, re.col);
    }
  }
  return { type: "call", fn, args, col };
}

/** Every path an expression reads, and whether it is only tested by defined() (no error if missing). */
export function exprPaths(e: Expr, guarded = false): Array<{ ref: PathRef; col: number; guarded: boolean }> {
  switch (e.type) {
    case "lit":
      return [];
    case "path":
      return [{ ref: e.ref, col: e.col, guarded }];
    case "list":
      return e.items.flatMap((x) => exprPaths(x, guarded));
    case "not":
      return exprPaths(e.arg, guarded);
    case "and":
    case "or":
    case "cmp":
      return [...exprPaths(e.left, guarded), ...exprPaths(e.right, guarded)];
    case "call":
      return e.args.flatMap((x) => exprPaths(x, guarded || e.fn === "defined"));
  }
}

// ---- evaluation ----

export function evalCondition(cond: Condition, scope: Scope): boolean {
  const ast = cond.ast ?? parseExpr(cond.source);
  return truthy(evaluate(ast, scope), cond.source);
}

function describe(v: unknown): string {
  return v === undefined ? "undefined" : JSON.stringify(v) ?? String(v);
}

/** Strict-ish truthiness: booleans, numbers, and the strings an `-e flag=...` produces. */
function truthy(v: unknown, where: string): boolean {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (v === null) return false;
  if (typeof v === "string") {
    const s = v.trim().toLowerCase();
    if (["true", "yes", "on", "1"].includes(s)) return true;
    if (["false", "no", "off", "0", ""].includes(s)) return false;
  }
  throw new ConditionError(`condition "${where}": ${describe(v)} is not true or false`);
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^\s*-?[0-9]+(\.[0-9]+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

function equal(a: unknown, b: unknown): boolean {
  if (typeof a === "number" || typeof b === "number") {
    const x = asNumber(a);
    const y = asNumber(b);
    if (x !== undefined && y !== undefined) return x === y;
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  return a === b;
}

function order(a: unknown, b: unknown, op: string): number {
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== undefined && y !== undefined && (typeof a === "number" || typeof b === "number")) return x - y;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  throw new ConditionError(`cannot compare ${describe(a)} ${op} ${describe(b)}; for versions use version_compare(a, '${op}', b)`);
}

function contains(container: unknown, item: unknown): boolean {
  if (Array.isArray(container)) return container.some((x) => equal(x, item));
  if (typeof container === "string") return container.includes(String(item));
  if (container !== null && typeof container === "object") return Object.hasOwn(container, String(item));
  throw new ConditionError(`cannot look for ${describe(item)} in ${describe(container)}: expected a list, string or mapping`);
}

function evaluate(e: Expr, scope: Scope): unknown {
  switch (e.type) {
    case "lit":
      return e.value;
    case "list":
      return e.items.map((x) => evaluate(x, scope));
    case "path":
      return resolve(scope, e.ref);
    case "not":
      return !truthy(evaluate(e.arg, scope), "not");
    case "and":
      return truthy(evaluate(e.left, scope), "and") && truthy(evaluate(e.right, scope), "and");
    case "or":
      return truthy(evaluate(e.left, scope), "or") || truthy(evaluate(e.right, scope), "or");
    case "cmp":
      return compare(e.op, evaluate(e.left, scope), evaluate(e.right, scope));
    case "call":
      return call(e, scope);
  }
}

function compare(op: CmpOp, a: unknown, b: unknown): boolean {
  switch (op) {
    case "==":
      return equal(a, b);
    case "!=":
      return !equal(a, b);
    case "in":
      return contains(b, a);
    case "not in":
      return !contains(b, a);
    case "<":
      return order(a, b, op) < 0;
    case "<=":
      return order(a, b, op) <= 0;
    case ">":
      return order(a, b, op) > 0;
    case ">=":
      return order(a, b, op) >= 0;
  }
}

function call(e: Extract<Expr, { type: "call" }>, scope: Scope): unknown {
  if (e.fn === "defined") {
    const p = e.args[0]!;
    return p.type === "path" && lookup(scope, p.ref).ok;
  }
  const args = e.args.map((x) => evaluate(x, scope));
  switch (e.fn) {
    case "version_compare": {
      const [a, op, b] = args;
      const held = versionOpHolds(compareVersions(String(a), String(b)), String(op));
      if (held === undefined) throw new ConditionError(`version_compare: unknown operator ${describe(op)}; use one of ${VERSION_OPS.slice(0, 6).join(" ")}`);
      return held;
    }
    case "matches": {
      try {
        return new RegExp(String(args[1]), "m").test(String(args[0]));
      } catch (err) {
        throw new ConditionError(`matches(): invalid regex ${describe(args[1])}: ${(err as Error).message}`);
      }
    }
    case "contains":
      return contains(args[0], args[1]);
  }
}

