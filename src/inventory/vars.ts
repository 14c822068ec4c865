// Group membership and variable precedence, as ansible computes them.
import { InputError } from "../errors.js";
import type { Inventory, Vars } from "../model/inventory.js";
import { isLoaded, varLocKey, type LayerName, type Loc } from "./loaded.js";
import { suggest } from "./suggest.js";

/**
 * Hosts of a group incl. its descendants, in ansible's order: the group's own hosts, then each
 * level of children in definition order. `all` is every host in definition order.
 */
export function groupHosts(inv: Inventory, group: string): string[] {
  if (group === "all") return [...inv.hosts.keys()];
  const out = new Set<string>();
  const seen = new Set<string>();
  let level = [group];
  while (level.length > 0) {
    const next: string[] = [];
    for (const name of level) {
      if (seen.has(name)) continue;
      seen.add(name);
      const g = inv.groups.get(name);
      if (!g) continue;
      for (const h of g.hosts) out.add(h);
      next.push(...g.children);
    }
    level = next;
  }
  return [...out];
}

/** Every group -> its hosts incl. descendants (the `groups` variable of playbooks). */
export function groupsView(inv: Inventory): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of inv.groups.keys()) out[name] = groupHosts(inv, name);
  return out;
}

/** Every group a host belongs to, directly or through parents (incl. `all`). */
export function hostGroups(inv: Inventory, host: string): Set<string> {
  return new Set(["all", ...withAncestors(inv.groups.values(), inv.hosts.get(host)?.groups ?? [])]);
}

/** The given groups and all their ancestors (also used on the inventory builder's drafts). */
export function withAncestors(groups: Iterable<{ name: string; children: Iterable<string> }>, direct: readonly string[]): Set<string> {
  const parents = parentMap(groups);
  const out = new Set<string>();
  const todo = [...direct];
  while (todo.length > 0) {
    const g = todo.pop() as string;
    if (out.has(g)) continue;
    out.add(g);
    todo.push(...(parents.get(g) ?? []));
  }
  return out;
}

/**
 * A host's variables with ansible's precedence (lowest first): inventory-file vars of `all`, of its
 * other groups (shallower first; same depth by ansible_group_priority, then name), group_vars/all,
 * group_vars/<group> in the same order, inventory host vars, host_vars/<host>; then the magic vars
 * inventory_hostname, inventory_hostname_short and group_names.
 */
export function hostVars(inv: Inventory, host: string): Vars {
  const h = inv.hosts.get(host);
  if (!h) {
    const near = suggest(host, inv.hosts.keys());
    throw new InputError(`unknown host '${host}' in inventory ${inv.source}${near ? `; did you mean ${near.map((n) => `'${n}'`).join(", ")}?` : ""}`);
  }
  const groups = hostGroups(inv, host);
  const depth = groupDepths(inv);
  const layers = isLoaded(inv) ? inv.layers : undefined;
  const inventoryVarsOf = (g: string): Vars => layers?.groupInventory.get(g) ?? inv.groups.get(g)?.vars ?? {};
  const fileVarsOf = (g: string): Vars => layers?.groupFiles.get(g) ?? {};
  const priority = (g: string): number => {
    const p = Number(inventoryVarsOf(g).ansible_group_priority ?? 1);
    return Number.isFinite(p) ? p : 1;
  };
  const sorted = [...groups]
    .filter((g) => g !== "all")
    .sort((a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || priority(a) - priority(b) || (a < b ? -1 : a > b ? 1 : 0));
  const merged: Vars = { ...inventoryVarsOf("all") };
  for (const g of sorted) Object.assign(merged, inventoryVarsOf(g));
  Object.assign(merged, fileVarsOf("all"));
  for (const g of sorted) Object.assign(merged, fileVarsOf(g));
  if (layers) Object.assign(merged, layers.hostInventory.get(host), layers.hostFiles.get(host));
  else Object.assign(merged, h.vars);
  merged.inventory_hostname = host;
  merged.inventory_hostname_short = host.split(".")[0];
  merged.group_names = sorted.slice().sort();
  return merged;
}

/**
 * Where the value hostVars() gives `name` on `host` was set (file:line:col), following the same
 * precedence; undefined when the inventory was not loaded from files or the var is not set there.
 */
export function hostVarOrigin(inv: Inventory, host: string, name: string): Loc | undefined {
  if (!isLoaded(inv) || !inv.varLocs || !inv.hosts.has(host)) return undefined;
  const locs = inv.varLocs;
  const groups = hostGroups(inv, host);
  const depth = groupDepths(inv);
  const priority = (g: string): number => {
    const p = Number(inv.layers.groupInventory.get(g)?.ansible_group_priority ?? 1);
    return Number.isFinite(p) ? p : 1;
  };
  const sorted = [...groups]
    .filter((g) => g !== "all")
    .sort((a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || priority(a) - priority(b) || (a < b ? -1 : a > b ? 1 : 0));
  // highest precedence first
  const order: Array<[LayerName, string]> = [
    ["hostFiles", host],
    ["hostInventory", host],
    ...[...sorted].reverse().map((g): [LayerName, string] => ["groupFiles", g]),
    ["groupFiles", "all"],
    ...[...sorted].reverse().map((g): [LayerName, string] => ["groupInventory", g]),
    ["groupInventory", "all"],
  ];
  for (const [layer, entity] of order) {
    const l = locs.get(varLocKey(layer, entity, name));
    if (l) return l;
  }
  return undefined;
}

/** Longest path from `all` to each group (ansible's group depth). */
export function groupDepths(inv: Inventory): Map<string, number> {
  const parents = parentMap(inv.groups.values());
  const depth = new Map<string, number>([["all", 0]]);
  const visit = (g: string, stack: Set<string>): number => {
    const known = depth.get(g);
    if (known !== undefined) return known;
    if (stack.has(g)) return 0; // cycles are rejected at load time; don't loop on a hand-built one
    stack.add(g);
    const ps = parents.get(g) ?? [];
    const d = ps.length === 0 ? 1 : 1 + Math.max(...ps.map((p) => visit(p, stack)));
    stack.delete(g);
    depth.set(g, d);
    return d;
  };
  for (const g of inv.groups.keys()) visit(g, new Set());
  return depth;
}

function parentMap(groups: Iterable<{ name: string; children: Iterable<string> }>): Map<string, string[]> {
  const parents = new Map<string, string[]>();
  for (const g of groups) {
    for (const c of g.children) parents.set(c, [...(parents.get(c) ?? []), g.name]);
  }
  return parents;
}
