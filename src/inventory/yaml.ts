// Ansible YAML inventory: `all: {hosts, vars, children}`, nested to any depth; host keys may be ranges.
import { isMap, isScalar, type Pair, type YAMLMap } from "yaml";
import type { Vars } from "../model/inventory.js";
import { fail, type InventoryBuilder } from "./builder.js";
import type { Loc } from "./loaded.js";
import { expandHostRange, hasRange, RangeSyntaxError, splitHostPort } from "./range.js";
import { suggest } from "./suggest.js";
import { describeNode, isNullNode, keyText, parseYamlSource, type YamlSource } from "./yamldoc.js";

const GROUP_KEYS = ["hosts", "vars", "children"];

export function parseYamlInventory(text: string, file: string, b: InventoryBuilder): void {
  const src = parseYamlSource(text, file);
  const root = src.deref(src.doc.contents);
  if (isNullNode(root)) return;
  if (!isMap(root)) {
    fail(src.at(root), `an inventory must be a mapping of group names at the top level (e.g. 'all:' with hosts/children below), not ${describeNode(root)}`);
  }
  for (const pair of root.items) parseGroup(src, b, keyText(pair.key), pair);
}

function parseGroup(src: YamlSource, b: InventoryBuilder, name: string, pair: Pair): void {
  b.addGroup(name, src.at(pair.key));
  const data = src.deref(pair.value);
  if (isNullNode(data)) return;
  if (!isMap(data)) {
    fail(src.at(data ?? pair.key), `group '${name}' must be a mapping with 'hosts', 'vars' and/or 'children', not ${describeNode(data)}`);
  }
  for (const item of data.items) {
    const key = keyText(item.key);
    const value = src.deref(item.value);
    if (!GROUP_KEYS.includes(key)) {
      const near = suggest(key, GROUP_KEYS);
      fail(src.at(item.key), `unexpected key '${key}' in group '${name}': only hosts, vars and children are allowed${near ? ` (did you mean '${near[0]}'?)` : "; to add a child group, put it under 'children:'"}`);
    }
    if (isNullNode(value)) continue;
    if (key === "vars") {
      if (!isMap(value)) fail(src.at(value), `'vars' of group '${name}' must be a mapping of name: value, not ${describeNode(value)}`);
      const locs = varLocs(src, value);
      for (const [k, v] of Object.entries(toVars(src, value))) b.setGroupVar(name, k, v, locs[k] ?? src.at(item.key));
    } else if (key === "hosts") {
      parseHosts(src, b, name, value);
    } else {
      parseChildren(src, b, name, value);
    }
  }
}

function parseHosts(src: YamlSource, b: InventoryBuilder, group: string, node: unknown): void {
  // ansible accepts a single host name as a string
  if (isScalar(node)) return addHosts(src, b, group, node, undefined);
  if (!isMap(node)) {
    fail(src.at(node), `'hosts' of group '${group}' must be a mapping of host names, each followed by ':' (and optionally its vars), not ${describeNode(node)}; write e.g.\n  hosts:\n    node01:\n    node02:\n      ansible_host: 10.0.0.2`);
  }
  for (const pair of node.items) addHosts(src, b, group, pair.key, src.deref(pair.value));
}

function addHosts(src: YamlSource, b: InventoryBuilder, group: string, keyNode: unknown, varsNode: unknown): void {
  const pattern = keyText(keyNode);
  const loc = src.at(keyNode);
  let vars: Vars = {};
  let locs: Record<string, Loc> = {};
  if (!isNullNode(varsNode)) {
    if (!isMap(varsNode)) fail(src.at(varsNode), `vars of host '${pattern}' must be a mapping of name: value, not ${describeNode(varsNode)}`);
    vars = toVars(src, varsNode);
    locs = varLocs(src, varsNode);
  }
  const { host, port } = splitHostPort(pattern);
  if (port !== undefined && vars.ansible_port === undefined) vars = { ansible_port: port, ...vars };
  let names: string[];
  try {
    names = hasRange(host) ? expandHostRange(host) : [host];
  } catch (e) {
    if (e instanceof RangeSyntaxError) fail(loc, e.message);
    throw e;
  }
  for (const n of names) b.addHost(n, group, { ...vars }, loc, locs);
}

function parseChildren(src: YamlSource, b: InventoryBuilder, parent: string, node: unknown): void {
  if (!isMap(node)) {
    fail(src.at(node), `'children' of group '${parent}' must be a mapping of group names, each followed by ':', not ${describeNode(node)}; write e.g.\n  children:\n    kube_node:\n    etcd:`);
  }
  for (const pair of node.items) {
    const child = keyText(pair.key);
    // link first: a cycle through aliases is then caught before recursing into it
    b.addChild(parent, child, src.at(pair.key));
    parseGroup(src, b, child, pair);
  }
}

/** name → position of its value (of the key when the value is empty) */
export function varLocs(src: YamlSource, node: YAMLMap): Record<string, Loc> {
  const out: Record<string, Loc> = {};
  for (const pair of node.items) {
    const v = pair.value as { range?: unknown } | null;
    out[keyText(pair.key)] = src.at(v && v.range ? v : pair.key);
  }
  return out;
}

function toVars(src: YamlSource, node: YAMLMap): Vars {
  const value: unknown = node.toJS(src.doc);
  return value && typeof value === "object" ? (value as Vars) : {};
}
