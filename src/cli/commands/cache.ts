// remedy cache list|prune: the controller-side artifact cache (src/artifacts/cache.ts).
import type { Command } from "commander";
import type { Io } from "../io.js";
import { InputError } from "../../errors.js";
import { ArtifactCache, artifactCacheDir } from "../../artifacts/cache.js";
import { formatSize, listRows, parseDuration, renderTable, selectPrune } from "../../artifacts/cache-report.js";

export function registerCache(program: Command, io: Io, setCode: (c: number) => void): void {
  const cache = program.command("cache").description("built artifacts cached on this controller ($REMEDY_CACHE_DIR/artifacts, default ~/.cache/remedy/artifacts)");
  cache
    .command("list")
    .description("cached artifacts: key, name, size, sha256, age, key values")
    .option("--json", "JSON output")
    .action(async (f: { json?: boolean }) => {
      const c = new ArtifactCache(artifactCacheDir(io.env));
      const rows = listRows(await c.list(), Date.now());
      io.out(f.json ? JSON.stringify({ dir: c.dir, artifacts: rows }, null, 2) + "\n" : renderTable(rows));
      setCode(0);
    });
  cache
    .command("prune")
    .description("remove cached artifacts older than a duration (default 30d), or all")
    .option("--older-than <duration>", "e.g. 30d, 12h, 90m", "30d")
    .option("--all", "remove every cached artifact")
    .option("--dry-run", "only show what would be removed")
    .action(async (f: { olderThan: string; all?: boolean; dryRun?: boolean }) => {
      const olderThanMs = parseDuration(f.olderThan);
      if (olderThanMs === undefined) throw new InputError(`--older-than ${JSON.stringify(f.olderThan)}: expected a number and a unit s, m, h, d or w, e.g. 30d`);
      const c = new ArtifactCache(artifactCacheDir(io.env));
      const now = Date.now();
      const victims = selectPrune(await c.list(), { all: f.all, olderThanMs }, now);
      let bytes = 0;
      for (const v of victims) {
        bytes += v.meta.size;
        if (!f.dryRun) await c.remove(v.meta.hash);
        io.out(`${f.dryRun ? "would remove" : "removed"} ${v.meta.hash.slice(0, 12)} ${v.meta.name} (${v.meta.key.join(" ")})\n`);
      }
      // staging dirs of killed runs: an hour is far longer than any download into them
      const leftovers = f.dryRun ? 0 : await c.removeLeftovers(f.all ? 0 : 3_600_000, now);
      io.out(`${f.dryRun ? "would free" : "freed"} ${formatSize(bytes)} in ${victims.length} artifact(s)${leftovers ? `, ${leftovers} leftover temp dir(s)` : ""}\n`);
      setCode(0);
    });
}
