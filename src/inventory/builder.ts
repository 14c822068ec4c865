// Collects groups/hosts/vars from one or more inventory files, then closes the graph the way ansible's
// InventoryData.reconcile_inventory does: implicit `all` and `ungrouped`, top-level groups under `all`.
import { InputError } from "../errors.js";
import type { InventoryGroup, InventoryHost, Vars } from "../model/inventory.js";
import { varLocKey, type LayerName, type LoadedInventory, type Loc } from "./loaded.js";

interface GroupDraft {
  name: string;
  hosts: string[];
  children: string[];
  inventoryVars: Vars;
  fileVars: Vars;
  loc?: Loc;
}

interface HostDraft {
  name: string;
  groups: string[];
  inventoryVars: Vars;
  fileVars: Vars;
  loc: Loc;
}

const GROUP_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const HOST_NAME = /^[^\s,='"#[\]!&~@*?][^\s,='"#[\]*?]*$/;

export function fail(loc: Loc, message: string): never {
  throw new InputError([{ file: loc.file, line: loc.line, col: loc.col, message }]);
}

function where(loc: Loc | undefined): string {
  return loc ? `${loc.file}:${loc.line}:${loc.col}` : "implicitly";
}

export class InventoryBuilder {
  readonly groups = new Map<string, GroupDraft>();
  readonly hosts = new Map<string, HostDraft>();
  readonly warnings: string[] = [];
  /** where each var was set (for messages that name a value's source) */
  readonly varLocs = new Map<string, Loc>();

  constructor() {
    this.groups.set("all", draftGroup("all"));
    this.groups.set("ungrouped", draftGroup("ungrouped"));
    this.groups.get("all")!.children.push("ungrouped");
  }

  hasGroup(name: string): boolean {
    return this.groups.has(name);
  }

  addGroup(name: string, loc: Loc): GroupDraft {
    const existing = this.groups.get(name);
    if (existing) {
      existing.loc ??= loc;
      return existing;
    }
    if (!GROUP_NAME.test(name)) {
      fail(loc, `invalid group name '${name}': use letters, digits and '_' (ansible also accepts '-' and '.'), starting with a letter, digit or '_'`);
    }
    const g = draftGroup(name, loc);
    this.groups.set(name, g);
    return g;
  }

  /** Adds (or extends) a host; `vars` override earlier definitions of the same host, like ansible. */
  addHost(name: string, group: string, vars: Vars, loc: Loc, locs: Record<string, Loc> = {}): void {
    if (!HOST_NAME.test(name) || name.endsWith(":")) {
      fail(loc, `invalid host name '${name}': a host name cannot contain spaces, quotes or any of , = # [ ] * ? and cannot start with ! & ~ @`);
    }
    let h = this.hosts.get(name);
    if (!h) {
      h = { name, groups: [], inventoryVars: {}, fileVars: {}, loc };
      this.hosts.set(name, h);
    }
    Object.assign(h.inventoryVars, vars);
    for (const k of Object.keys(vars)) this.varLocs.set(varLocKey("hostInventory", name, k), locs[k] ?? loc);
    const g = this.addGroup(group, loc);
    if (!g.hosts.includes(name)) g.hosts.push(name);
    if (!h.groups.includes(group)) h.groups.push(group);
  }

  addChild(parent: string, child: string, loc: Loc): void {
    if (child === "all") fail(loc, `'all' contains every group and cannot be a child of '${parent}'; remove this entry`);
    const p = this.addGroup(parent, loc);
    this.addGroup(child, loc);
    if (p.children.includes(child)) return;
    const path = this.pathDown(child, parent);
    if (path) {
      fail(loc, `group '${child}' cannot be a child of '${parent}': that makes a cycle (${[parent, ...path].join(" -> ")}); remove one of the children entries`);
    }
    p.children.push(child);
  }

  setGroupVar(group: string, key: string, value: unknown, loc: Loc): void {
    this.addGroup(group, loc).inventoryVars[key] = value;
    this.varLocs.set(varLocKey("groupInventory", group, key), loc);
  }

  /** records where the vars of a group_vars/host_vars file were set */
  noteVarLocs(layer: LayerName, entity: string, locs: Record<string, Loc>): void {
    for (const [k, l] of Object.entries(locs)) this.varLocs.set(varLocKey(layer, entity, k), l);
  }

  /** Path of group names from `from` down to `to` through children, if `to` is reachable. */
  private pathDown(from: string, to: string, seen = new Set<string>()): string[] | undefined {
    if (from === to) return [from];
    if (seen.has(from)) return undefined;
    seen.add(from);
    for (const c of this.groups.get(from)?.children ?? []) {
      const rest = this.pathDown(c, to, seen);
      if (rest) return [from, ...rest];
    }
    return undefined;
  }

  /** Closes the graph and checks it; group_vars/host_vars must have been applied already. */
  finish(source: string, sha256: string, files: string[]): LoadedInventory {
    for (const h of this.hosts.values()) {
      const g = this.groups.get(h.name);
      if (g) {
        fail(h.loc, `'${h.name}' is both a host and a group (group declared ${where(g.loc)}); rename one of them, since a pattern, group_vars/ or host_vars/ entry named '${h.name}' could not tell them apart`);
      }
    }
    const hasParent = new Set<string>();
    for (const g of this.groups.values()) for (const c of g.children) hasParent.add(c);
    const all = this.groups.get("all")!;
    for (const g of this.groups.values()) {
      if (g.name !== "all" && !hasParent.has(g.name)) all.children.push(g.name);
    }
    const ungrouped = this.groups.get("ungrouped")!;
    for (const h of this.hosts.values()) {
      const real = h.groups.filter((n) => n !== "all" && n !== "ungrouped");
      if (real.length === 0 && !ungrouped.hosts.includes(h.name)) {
        ungrouped.hosts.push(h.name);
        h.groups.push("ungrouped");
      } else if (real.length > 0 && h.groups.includes("ungrouped")) {
        // ansible drops a host from `ungrouped` as soon as it is in any real group
        ungrouped.hosts = ungrouped.hosts.filter((n) => n !== h.name);
        h.groups = h.groups.filter((n) => n !== "ungrouped");
      }
    }
    const groups = new Map<string, InventoryGroup>();
    const hosts = new Map<string, InventoryHost>();
    const layers = { groupInventory: new Map<string, Vars>(), groupFiles: new Map<string, Vars>(), hostInventory: new Map<string, Vars>(), hostFiles: new Map<string, Vars>() };
    for (const g of this.groups.values()) {
      groups.set(g.name, { name: g.name, hosts: [...g.hosts], children: [...g.children], vars: { ...g.inventoryVars, ...g.fileVars } });
      layers.groupInventory.set(g.name, g.inventoryVars);
      layers.groupFiles.set(g.name, g.fileVars);
    }
    for (const h of this.hosts.values()) {
      hosts.set(h.name, { name: h.name, groups: [...h.groups], vars: { ...h.inventoryVars, ...h.fileVars } });
      layers.hostInventory.set(h.name, h.inventoryVars);
      layers.hostFiles.set(h.name, h.fileVars);
    }
    return { source, sha256, hosts, groups, files, warnings: [...this.warnings], layers, varLocs: this.varLocs };
  }
}

function draftGroup(name: string, loc?: Loc): GroupDraft {
  return { name, hosts: [], children: [], inventoryVars: {}, fileVars: {}, loc };
}
