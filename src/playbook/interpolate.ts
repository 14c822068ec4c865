// `{{ path | filter }}` interpolation. In "shell" mode every value is shell-quoted unless `| raw`, so a
// value is always one literal word (or, for a list, one word per item) and never shell syntax.
// A literal "{{" is written {{ '{{' }}; a string literal head is a value like any other.
import { shellQuote } from "../transport/quote.js";
import { encodeValue, type Syntax } from "./encode.js";
import { Cursor, ExpressionSyntaxError, lex, parsePathRest, unexpected } from "./lex.js";
import { InterpolationError, lookup, pathText, type PathRef, type Scope } from "./scope.js";

export { InterpolationError, type Scope } from "./scope.js";

export const FILTERS = ["raw", "default", "trim", "quote"] as const;
export type FilterName = (typeof FILTERS)[number];

export interface Filter {
  name: FilterName;
  args: Array<string | number | boolean | null>;
}

export type TemplatePart =
  | { kind: "text"; text: string }
  | {
      kind: "expr";
      /** a variable path, or a literal string/number */
      head: { path: PathRef } | { literal: string | number };
      filters: Filter[];
      /** offsets of "{{" and just past "}}" in the template text */
      start: number;
      end: number;
    };

/** A syntax error in a template; `offset` is 0-based within the template text. */
export class TemplateSyntaxError extends ExpressionSyntaxError {
  readonly offset: number;
  constructor(detail: string, offset: number) {
    super(detail, offset + 1);
    this.offset = offset;
  }
}

/** Index of the "}}" closing the "{{" at `from`, skipping quoted strings; -1 if unclosed. */
function closing(text: string, from: number): number {
  let quote: string | undefined;
  for (let i = from + 2; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "}" && text[i + 1] === "}") return i;
  }
  return -1;
}

export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let pos = 0;
  for (;;) {
    const start = text.indexOf("{{", pos);
    if (start < 0) break;
    if (start > pos) parts.push({ kind: "text", text: text.slice(pos, start) });
    const close = closing(text, start);
    if (close < 0) throw new TemplateSyntaxError(`"{{" is not closed by "}}" (write a literal {{ as {{ '{{' }})`, start);
    const inner = text.slice(start + 2, close);
    if (/^\s*\./.test(inner)) {
      const lit = text.slice(start, close + 2);
      throw new TemplateSyntaxError(`${lit} looks like a Go template, but {{ }} is remedy's; write it as {{ '${lit}' }}`, start);
    }
    try {
      parts.push({ kind: "expr", ...parseInner(inner), start, end: close + 2 });
    } catch (e) {
      if (e instanceof ExpressionSyntaxError) throw new TemplateSyntaxError(`in {{${inner}}}: ${e.detail}`, start + 2 + e.col - 1);
      throw e;
    }
    pos = close + 2;
  }
  if (pos < text.length) parts.push({ kind: "text", text: text.slice(pos) });
  return parts;
}

function parseInner(inner: string): Pick<Extract<TemplatePart, { kind: "expr" }>, "head" | "filters"> {
  const cur = new Cursor(lex(inner));
  const t = cur.next();
  let head: Extract<TemplatePart, { kind: "expr" }>["head"];
  if (t.kind === "ident") head = { path: parsePathRest(cur, t.value) };
  else if (t.kind === "str" || t.kind === "num") head = { literal: t.value };
  else throw unexpected(t, "a variable name, e.g. {{ target_kernel }} or {{ facts.kernel }}");
  const filters: Filter[] = [];
  while (cur.isOp("|")) {
    cur.next();
    const f = cur.next();
    if (f.kind !== "ident") throw unexpected(f, "a filter name after |");
    if (!(FILTERS as readonly string[]).includes(f.value)) {
      throw new ExpressionSyntaxError(`unknown filter "${f.value}"; filters: ${FILTERS.join(", ")}`, f.col);
    }
    const args: Filter["args"] = [];
    if (cur.isOp("(")) {
      cur.next();
      while (!cur.isOp(")")) {
        const a = cur.next();
        if (a.kind === "str" || a.kind === "num") args.push(a.value);
        else if (a.kind === "ident" && ["true", "false", "null"].includes(a.value)) args.push(a.value === "null" ? null : a.value === "true");
        else throw unexpected(a, "a literal filter argument, e.g. default('x')");
        if (!cur.isOp(")")) cur.expectOp(",", "between filter arguments");
      }
      cur.next();
    }
    const want = f.value === "default" ? 1 : 0;
    if (args.length !== want) throw new ExpressionSyntaxError(`filter "${f.value}" takes ${want} argument(s), got ${args.length}`, f.col);
    filters.push({ name: f.value as FilterName, args });
  }
  const end = cur.peek();
  if (end.kind !== "eof") throw unexpected(end, '"|" and a filter, or "}}"');
  const names = filters.map((f) => f.name);
  if (names.includes("raw") && names.includes("quote")) throw new ExpressionSyntaxError('"raw" and "quote" cannot be combined', 1);
  return { head, filters };
}

