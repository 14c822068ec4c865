// `remedy inventory` output: a graph like `ansible-inventory --graph`, JSON like `--list`, or a
// per-host YAML listing. Values of secret-looking vars are never printed.
import { stringify } from "yaml";
import type { Inventory, Vars } from "../model/inventory.js";
import { isSecretName } from "../secret-names.js";
import { groupHosts, hostVars } from "./vars.js";

export const REDACTED = "<redacted>";
const MAGIC = ["inventory_hostname", "inventory_hostname_short", "group_names"];

export { isSecretName };

/** A copy of `value` with every secret-looking key's value replaced, at any depth. */
export function redact<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => redact(v)) as T;
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretName(k) && v !== null && v !== undefined ? REDACTED : redact(v);
  return out as T;
}

export interface RenderOptions {
  graph: boolean;
  json: boolean;
}

/** `hosts` are the selected hosts (after -l); with json and graph both set, JSON wins. */
export function renderInventory(inv: Inventory, hosts: string[], opts: RenderOptions): string {
  if (opts.json) return JSON.stringify(listJson(inv, hosts), null, 2) + "\n";
  if (opts.graph) return graph(inv, hosts).join("\n") + "\n";
  return listing(inv, hosts);
}

function listing(inv: Inventory, hosts: string[]): string {
  if (hosts.length === 0) return "no hosts matched\n";
  const out: Record<string, unknown> = {};
  for (const h of hosts) {
    const vars = hostVars(inv, h);
    const groups = vars.group_names;
    out[h] = { groups, vars: redact(withoutMagic(vars)) };
  }
  return stringify(out, { lineWidth: 0 });
}

function graph(inv: Inventory, hosts: string[]): string[] {
  const selected = new Set(hosts);
  const limited = hosts.length < inv.hosts.size;
  const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const lines: string[] = [];
  const walk = (name: string, depth: number, path: Set<string>): void => {
    const g = inv.groups.get(name);
    if (!g || path.has(name)) return;
    // With a limit, groups left without any selected host are not shown.
    if (limited && name !== "all" && !groupHosts(inv, name).some((h) => selected.has(h))) return;
    lines.push(indent(depth) + `@${name}:`);
    path.add(name);
    for (const c of [...g.children].sort(byName)) walk(c, depth + 1, path);
    path.delete(name);
    if (name === "all") return; // like ansible, hosts show under their groups (or ungrouped), not under all
    for (const h of [...g.hosts].sort(byName)) if (selected.has(h)) lines.push(indent(depth + 1) + h);
  };
  walk("all", 0, new Set());
  return lines;
}

function indent(depth: number): string {
  return depth === 0 ? "" : "  |".repeat(depth) + "--";
}

function listJson(inv: Inventory, hosts: string[]): Record<string, unknown> {
  const selected = new Set(hosts);
  const limited = hosts.length < inv.hosts.size;
  const hostvars: Record<string, Vars> = {};
  for (const h of hosts) hostvars[h] = redact(withoutMagic(hostVars(inv, h)));
  const out: Record<string, unknown> = { _meta: { hostvars } };
  for (const g of inv.groups.values()) {
    if (limited && g.name !== "all" && !groupHosts(inv, g.name).some((h) => selected.has(h))) continue;
    const entry: Record<string, unknown> = {};
    const own = g.name === "all" ? [] : g.hosts.filter((h) => selected.has(h));
    const children = g.children.filter((c) => !limited || groupHosts(inv, c).some((h) => selected.has(h)));
    if (own.length) entry.hosts = own;
    if (children.length) entry.children = children;
    if (Object.keys(g.vars).length) entry.vars = redact(g.vars);
    out[g.name] = entry;
  }
  return out;
}

function withoutMagic(vars: Vars): Vars {
  const out: Vars = {};
  for (const [k, v] of Object.entries(vars)) if (!MAGIC.includes(k)) out[k] = v;
  return out;
}
