// group_vars/ and host_vars/ beside the inventory, found the way ansible's host_group_vars plugin does:
// for entity NAME the first of NAME (file or directory), NAME.yml, NAME.yaml, NAME.json; a directory
// contributes every file in it (recursively, sorted) with one of those extensions or none.
import { readdir, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { isMap } from "yaml";
import type { Vars } from "../model/inventory.js";
import { fail, type InventoryBuilder } from "./builder.js";
import type { Loc } from "./loaded.js";
import { varLocs } from "./yaml.js";
import { describeNode, isNullNode, parseYamlSource } from "./yamldoc.js";
import { openVaultFile, vaultKeyring } from "./vault.js";

const EXTS = [".yml", ".yaml", ".json"];

/** Reads a file and records it (for the inventory sha256); `display` is the path used in messages. */
export type ReadFile = (abs: string) => Promise<{ text: string; display: string }>;

export async function applyVarsDirs(baseDirs: string[], b: InventoryBuilder, read: ReadFile): Promise<void> {
  for (const base of baseDirs) {
    for (const kind of ["group_vars", "host_vars"] as const) {
      const dir = join(base, kind);
      const entries = await listDir(dir);
      if (!entries) continue;
      const known = kind === "group_vars" ? b.groups : b.hosts;
      for (const [name, target] of known) {
        const got = await loadEntity(dir, name, entries, read);
        if (got) {
          Object.assign(target.fileVars, got.vars);
          b.noteVarLocs(kind === "group_vars" ? "groupFiles" : "hostFiles", name, got.locs);
        }
      }
      for (const entry of entries.keys()) {
        const ext = extname(entry);
        const stem = EXTS.includes(ext) ? entry.slice(0, -ext.length) : ext === "" ? entry : undefined;
        if (stem !== undefined && !known.has(stem)) {
          b.warnings.push(`${join(dir, entry)}: no ${kind === "group_vars" ? "group" : "host"} named '${stem}' in the inventory; ignored`);
        }
      }
    }
  }
}

/** name -> isDirectory, for the non-hidden entries of `dir`; undefined when `dir` does not exist. */
async function listDir(dir: string): Promise<Map<string, boolean> | undefined> {
  try {
    const dirents = await readdir(dir, { withFileTypes: true });
    const out = new Map<string, boolean>();
    for (const d of dirents.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
      if (d.name.startsWith(".")) continue;
      out.set(d.name, d.isDirectory() || (d.isSymbolicLink() && (await stat(join(dir, d.name))).isDirectory()));
    }
    return out;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
    throw e;
  }
}

async function loadEntity(dir: string, name: string, entries: Map<string, boolean>, read: ReadFile): Promise<{ vars: Vars; locs: Record<string, Loc> } | undefined> {
  const hit = [name, ...EXTS.map((e) => name + e)].find((n) => entries.has(n));
  if (hit === undefined) return undefined;
  const path = join(dir, hit);
  const files = entries.get(hit) ? await walk(path) : [path];
  const vars: Vars = {};
  const locs: Record<string, Loc> = {};
  for (const f of files) {
    const got = await loadVarsFile(f, read);
    Object.assign(vars, got.vars);
    Object.assign(locs, got.locs);
  }
  return { vars, locs };
}

async function walk(dir: string): Promise<string[]> {
  const entries = (await listDir(dir)) ?? new Map<string, boolean>();
  const out: string[] = [];
  for (const [name, isDir] of entries) {
    const full = join(dir, name);
    if (isDir) out.push(...(await walk(full)));
    else if (EXTS.includes(extname(name)) || extname(name) === "") out.push(full);
  }
  return out;
}

async function loadVarsFile(abs: string, read: ReadFile): Promise<{ vars: Vars; locs: Record<string, Loc> }> {
  const { text: raw, display } = await read(abs);
  const { text, vaulted } = openVaultFile(raw, display); // a whole vaulted file: decrypted with the run's vault password
  const src = parseYamlSource(text, display);
  const root = src.deref(src.doc.contents);
  if (isNullNode(root)) return { vars: {}, locs: {} };
  if (!isMap(root)) fail(src.at(root), `a vars file must be a mapping of name: value, not ${describeNode(root)}`);
  const value: unknown = root.toJS(src.doc);
  if (vaulted) vaultKeyring().reveal(value);
  return { vars: value && typeof value === "object" ? (value as Vars) : {}, locs: varLocs(src, root) };
}
