// Ansible host patterns: `all`, `*`, `a:b`, `a,b`, `a:&b`, `a:!b`, globs, `~regex`, host and group
// names, subscripts `g[0]`, `g[-1]`, `g[0:2]` (inclusive), `g[1:]`; plus `--limit` intersection.
import { InputError } from "../errors.js";
import type { Inventory } from "../model/inventory.js";
import { suggest } from "./suggest.js";
import { groupHosts } from "./vars.js";

const SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/;

/** Splits like ansible: on ',' if there is one, else on ':' outside [...] (so `web[1:3]` stays whole). */
export function splitPattern(pattern: string): string[] {
  const parts = pattern.includes(",") ? pattern.split(",") : (pattern.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? []);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

/**
 * Hosts matched by `pattern`, deduplicated, in ansible's order: the union terms in the order given
 * (each group's hosts in inventory order), then `&` terms intersect and `!` terms remove.
 * `limit` (-l) is evaluated the same way and intersected. Names that match nothing are an InputError.
 */
export function resolvePattern(inv: Inventory, pattern: string, limit?: string): string[] {
  const hosts = evaluate(inv, pattern, "pattern");
  if (limit === undefined) return hosts;
  const allowed = new Set(evaluate(inv, limit, "limit"));
  return hosts.filter((h) => allowed.has(h));
}

function evaluate(inv: Inventory, pattern: string, what: "pattern" | "limit"): string[] {
  const terms = splitPattern(pattern);
  if (terms.length === 0) throw new InputError(`empty host ${what} '${pattern}'; use e.g. 'all', a group name, or 'group:!host'`);
  const at = terms.find((t) => t.startsWith("@"));
  if (at) throw new InputError(`${what} '${at}': reading hosts from a file (@file) is not supported; pass them as a comma-separated list`);
  const plain = terms.filter((t) => !t.startsWith("&") && !t.startsWith("!"));
  const ordered = [...(plain.length ? plain : ["all"]), ...terms.filter((t) => t.startsWith("&")), ...terms.filter((t) => t.startsWith("!"))];
  let hosts: string[] = [];
  for (const term of ordered) {
    const op = term[0];
    const matched = matchOne(inv, op === "&" || op === "!" ? term.slice(1) : term, pattern, what);
    if (op === "!") {
      const drop = new Set(matched);
      hosts = hosts.filter((h) => !drop.has(h));
    } else if (op === "&") {
      const keep = new Set(matched);
      hosts = hosts.filter((h) => keep.has(h));
    } else {
      const have = new Set(hosts);
      for (const h of matched) if (!have.has(h)) (have.add(h), hosts.push(h));
    }
  }
  return hosts;
}

function matchOne(inv: Inventory, term: string, whole: string, what: string): string[] {
  if (!term) throw new InputError(`${what} '${whole}' has an empty term after '&' or '!'`);
  if (inv.hosts.has(term)) return [term];
  const [expr, sub] = splitSubscript(term);
  // As in ansible-core, a trailing [n], [n:m], [n-m] or [-n] is always a subscript, never a glob class.
  const found = enumerate(inv, expr, whole, what);
  if (!found.known) {
    const near = suggest(expr, [...inv.groups.keys(), ...inv.hosts.keys()]);
    const hint = near ? `did you mean ${near.map((n) => `'${n}'`).join(", ")}?` : `known groups: ${[...inv.groups.keys()].join(", ")}`;
    const colon = whole.includes(",") && expr.includes(":") ? " (in a pattern with ',' a ':' does not separate terms; use ',' throughout)" : "";
    const subHint = sub
      ? ` ('${term}' is a subscript of '${expr}', as in ansible; to match host names use a glob like '${expr}*' or a regex like '~${term}')`
      : "";
    throw new InputError(`${what} '${whole}': '${expr}' matches no host or group in inventory ${inv.source}${colon}${subHint}; ${hint}`);
  }
  const hosts = found.hosts;
  if (!sub || hosts.length === 0) return hosts;
  const [start, end] = sub;
  if (end) return hosts.slice(start, (end === -1 ? hosts.length - 1 : end) + 1);
  const one = hosts[start < 0 ? hosts.length + start : start];
  if (one === undefined) {
    throw new InputError(`${what} '${whole}': '${term}' is out of range; '${expr}' has ${hosts.length} host(s), so use an index from 0 to ${hosts.length - 1} (or -1 for the last)`);
  }
  return [one];
}

function splitSubscript(term: string): [string, [number, number | undefined] | undefined] {
  if (term.startsWith("~")) return [term, undefined];
  const m = SUBSCRIPT.exec(term);
  if (!m) return [term, undefined];
  if (m[2] !== undefined) return [m[1] as string, [Number(m[2]), undefined]];
  return [m[1] as string, [Number(m[3]), m[5] ? Number(m[5]) : -1]];
}

/** Hosts of every group whose name matches, plus matching host names; `known` = anything matched. */
function enumerate(inv: Inventory, expr: string, whole: string, what: string): { hosts: string[]; known: boolean } {
  const re = compile(expr, whole, what);
  const out = new Set<string>();
  let groupMatched = false;
  for (const g of inv.groups.keys()) {
    if (!re.test(g)) continue;
    groupMatched = true;
    for (const h of groupHosts(inv, g)) out.add(h);
  }
  if (!groupMatched || expr.startsWith("~") || /[.?*[]/.test(expr)) {
    for (const h of inv.hosts.keys()) if (re.test(h)) out.add(h);
  }
  return { hosts: [...out], known: groupMatched || out.size > 0 };
}

/** `~regex` is matched at the start of the name (python re.match); anything else is an fnmatch glob. */
function compile(expr: string, whole: string, what: string): RegExp {
  if (expr.startsWith("~")) {
    try {
      return new RegExp(`^(?:${expr.slice(1)})`);
    } catch (e) {
      throw new InputError(`${what} '${whole}': invalid regular expression '${expr.slice(1)}': ${(e as Error).message}`);
    }
  }
  return new RegExp(`^${globToRegex(expr)}$`, "s");
}

function globToRegex(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else if (c === "[") {
      const close = glob.indexOf("]", i + 2);
      if (close < 0) {
        out += "\\[";
        continue;
      }
      let body = glob.slice(i + 1, close);
      body = body.startsWith("!") ? `^${body.slice(1)}` : body;
      out += `[${body.replace(/\\/g, "\\\\")}]`;
      i = close;
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return out;
}
