// Booted template nodes kept per machine (<REMEDY_LAB_CACHE>/templates), so a lab copies its templates too instead
// of running lab-init for them: lab-init + lab-boot are ~350 process starts per OS, over a second of CPU, paid by
// every `lab up` and by each of the test suite's twenty labs. A template is only reused when everything lab-init
// reads is the same: the node tools and data, the OS's package repositories and rpm database, the base's binaries.
import { createHash, type Hash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cloneNodeRoot, type CloneNode } from "./clone.js";
import { LAB_CACHE } from "./rpm/build.js";

/** Bump when what a template holds changes in a way the inputs below do not show. */
const FORMAT = "template-1";

export interface CachedTemplate {
  key: string;
  root: string;
  spec: CloneNode;
}

const dirOf = (os: string, key: string, cache: string) => join(cache, "templates", `${os}-${key}`);

/** Path, type and content of every entry under dir, in a stable order (contents only when withContent). */
function hashTree(h: Hash, dir: string, withContent: boolean, rel = ""): void {
  let entries: string[];
  try {
    entries = readdirSync(join(dir, rel)).sort();
  } catch {
    h.update(`missing ${rel}\n`);
    return;
  }
  for (const name of entries) {
    const p = rel ? `${rel}/${name}` : name;
    const abs = join(dir, p);
    const st = lstatSync(abs);
    if (st.isDirectory()) {
      h.update(`dir ${p}\n`);
      if (withContent) hashTree(h, dir, withContent, p);
    } else if (st.isSymbolicLink()) h.update(`link ${p} ${readlinkSync(abs)}\n`);
    else {
      h.update(`file ${p} ${st.size} ${(st.mode & 0o7777).toString(8)}\n`);
      if (withContent) h.update(readFileSync(abs));
    }
  }
}

/** Key of an OS's template for a built base: its tools (content), rpm database and repositories, binaries and libraries. */
export function templateKey(base: string, os: string): string {
  const h = createHash("sha256").update(`${FORMAT} ${os}\n`);
  hashTree(h, join(base, "tools"), true);
  hashTree(h, join(base, "rpmdb", os), true);
  hashTree(h, join(base, "repos", os), true);
  hashTree(h, join(base, "rpms", os), false);
  hashTree(h, join(base, "bin"), false);
  hashTree(h, join(base, "lib"), false);
  return h.digest("hex").slice(0, 20);
}

export function cachedTemplate(os: string, key: string, cache = LAB_CACHE): CachedTemplate | undefined {
  const dir = dirOf(os, key, cache);
  try {
    const spec = JSON.parse(readFileSync(join(dir, "spec.json"), "utf8")) as CloneNode;
    return existsSync(join(dir, "root")) ? { key, root: join(dir, "root"), spec } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keeps a just-booted template root (before its sshd or anything else ran in it). Written aside and renamed, so a
 * reader never sees half a template; when two labs race, the first rename wins and the other copy is dropped.
 */
export function saveTemplate(os: string, key: string, root: string, spec: CloneNode, cache = LAB_CACHE): void {
  const dir = dirOf(os, key, cache);
  if (existsSync(dir)) return;
  const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    mkdirSync(join(tmp, "root"), { recursive: true, mode: 0o755 });
    cloneNodeRoot(root, join(tmp, "root"), (s) => s);
    writeFileSync(join(tmp, "spec.json"), JSON.stringify({ name: spec.name, ip: spec.ip, hostname: spec.hostname }) + "\n");
    renameSync(tmp, dir);
  } catch {
    // another lab saved it first, or the cache is not writable: the lab itself is fine either way
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
