// Controller-side artifact cache: <root>/artifacts/<hash>/{artifact,meta.json}, written as a whole (tmp dir + rename).
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { ArtifactError } from "./errors.js";

export interface ArtifactMeta {
  version: 1;
  hash: string;
  name: string;
  key: string[];
  build: string[];
  output: string;
  builder: string;
  builderFacts: { kernel: string; arch: string };
  sha256: string;
  size: number;
  /** ISO time */
  created: string;
}

export interface CacheEntry {
  dir: string;
  artifactPath: string;
  meta: ArtifactMeta;
}

export type CacheLookup = { state: "hit"; entry: CacheEntry } | { state: "miss" } | { state: "corrupt"; reason: string };

/** `$REMEDY_CACHE_DIR` (the remedy cache root), else `$XDG_CACHE_HOME/remedy`, else `~/.cache/remedy`; artifacts live in `<root>/artifacts`. */
export function artifactCacheDir(env: NodeJS.ProcessEnv): string {
  const root = env.REMEDY_CACHE_DIR || join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache"), "remedy");
  return join(root, "artifacts");
}

export async function sha256File(path: string): Promise<{ sha256: string; size: number }> {
  const h = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: h.digest("hex"), size };
}

const HASH = /^[0-9a-f]{64}$/;

export interface Staging {
  dir: string;
  /** where the downloaded file goes */
  artifactPath: string;
}

export class ArtifactCache {
  constructor(readonly dir: string) {}

  entryDir(hash: string): string {
    return join(this.dir, hash);
  }

  /** Reads and verifies an entry (sha256 and size of the file against its meta.json). */
  async lookup(hash: string): Promise<CacheLookup> {
    const dir = this.entryDir(hash);
    let metaText: string;
    try {
      metaText = await readFile(join(dir, "meta.json"), "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        const exists = await stat(dir).then(() => true, () => false);
        return exists ? { state: "corrupt", reason: `${join(dir, "meta.json")} is missing` } : { state: "miss" };
      }
      throw e;
    }
    let meta: ArtifactMeta;
    try {
      meta = JSON.parse(metaText) as ArtifactMeta;
    } catch {
      return { state: "corrupt", reason: `${join(dir, "meta.json")} is not valid JSON` };
    }
    if (!meta || meta.hash !== hash || typeof meta.sha256 !== "string") return { state: "corrupt", reason: `${join(dir, "meta.json")} does not describe entry ${hash}` };
    const artifactPath = join(dir, "artifact");
    let got: { sha256: string; size: number };
    try {
      got = await sha256File(artifactPath);
    } catch {
      return { state: "corrupt", reason: `${artifactPath} is missing or unreadable` };
    }
    if (got.sha256 !== meta.sha256) return { state: "corrupt", reason: `${artifactPath} has sha256 ${got.sha256}, meta.json says ${meta.sha256}` };
    return { state: "hit", entry: { dir, artifactPath, meta } };
  }

  /** A private tmp dir inside the cache dir (same filesystem, so commit is one rename). */
  async stage(hash: string): Promise<Staging> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 }).catch((e) => {
      throw new ArtifactError(`artifact cache ${this.dir} cannot be created: ${(e as Error).message}; set REMEDY_CACHE_DIR to a writable directory`);
    });
    const dir = join(this.dir, `.tmp-${hash.slice(0, 12)}-${randomBytes(6).toString("hex")}`);
    await mkdir(dir, { mode: 0o700 });
    return { dir, artifactPath: join(dir, "artifact") };
  }

  /** Writes meta.json into the staging dir and moves it into place, replacing a (corrupt) older entry. */
  async commit(s: Staging, meta: ArtifactMeta): Promise<CacheEntry> {
    await writeFile(join(s.dir, "meta.json"), JSON.stringify(meta, null, 2) + "\n", { mode: 0o600 });
    const dir = this.entryDir(meta.hash);
    const trash = join(this.dir, `.old-${meta.hash.slice(0, 12)}-${randomBytes(6).toString("hex")}`);
    const hadOld = await rename(dir, trash).then(() => true, (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return false;
      throw e;
    });
    await rename(s.dir, dir);
    if (hadOld) await rm(trash, { recursive: true, force: true });
    return { dir, artifactPath: join(dir, "artifact"), meta };
  }

  async discard(s: Staging): Promise<void> {
    await rm(s.dir, { recursive: true, force: true });
  }

  /** Every entry with a readable meta.json (not verified: listing must stay cheap), oldest first. */
  async list(): Promise<CacheEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
    const out: CacheEntry[] = [];
    for (const n of names.filter((x) => HASH.test(x))) {
      const dir = join(this.dir, n);
      try {
        const meta = JSON.parse(await readFile(join(dir, "meta.json"), "utf8")) as ArtifactMeta;
        out.push({ dir, artifactPath: join(dir, "artifact"), meta });
      } catch {
        out.push({ dir, artifactPath: join(dir, "artifact"), meta: brokenMeta(n, (await stat(dir)).mtime) });
      }
    }
    return out.sort((a, b) => a.meta.created.localeCompare(b.meta.created));
  }

  /** Leftover staging dirs of killed runs count as removable too. */
  async remove(hash: string): Promise<void> {
    await rm(this.entryDir(hash), { recursive: true, force: true });
  }

  async removeLeftovers(olderThanMs: number, now: number): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return 0;
    }
    let n = 0;
    for (const x of names.filter((y) => y.startsWith(".tmp-") || y.startsWith(".old-"))) {
      const st = await stat(join(this.dir, x)).catch(() => undefined);
      if (st && now - st.mtimeMs >= olderThanMs) {
        await rm(join(this.dir, x), { recursive: true, force: true });
        n++;
      }
    }
    return n;
  }
}

function brokenMeta(hash: string, mtime: Date): ArtifactMeta {
  return { version: 1, hash, name: "(unreadable meta.json)", key: [], build: [], output: "", builder: "", builderFacts: { kernel: "", arch: "" }, sha256: "", size: 0, created: mtime.toISOString() };
}
