// INI value handling, following ansible's ini plugin: host lines are split like shlex (quotes removed),
// every value then goes through a literal parse (python's ast.literal_eval there; an equivalent here).
import { parse as parseYaml } from "yaml";

export interface Token {
  text: string;
  /** 1-based column of the token's first character */
  col: number;
}

/** Thrown by the helpers here; the caller adds file:line:col. */
export class ValueSyntaxError extends Error {
  constructor(message: string, readonly col: number) {
    super(message);
  }
}

/**
 * shlex-style split with comments: whitespace separates, '...' is literal, "..." allows \-escapes,
 * a `#` at the start of a token starts a comment.
 */
export function shellSplit(line: string, startCol = 1): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i] as string)) i++;
    if (i >= line.length || line[i] === "#") break;
    const col = startCol + i;
    let text = "";
    while (i < line.length && !/\s/.test(line[i] as string)) {
      const ch = line[i] as string;
      if (ch === "'" || ch === '"') {
        const close = findClosingQuote(line, i);
        if (close < 0) throw new ValueSyntaxError(`unterminated ${ch === "'" ? "single" : "double"} quote; close it with ${ch}`, startCol + i);
        const inner = line.slice(i + 1, close);
        text += ch === '"' ? inner.replace(/\\(["\\$`])/g, "$1") : inner;
        i = close + 1;
      } else if (ch === "\\" && i + 1 < line.length) {
        text += line[i + 1];
        i += 2;
      } else {
        text += ch;
        i++;
      }
    }
    tokens.push({ text, col });
  }
  return tokens;
}

function findClosingQuote(s: string, open: number): number {
  const q = s[open];
  for (let j = open + 1; j < s.length; j++) {
    if (q === '"' && s[j] === "\\") {
      j++;
      continue;
    }
    if (s[j] === q) return j;
  }
  return -1;
}

/** Cuts a trailing ` # comment` that is outside quotes (for `key=value` lines and `:children` lines). */
export function stripInlineComment(s: string): string {
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      if (ch === "\\" && quote === '"') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if ((ch === "#" || ch === ";") && (i === 0 || /\s/.test(s[i - 1] as string))) {
      return s.slice(0, i).trimEnd();
    }
  }
  return s;
}

const INT = /^[-+]?(0|[1-9][0-9]*)$/;
const FLOAT = /^[-+]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)([eE][-+]?[0-9]+)?$/;

/**
 * Turns an INI value into a typed value like ansible: ints, floats, quoted strings, True/False/None,
 * [lists] and {dicts}; anything else stays a string ("10.0.0.1", "0022", "yes").
 * Unlike ansible, lowercase true/false are booleans too, so `ansible_become=false` is not truthy.
 */
export function parseIniValue(raw: string): unknown {
  const v = raw.trim();
  if (INT.test(v)) return Number(v);
  if (FLOAT.test(v) && !/^[-+]?0[0-9]/.test(v.replace(/\..*$/, "")) && v.includes(".")) return Number(v);
  if (v === "True" || v === "true") return true;
  if (v === "False" || v === "false") return false;
  if (v === "None") return null;
  if (v.length >= 2 && (v[0] === "'" || v[0] === '"') && v[v.length - 1] === v[0] && findClosingQuote(v, 0) === v.length - 1) {
    return unescape(v.slice(1, -1));
  }
  if ((v.startsWith("[") && v.endsWith("]")) || (v.startsWith("{") && v.endsWith("}"))) {
    try {
      const parsed: unknown = parseYaml(v);
      if (parsed !== null && typeof parsed === "object") return parsed;
    } catch {
      // not a literal: keep the text, as ansible does
    }
  }
  return v;
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, (_m, c: string) => ({ n: "\n", t: "\t", r: "\r", "0": "\0" })[c] ?? c);
}
