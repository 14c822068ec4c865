// Tokens shared by `when` expressions and `{{ }}` interpolations. Columns are 1-based.
import { ExitCode } from "../exit-code.js";
import { RemedyError } from "../errors.js";
import type { PathRef, Seg } from "./scope.js";

/** A syntax error in an expression or a `{{ }}`; `col` is 1-based within the parsed text. */
export class ExpressionSyntaxError extends RemedyError {
  override readonly exitCode = ExitCode.InvalidInput;
  readonly col: number;
  readonly detail: string;
  constructor(detail: string, col: number) {
    super(`column ${col}: ${detail}`);
    this.detail = detail;
    this.col = col;
  }
}

export type Token =
  | { kind: "num"; value: number; col: number; text: string }
  | { kind: "str"; value: string; col: number; text: string }
  | { kind: "ident"; value: string; col: number; text: string }
  | { kind: "op"; value: string; col: number; text: string }
  | { kind: "eof"; value: ""; col: number; text: "" };

const OPS = ["==", "!=", "<=", ">=", "<", ">", "(", ")", "[", "]", ",", ".", "|", "-"];

export function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const col = i + 1;
    if (/\s/.test(c)) {
      i++;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(src.slice(i))!;
      // "4.19.2" is not a number: ask for quotes instead of silently reading 4.19
      if (/^[0-9]+\.[0-9]+\.[0-9]/.test(src.slice(i))) throw new ExpressionSyntaxError(`"${/^[0-9.]+/.exec(src.slice(i))![0]}" is not a number; quote version strings: '4.19.2'`, col);
      out.push({ kind: "num", value: Number(m[0]), col, text: m[0] });
      i += m[0].length;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let value = "";
      while (j < src.length && src[j] !== c) {
        if (src[j] === "\\" && j + 1 < src.length) j++;
        value += src[j];
        j++;
      }
      if (j >= src.length) throw new ExpressionSyntaxError(`unterminated string starting with ${c}`, col);
      out.push({ kind: "str", value, col, text: src.slice(i, j + 1) });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      out.push({ kind: "ident", value: m[0], col, text: m[0] });
      i += m[0].length;
    } else {
      const op = OPS.find((o) => src.startsWith(o, i));
      if (!op) {
        const hint = c === "=" ? '; use "==" to compare' : c === "&" || c === "!" ? '; use "and", "or", "not"' : "";
        throw new ExpressionSyntaxError(`unexpected character "${c}"${hint}`, col);
      }
      out.push({ kind: "op", value: op, col, text: op });
      i += op.length;
    }
  }
  out.push({ kind: "eof", value: "", col: src.length + 1, text: "" });
  return out;
}

/** A cursor over tokens with the small helpers both parsers need. */
export class Cursor {
  private i = 0;
  constructor(private readonly toks: Token[]) {}
  peek(ahead = 0): Token {
    return this.toks[Math.min(this.i + ahead, this.toks.length - 1)]!;
  }
  next(): Token {
    const t = this.peek();
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }
  isOp(v: string): boolean {
    const t = this.peek();
    return t.kind === "op" && t.value === v;
  }
  isWord(v: string): boolean {
    const t = this.peek();
    return t.kind === "ident" && t.value === v;
  }
  expectOp(v: string, what: string): Token {
    if (!this.isOp(v)) throw unexpected(this.peek(), `"${v}" ${what}`);
    return this.next();
  }
}

export function unexpected(t: Token, expected: string): ExpressionSyntaxError {
  const got = t.kind === "eof" ? "end of expression" : `"${t.text}"`;
  return new ExpressionSyntaxError(`unexpected ${got}; expected ${expected}`, t.col);
}

/** path := ident ( "." ident | "[" int | string "]" )* — the ident has been read already. */
export function parsePathRest(cur: Cursor, root: string): PathRef {
  const segs: Seg[] = [];
  for (;;) {
    if (cur.isOp(".")) {
      cur.next();
      const t = cur.next();
      if (t.kind !== "ident" && t.kind !== "num") throw unexpected(t, "a key name after \".\"");
      segs.push(t.kind === "num" ? Number(t.text) : t.value);
    } else if (cur.isOp("[")) {
      cur.next();
      let neg = false;
      if (cur.isOp("-")) {
        cur.next();
        neg = true;
      }
      const t = cur.next();
      if (t.kind === "num" && Number.isInteger(t.value)) segs.push(neg ? -t.value : t.value);
      else if (t.kind === "str" && !neg) segs.push(t.value);
      else throw unexpected(t, "an index or a quoted key inside [ ]");
      cur.expectOp("]", "to close [");
    } else {
      return { root, segs };
    }
  }
}
