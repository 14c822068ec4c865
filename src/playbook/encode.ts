// Encoding a value for the syntax of the file it is rendered into. A template declares its syntax; each
// `{{ }}` value is encoded so that the node-side consumer (bash sourcing a sysconfig file, systemd-sysctl,
// GLib's keyfile parser) reads back exactly the value, or the value is refused: never file syntax.
import { shellQuote } from "../transport/quote.js";

export const SYNTAXES = ["shell", "sysctl", "keyfile", "plain"] as const;
/**
 * shell:   KEY=value files sourced by a shell (/etc/sysconfig/*, ifcfg-*): value single-quoted unless it is a bare word.
 * sysctl:  sysctl.d `key = value`: no quoting exists; the value runs to the end of the line, outer blanks stripped.
 * keyfile: NetworkManager keyfiles / GLib key files `key=value`: \s \n \t \r \\ escapes.
 * plain:   written as is; one line of text (no line breaks), since nothing can quote them.
 */
export type Syntax = (typeof SYNTAXES)[number];

export type Encoded = { ok: true; text: string } | { ok: false; reason: string };

/** Characters a POSIX shell never treats specially in a word (after `KEY=`). */
const BARE_WORD = /^[A-Za-z0-9_.,:/@%+=-]+$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function describeChar(c: string): string {
  const names: Record<string, string> = { "\n": "a line break", "\r": "a carriage return", "\0": "a NUL byte", "\t": "a tab" };
  return names[c] ?? `the control character U+${c.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}`;
}

function common(value: string): string | undefined {
  if (LONE_SURROGATE.test(value)) return "it is not valid Unicode text (a lone surrogate)";
  const bad = /[\0\n\r]/.exec(value) ?? CONTROL.exec(value);
  return bad ? `it contains ${describeChar(bad[0])}` : undefined;
}

export function encodeValue(syntax: Syntax, value: string): Encoded {
  switch (syntax) {
    case "shell": {
      const why = common(value);
      if (why) return { ok: false, reason: `${why}, which a sourced KEY=value file cannot hold safely` };
      if (value === "") return { ok: true, text: "" };
      return { ok: true, text: BARE_WORD.test(value) ? value : shellQuote(value) };
    }
    case "sysctl": {
      const why = common(value) ?? (/[\t]/.test(value) ? "it contains a tab" : undefined);
      if (why) return { ok: false, reason: `${why}; a sysctl.d value is one line with no quoting` };
      if (/^\s|\s$/.test(value)) return { ok: false, reason: "it starts or ends with a blank, which sysctl strips" };
      return { ok: true, text: value };
    }
    case "keyfile": {
      if (LONE_SURROGATE.test(value)) return { ok: false, reason: "it is not valid Unicode text (a lone surrogate)" };
      const bad = /\0/.exec(value) ?? CONTROL.exec(value.replace(/[\n\r\t]/g, ""));
      if (bad) return { ok: false, reason: `it contains ${describeChar(bad[0])}, which a key file cannot hold` };
      let text = value.replace(/[\\\n\t\r]/g, (c) => ({ "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r" })[c]!);
      // GLib strips blanks around the value: keep them as \s
      text = text.replace(/^ +| +$/g, (m) => "\\s".repeat(m.length));
      return { ok: true, text };
    }
    case "plain": {
      const why = common(value);
      return why ? { ok: false, reason: `${why}; a plain template holds one-line values only (declare the template's syntax to quote them)` } : { ok: true, text: value };
    }
  }
}

/** `{{ }}` positions allowed per syntax: the value part of a `KEY=value` line, never a key, section or comment. */
const VALUE_LINE: Record<Exclude<Syntax, "plain">, RegExp> = {
  shell: /^[ \t]*(export[ \t]+)?[A-Za-z_][A-Za-z0-9_]*=/,
  sysctl: /^[ \t]*-?[A-Za-z0-9_.\/*-]+[ \t]*=[ \t]*/,
  keyfile: /^[ \t]*[A-Za-z0-9_.\-[\]@]+[ \t]*=[ \t]*/,
};

/**
 * Why a `{{ }}` at `offset` of a template of `syntax` is not in a value position (undefined when it is).
 * shell: also not inside '...' or "..." (the encoder adds its own quotes).
 */
export function positionProblem(syntax: Syntax, text: string, offset: number): string | undefined {
  if (syntax === "plain") return undefined;
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const prefix = text.slice(lineStart, offset).replace(/\{\{[\s\S]*?\}\}/g, "x");
  const m = VALUE_LINE[syntax].exec(prefix);
  const example = syntax === "shell" ? "KEY={{ value }}" : "key = {{ value }}";
  if (!m) return `in a ${syntax} template, {{ }} may only be the value of a line like ${example} (not a key, section or comment)`;
  if (syntax === "shell") {
    const rest = prefix.slice(m[0].length);
    if (/['"`$\\]/.test(rest)) return `in a shell template, write {{ }} unquoted after KEY= (values are quoted for the shell already)`;
  }
  return undefined;
}
