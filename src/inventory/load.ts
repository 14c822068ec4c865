// loadInventory: one INI/YAML file or a directory of them (merged like ansible), kubespray's derived
// groups, then group_vars/ and host_vars/ beside each, then a sha256 over every file read.
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { dirname, extname, join, relative, resolve, sep } from "node:path";
import { InputError } from "../errors.js";
import { fail, InventoryBuilder } from "./builder.js";
import { parseIni } from "./ini.js";
import { deriveKubesprayGroups } from "./kubespray.js";
import type { LoadedInventory } from "./loaded.js";
import { applyVarsDirs } from "./varsfiles.js";
import { parseYamlInventory } from "./yaml.js";
import { openVaultFile } from "./vault.js";

const YAML_EXTS = [".yml", ".yaml", ".json"];
// Files in an inventory directory that are not inventories (ansible's INVENTORY_IGNORE_EXTS and friends).
const IGNORED_EXTS = [".orig", ".cfg", ".retry", ".bak", ".md", ".rst", ".txt", ".pyc", ".pyo", ".swp", ".j2", ".sample"];

export async function loadInventory(path: string): Promise<LoadedInventory> {
  const abs = resolve(path);
  let isDir: boolean;
  try {
    isDir = (await stat(abs)).isDirectory();
  } catch {
    throw new InputError([{ file: path, message: "inventory not found; pass -i with an existing INI or YAML file, or a directory of them" }]);
  }
  const root = isDir ? abs : dirname(abs);
  const displayRoot = isDir ? path : dirname(path);
  const display = (f: string): string => (f === abs && !isDir ? path : join(displayRoot, relative(root, f)));
  const texts = new Map<string, string>();
  const read = async (f: string): Promise<{ text: string; display: string }> => {
    const text = await readFile(f, "utf8");
    texts.set(f, text);
    return { text, display: display(f) };
  };

  const invFiles = isDir ? await listInventoryFiles(abs) : [abs];
  if (invFiles.length === 0) {
    throw new InputError([{ file: path, message: "this directory holds no inventory file (*.ini, *.yml, *.yaml, *.json or files without extension)" }]);
  }
  const b = new InventoryBuilder();
  for (const f of invFiles) {
    const { text, display: shown } = await read(f);
    parseInventoryText(text, shown, b, extname(f).toLowerCase());
  }
  deriveKubesprayGroups(b);
  const baseDirs = [...new Set([root, ...invFiles.map((f) => dirname(f))])];
  await applyVarsDirs(baseDirs, b, read);
  const files = [...texts.keys()].sort();
  return b.finish(path, inventorySha256(root, texts), files);
}

/** Parses one inventory file's text into `b`; the format comes from the extension, else the content. */
export function parseInventoryText(sealed: string, file: string, b: InventoryBuilder, ext = extname(file).toLowerCase()): void {
  // an inventory vaulted as a whole is opened with the run's password (its host names stay visible in output;
  // secret-named vars are redacted as usual)
  const { text } = openVaultFile(sealed, file);
  if (text.startsWith("#!")) {
    fail({ file, line: 1, col: 1 }, "this looks like a dynamic inventory script; remedy reads static inventories only: save its output with `ansible-inventory -i SCRIPT --list --yaml > inventory.yml`");
  }
  const yaml = YAML_EXTS.includes(ext) || (ext !== ".ini" && looksLikeYaml(text));
  if (yaml) parseYamlInventory(text, file, b);
  else parseIni(text, file, b);
}

function looksLikeYaml(text: string): boolean {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    if (line.startsWith("---") || line.startsWith("{")) return true;
    if (line.startsWith("[")) return false;
    return /^[^\s=[]+:(\s|$)/.test(line) && !line.includes("=");
  }
  return false;
}

async function listInventoryFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.name.startsWith(".") || e.name.endsWith("~")) continue;
    const isDir = e.isDirectory() || (e.isSymbolicLink() && (await stat(full)).isDirectory());
    if (isDir) {
      if (e.name !== "group_vars" && e.name !== "host_vars") out.push(...(await listInventoryFiles(full)));
    } else if (!IGNORED_EXTS.includes(extname(e.name).toLowerCase())) {
      out.push(full);
    }
  }
  return out;
}

/** sha256 over (path relative to the inventory root, content) of every file read, in path order. */
export function inventorySha256(root: string, texts: Map<string, string>): string {
  const h = createHash("sha256");
  const entries = [...texts].map(([f, t]) => [relative(root, f).split(sep).join("/"), t] as const);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [rel, text] of entries) h.update(`${rel}\0${text}\0`);
  return h.digest("hex");
}
