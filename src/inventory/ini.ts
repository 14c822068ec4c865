// Ansible INI inventory: [group], [group:children], [group:vars], inline host vars, host ranges.
import type { Vars } from "../model/inventory.js";
import { fail, type InventoryBuilder } from "./builder.js";
import type { Loc } from "./loaded.js";
import { expandHostRange, hasRange, RangeSyntaxError, splitHostPort } from "./range.js";
import { suggest } from "./suggest.js";
import { parseIniValue, shellSplit, stripInlineComment, ValueSyntaxError } from "./values.js";

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:[#;].*)?$/;
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
type State = "hosts" | "vars" | "children";

interface Pending {
  loc: Loc;
  message: string;
}

export function parseIni(text: string, file: string, b: InventoryBuilder): void {
  // Groups that exist before this file count as declared (directory inventories share one graph).
  const declared = new Set(b.groups.keys());
  const childRefs = new Map<string, Pending>();
  const varSections = new Map<string, Pending>();
  let group = "ungrouped";
  let state: State = "hosts";
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const indent = raw.length - raw.trimStart().length;
    const line = raw.trim();
    const at = (col: number): Loc => ({ file, line: i + 1, col });
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;

    if (line.startsWith("[") && !isHostLine(line)) {
      const m = SECTION.exec(line);
      if (!m) {
        fail(at(indent + 1), `invalid section header '${line}': expected [group], [group:children] or [group:vars], with no spaces inside the brackets`);
      }
      const name = m[1] as string;
      const kind = m[2] ?? "hosts";
      if (kind !== "hosts" && kind !== "children" && kind !== "vars") {
        const hint = suggest(kind, ["children", "vars"]);
        fail(at(indent + 3 + name.length), `section [${name}:${kind}] has unknown type '${kind}': use [${name}:children] or [${name}:vars]${hint ? ` (did you mean '${hint[0]}'?)` : ""}`);
      }
      group = name;
      state = kind;
      b.addGroup(name, at(indent + 2));
      if (kind === "vars") {
        if (!declared.has(name) && !varSections.has(name)) {
          varSections.set(name, { loc: at(indent + 2), message: `section [${name}:vars] is for group '${name}', which is never declared; add a [${name}] or [${name}:children] section (it may be empty) or fix the name` });
        }
      } else {
        declared.add(name);
      }
      continue;
    }

    if (state === "hosts") parseHostLine(raw, at, group, b);
    else if (state === "vars") parseVarLine(raw, at, group, b);
    else {
      const child = stripInlineComment(line);
      const loc = at(indent + 1);
      if (/\s/.test(child)) fail(loc, `expected one group name per line in [${group}:children], got '${child}'`);
      if (child.includes("=")) fail(loc, `'${child}' looks like a variable, but [${group}:children] lists group names; put variables under [${group}:vars]`);
      if (!declared.has(child) && !childRefs.has(child)) {
        childRefs.set(child, { loc, message: `[${group}:children] names group '${child}', which is never declared` });
      }
      b.addChild(group, child, loc);
    }
  }
  // Like ansible: a :children entry or a :vars section must name a group declared somewhere in the file.
  for (const [name, p] of childRefs) {
    if (declared.has(name)) continue;
    const near = suggest(name, [...declared].filter((g) => g !== "all" && g !== "ungrouped"));
    fail(p.loc, `${p.message}; ${near ? `did you mean '${near.join("', '")}'? ` : ""}declare it with a [${name}] section (it may be empty) or remove the line`);
  }
  for (const [name, p] of varSections) if (!declared.has(name)) fail(p.loc, p.message);
}

/** `[::1]:22`-style IPv6 host lines start with '[' too. */
function isHostLine(line: string): boolean {
  return /^\[[0-9a-fA-F:.]*:[0-9a-fA-F:.]*\](:\d+)?(\s|$)/.test(line);
}

function parseHostLine(raw: string, at: (col: number) => Loc, group: string, b: InventoryBuilder): void {
  let tokens;
  try {
    tokens = shellSplit(raw);
  } catch (e) {
    if (e instanceof ValueSyntaxError) fail(at(e.col), e.message);
    throw e;
  }
  const first = tokens[0];
  if (!first) return;
  if (first.text.includes("=")) {
    fail(at(first.col), `'${first.text}' looks like a variable, but [${group}] lists hosts; put variables under [${group}:vars], or start the line with a host name`);
  }
  const vars: Vars = {};
  const locs: Record<string, Loc> = {};
  const { host, port } = splitHostPort(first.text);
  if (port !== undefined) vars.ansible_port = port;
  for (const t of tokens.slice(1)) {
    const eq = t.text.indexOf("=");
    if (eq <= 0) {
      fail(at(t.col), `expected key=value after host '${first.text}', got '${t.text}'; host variables are written name=value with no spaces around '='`);
    }
    const key = t.text.slice(0, eq);
    if (!VAR_NAME.test(key)) fail(at(t.col), `invalid variable name '${key}': use letters, digits and '_', not starting with a digit`);
    vars[key] = parseIniValue(t.text.slice(eq + 1));
    locs[key] = at(t.col + eq + 1);
  }
  let names: string[];
  try {
    names = hasRange(host) ? expandHostRange(host) : [host];
  } catch (e) {
    if (e instanceof RangeSyntaxError) fail(at(first.col), e.message);
    throw e;
  }
  for (const name of names) b.addHost(name, group, { ...vars }, at(first.col), locs);
}

function parseVarLine(raw: string, at: (col: number) => Loc, group: string, b: InventoryBuilder): void {
  const indent = raw.length - raw.trimStart().length;
  const line = raw.trim();
  const eq = line.indexOf("=");
  if (eq < 0) {
    fail(at(indent + 1), `expected key=value in [${group}:vars], got '${line}'; hosts belong in [${group}], child groups in [${group}:children]`);
  }
  const key = line.slice(0, eq).trim();
  if (!VAR_NAME.test(key)) fail(at(indent + 1), `invalid variable name '${key}' in [${group}:vars]: use letters, digits and '_', not starting with a digit`);
  const valueCol = indent + eq + 2 + (line.slice(eq + 1).length - line.slice(eq + 1).trimStart().length);
  b.setGroupVar(group, key, parseIniValue(stripInlineComment(line.slice(eq + 1).trim())), at(valueCol));
}