const MISSING = Symbol("missing");

/** How values are written: shell-quoted words (commands), as is (messages, matches), or encoded for a file's syntax. */
export type RenderMode = "shell" | "plain" | { file: Syntax };

/** A value that its template's file syntax cannot hold (exit 1 at run time; the same check runs before connecting for vars). */
export class UnsafeValueError extends InterpolationError {}

function render(part: Extract<TemplatePart, { kind: "expr" }>, scope: Scope, mode: RenderMode): string {
  let value: unknown;
  let missing = "";
  if ("literal" in part.head) value = part.head.literal;
  else {
    const r = lookup(scope, part.head.path);
    value = r.ok ? r.value : MISSING;
    if (!r.ok) missing = r.message;
  }
  const fail = (): never => {
    const name = "path" in part.head ? pathText(part.head.path) : "";
    throw new InterpolationError(name, `{{ ${name} }}: ${missing}; give it a value (vars, -e ${name}=...) or use {{ ${name} | default('') }}`);
  };
  for (const f of part.filters) {
    if (f.name === "default" && (value === MISSING || value === null || value === undefined)) value = f.args[0];
    else if (f.name === "trim") value = value === MISSING ? fail() : text(value).trim();
  }
  if (value === MISSING) fail();
  const names = part.filters.map((f) => f.name);
  if (typeof mode === "object") {
    const name = "path" in part.head ? pathText(part.head.path) : "";
    const str = Array.isArray(value) ? value.map(text).join(" ") : text(value);
    const r = encodeValue(mode.file, str);
    if (!r.ok) throw new UnsafeValueError(name, `{{ ${name} }}: the value cannot be written into a ${mode.file} file safely: ${r.reason}`);
    return r.text;
  }
  const quote = names.includes("quote") || (mode === "shell" && !names.includes("raw"));
  const secret = "path" in part.head && part.head.path.segs.length === 0 && scope.secrets?.names.has(part.head.path.root) ? part.head.path.root : undefined;
  if (secret !== undefined && mode === "shell" && quote && !Array.isArray(value)) {
    // one word like a quoted value, but the value itself travels on stdin (not on the node's process list)
    const key = `REMEDY_SECRET_${secret}`;
    scope.secrets!.env.set(key, text(value));
    return `"$${key}"`;
  }
  if (Array.isArray(value)) return value.map((v) => (quote ? shellQuote(text(v)) : text(v))).join(" ");
  return quote ? shellQuote(text(value)) : text(value);
}

function text(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return JSON.stringify(v);
}

/**
 * Replace every `{{ }}` in `text`. Throws InterpolationError for a name the scope does not define
 * and TemplateSyntaxError for bad syntax (the loader reports those before anything runs).
 */
export function interpolate(template: string, scope: Scope, mode: RenderMode): string {
  if (!template.includes("{{")) return template;
  return parseTemplate(template)
    .map((p) => (p.kind === "text" ? p.text : render(p, scope, mode)))
    .join("");
}
