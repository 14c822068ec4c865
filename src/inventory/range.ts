// Ansible host ranges: `node[01:20]`, `node[a:f]`, `node[01:20:2]`, `web[1:3].example.com`,
// several ranges in one name; plus the optional `:port` suffix of a host pattern.

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** Thrown by expandHostRange; the caller adds file:line:col. */
export class RangeSyntaxError extends Error {}

export function hasRange(pattern: string): boolean {
  return /\[[^\]]*:[^\]]*\]/.test(pattern);
}

/** Most hosts one range pattern may expand to (node[1:30000000] must be refused, not exhaust memory). */
export const MAX_RANGE_HOSTS = 100_000;

/** Expands every `[begin:end(:step)]` in `pattern`, left to right, like ansible's expand_hostname_range. */
export function expandHostRange(pattern: string): string[] {
  const n = rangeCount(pattern);
  if (n > MAX_RANGE_HOSTS) {
    throw new RangeSyntaxError(`host range '${pattern}' expands to ${n > 1e15 ? "more than 10^15" : n} hosts; at most ${MAX_RANGE_HOSTS} per line are allowed (split it, or check the bounds)`);
  }
  return expand(pattern);
}

/** How many names a pattern expands to, without expanding it (syntax errors are left to expand()). */
function rangeCount(pattern: string): number {
  let total = 1;
  for (const m of pattern.matchAll(/\[([^\]]*)\]/g)) {
    const [beg = "", end = "", stepText = "1"] = (m[1] ?? "").split(":");
    const step = /^[1-9][0-9]*$/.test(stepText) ? Number(stepText) : 1;
    if (/^[0-9]*$/.test(beg) && /^[0-9]+$/.test(end)) total *= Math.max(0, Math.floor((Number(end) - Number(beg || "0")) / step) + 1);
  }
  return total;
}

function expand(pattern: string): string[] {
  const open = pattern.indexOf("[");
  if (open < 0) return [pattern];
  const close = pattern.indexOf("]", open);
  if (close < 0) throw new RangeSyntaxError(`unclosed '[' in host pattern '${pattern}'`);
  const head = pattern.slice(0, open);
  const body = pattern.slice(open + 1, close);
  const tail = pattern.slice(close + 1);
  const bounds = body.split(":");
  if (bounds.length !== 2 && bounds.length !== 3) {
    throw new RangeSyntaxError(`host range '[${body}]' must be [begin:end] or [begin:end:step], e.g. node[01:20]`);
  }
  const beg = bounds[0] || "0";
  const end = bounds[1] ?? "";
  const stepText = bounds[2] ?? "1";
  if (!end) throw new RangeSyntaxError(`host range '[${body}]' has no end value; write e.g. [${beg}:${beg.length > 1 ? "1".padStart(beg.length, "0") : "9"}]`);
  if (!/^[1-9][0-9]*$/.test(stepText)) {
    throw new RangeSyntaxError(`host range '[${body}]' has step '${stepText}'; the step must be a positive integer`);
  }
  const step = Number(stepText);
  const items = rangeItems(body, beg, end, step);
  const out: string[] = [];
  for (const item of items) out.push(...expand(head + item + tail));
  return out;
}

function rangeItems(body: string, beg: string, end: string, step: number): string[] {
  const numeric = /^[0-9]+$/;
  if (numeric.test(beg) && numeric.test(end)) {
    // Zero-padded begin ("01") fixes the width, and then the end must be written with the same width.
    const width = beg.length > 1 && beg.startsWith("0") ? beg.length : 0;
    if (width && end.length !== width) {
      const fix = end.length > width ? `[${beg.padStart(end.length, "0")}:${end}] or [${Number(beg)}:${end}]` : `[${beg}:${end.padStart(width, "0")}]`;
      throw new RangeSyntaxError(`host range '[${body}]': a zero-padded begin needs an end of the same width; write ${fix}`);
    }
    const b = Number(beg);
    const e = Number(end);
    if (b > e) throw new RangeSyntaxError(`host range '[${body}]' runs backwards; write [${end}:${beg}] (begin must be <= end)`);
    const out: string[] = [];
    for (let i = b; i <= e; i += step) out.push(width ? String(i).padStart(width, "0") : String(i));
    return out;
  }
  const bi = beg.length === 1 ? LETTERS.indexOf(beg) : -1;
  const ei = end.length === 1 ? LETTERS.indexOf(end) : -1;
  if (bi < 0 || ei < 0) {
    throw new RangeSyntaxError(`host range '[${body}]' must use two numbers ([01:20]) or two single letters ([a:f])`);
  }
  if (bi > ei) throw new RangeSyntaxError(`host range '[${body}]' runs backwards; write [${end}:${beg}] (begin must be <= end)`);
  const out: string[] = [];
  for (let i = bi; i <= ei; i += step) out.push(LETTERS[i] as string);
  return out;
}

/**
 * Splits `host:port`, `[v6addr]:port` and bare IPv6 like ansible's parse_address (ranges allowed).
 * Returns port undefined when there is none.
 */
export function splitHostPort(pattern: string): { host: string; port?: number } {
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::([0-9]+))?$/.exec(pattern);
  if (v6 && (v6[1] ?? "").includes(":")) return withPort(v6[1] as string, v6[2]);
  // Colons inside [..] ranges don't count; more than one outside means a bare IPv6 address.
  const outside = pattern.replace(/\[[^\]]*\]/g, "");
  const colons = (outside.match(/:/g) ?? []).length;
  if (colons !== 1) return { host: pattern };
  const m = /^(.*):([0-9]+)$/.exec(pattern);
  if (!m || !(m[1] ?? "")) return { host: pattern };
  return withPort(m[1] as string, m[2]);
}

function withPort(host: string, port: string | undefined): { host: string; port?: number } {
  return port === undefined ? { host } : { host, port: Number(port) };
}
