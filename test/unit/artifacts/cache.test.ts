import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtemp, mkdir, readdir, rm, writeFile, readFile, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { ArtifactCache, artifactCacheDir, sha256File, type ArtifactMeta } from "../../../src/artifacts/cache.js";
import { formatAge, parseDuration, selectPrune } from "../../../src/artifacts/cache-report.js";
import { registerCache } from "../../../src/cli/commands/cache.js";
import { artifactHash } from "../../../src/artifacts/key.js";
import type { Io } from "../../../src/cli/io.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "remedy-cache-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(c: ArtifactCache, name: string, key: string[], body: string, created: string): Promise<ArtifactMeta> {
  const hash = artifactHash(name, ["make"], key);
  const s = await c.stage(hash);
  await writeFile(s.artifactPath, body);
  const { sha256, size } = await sha256File(s.artifactPath);
  const meta: ArtifactMeta = { version: 1, hash, name, key, build: ["make"], output: "out", builder: "b1", builderFacts: { kernel: "k", arch: "x86_64" }, sha256, size, created };
  await c.commit(s, meta);
  return meta;
}

describe("ArtifactCache", () => {
  it("REMEDY_CACHE_DIR replaces the cache root; otherwise XDG_CACHE_HOME or ~/.cache", () => {
    expect(artifactCacheDir({ REMEDY_CACHE_DIR: "/srv/c" })).toBe("/srv/c/artifacts");
    expect(artifactCacheDir({ XDG_CACHE_HOME: "/x" })).toBe("/x/remedy/artifacts");
    expect(artifactCacheDir({ HOME: "/home/u" })).toBe("/home/u/.cache/remedy/artifacts");
  });

  it("miss, hit, corrupt (bad sha256, missing meta), replacing a corrupt entry in one rename", async () => {
    const c = new ArtifactCache(join(dir, "artifacts"));
    const hash = artifactHash("runc", ["make"], ["v1.1.1"]);
    expect((await c.lookup(hash)).state).toBe("miss");
    const meta = await put(c, "runc", ["v1.1.1"], "binary", "2024-01-01T00:00:00.000Z");
    expect(await c.lookup(hash)).toMatchObject({ state: "hit", entry: { meta: { sha256: meta.sha256, size: 6 } } });
    await writeFile(join(c.entryDir(hash), "artifact"), "binarY");
    expect(await c.lookup(hash)).toMatchObject({ state: "corrupt", reason: expect.stringContaining(`meta.json says ${meta.sha256}`) });
    await put(c, "runc", ["v1.1.1"], "binary2", "2024-01-02T00:00:00.000Z");
    expect(await c.lookup(hash)).toMatchObject({ state: "hit" });
    expect(await readFile(join(c.entryDir(hash), "artifact"), "utf8")).toBe("binary2");
    expect((await readdir(c.dir)).filter((n) => n.startsWith("."))).toEqual([]);
    await rm(join(c.entryDir(hash), "meta.json"));
    expect(await c.lookup(hash)).toMatchObject({ state: "corrupt", reason: expect.stringContaining("meta.json is missing") });
  });

  it("durations and prune selection", () => {
    expect(parseDuration("30d")).toBe(30 * 86_400_000);
    expect(parseDuration("12h")).toBe(12 * 3_600_000);
    expect(parseDuration("30 days")).toBeUndefined();
    expect(formatAge(3 * 86_400_000 + 5)).toBe("3d");
    const e = (created: string) => ({ dir: "", artifactPath: "", meta: { created } as ArtifactMeta });
    const now = Date.parse("2024-03-01T00:00:00Z");
    const entries = [e("2024-01-01T00:00:00Z"), e("2024-02-20T00:00:00Z")];
    expect(selectPrune(entries, {}, now)).toEqual([entries[0]]);
    expect(selectPrune(entries, { olderThanMs: 86_400_000 }, now)).toEqual(entries);
    expect(selectPrune(entries, { all: true }, now)).toEqual(entries);
  });
});

describe("remedy cache list|prune", () => {
  async function cli(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    let code = -1;
    const io: Io = { out: (s) => void (out += s), err: (s) => void (err += s), isTTY: false, ask: async () => "no", signal: new AbortController().signal, env, cwd: dir };
    const program = new Command("remedy").exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
    registerCache(program, io, (c) => (code = c));
    try {
      await program.parseAsync(argv, { from: "user" });
    } catch (e) {
      err += (e as Error).message;
      code = 4;
    }
    return { code, out, err };
  }

  it("lists entries as a table and as JSON, prunes by age and all", async () => {
    const env = { REMEDY_CACHE_DIR: join(dir, "root") };
    const c = new ArtifactCache(artifactCacheDir(env));
    expect((await cli(["cache", "list"], env)).out).toBe("artifact cache is empty\n");
    const old = await put(c, "livepatch-route.ko", ["3.10.0-957.el7.x86_64", "x86_64"], "old module", new Date(Date.now() - 40 * 86_400_000).toISOString());
    const fresh = await put(c, "runc", ["v1.1.1", "seccomp", "x86_64"], "runc binary", new Date(Date.now() - 3_600_000).toISOString());
    await mkdir(join(c.dir, ".tmp-abandoned"));
    await utimes(join(c.dir, ".tmp-abandoned"), new Date(0), new Date(0));

    const table = await cli(["cache", "list"], env);
    expect(table.code).toBe(0);
    const lines = table.out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^KEY\s+NAME\s+SIZE\s+SHA256\s+AGE\s+BUILDER\s+KEY VALUES$/);
    expect(lines[1]).toMatch(new RegExp(`^${old.hash.slice(0, 12)}\\s+livepatch-route\\.ko\\s+10B\\s+${old.sha256.slice(0, 12)}\\s+40d\\s+b1\\s+3\\.10\\.0-957\\.el7\\.x86_64 x86_64$`));
    expect(lines[2]).toMatch(/\srunc\s+11B\s.*\s1h\s+b1\s+v1\.1\.1 seccomp x86_64$/);

    const json = JSON.parse((await cli(["cache", "list", "--json"], env)).out);
    expect(json.dir).toBe(c.dir);
    expect(json.artifacts.map((a: { key: string }) => a.key)).toEqual([old.hash, fresh.hash]);
    expect(json.artifacts[1]).toMatchObject({ name: "runc", size: 11, sha256: fresh.sha256, keyValues: ["v1.1.1", "seccomp", "x86_64"] });

    expect((await cli(["cache", "prune", "--older-than", "1 month"], env)).err).toMatch(/--older-than "1 month": expected a number and a unit/);
    const pruned = await cli(["cache", "prune"], env);
    expect(pruned.out).toContain(`removed ${old.hash.slice(0, 12)} livepatch-route.ko`);
    expect(pruned.out).toMatch(/freed 10B in 1 artifact\(s\), 1 leftover temp dir\(s\)/);
    expect((await c.list()).map((e) => e.meta.hash)).toEqual([fresh.hash]);
    await cli(["cache", "prune", "--all"], env);
    expect(await c.list()).toEqual([]);
  });
});
