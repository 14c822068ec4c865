// The run-wide artifact service: one build per key (single-flight), a verified controller cache, upload to each target.
import { posix } from "node:path";
import type { ArtifactAction } from "../model/playbook.js";
import type { HostContext } from "../engine/context.js";
import type { Scope } from "../playbook/index.js";
import type { Transport } from "../transport/transport.js";
import { ArtifactCache, type CacheEntry } from "./cache.js";
import { buildArtifact } from "./build.js";
import { resolveBuilder, CONTROLLER } from "./builder.js";
import { resolveArtifact, type ResolvedArtifact } from "./key.js";
import { ArtifactError } from "./errors.js";
import type { ArtifactService } from "./api.js";
import { shellQuote } from "../transport/quote.js";
import { excerpt } from "../engine/decide.js";

export interface BuildOnceOptions {
  /** the artifacts dir (see artifactCacheDir) */
  cacheDir: string;
  /** ansible pattern → hosts (inventory order); throws when nothing matches. Without it: group names and host names of `scope.groups`. */
  resolveHosts?: (pattern: string) => string[];
  now?: () => Date;
}

interface Obtained {
  entry: CacheEntry;
  /** how the FIRST host to ask got it; everyone else got it from the cache */
  source: "build" | "cache";
  builder: string;
}

const time = () => new Date().toISOString();

export class BuildOnceService implements ArtifactService {
  readonly cache: ArtifactCache;
  /** key hash → the one build/lookup of this run; shared by every host with that key */
  private readonly inflight = new Map<string, Promise<Obtained>>();
  /** key hash → cache state seen by a dry run (verifying a large file once is enough) */
  private readonly previewed = new Map<string, Promise<boolean>>();
  /** number of builds started in this run (tests, summaries) */
  builds = 0;

  constructor(private readonly o: BuildOnceOptions) {
    this.cache = new ArtifactCache(o.cacheDir);
  }

  async preview(ctx: HostContext, action: ArtifactAction, scope: Scope): Promise<{ key: string; source: "would_build" | "would_use_cache"; builder: string }> {
    const r = resolveArtifact(action, scope);
    const builder = resolveBuilder(r.builder, ctx.host, r.name, scope.groups, this.o.resolveHosts);
    let cached = this.previewed.get(r.hash);
    if (!cached) {
      cached = this.cache.lookup(r.hash).then((l) => l.state === "hit");
      this.previewed.set(r.hash, cached);
    }
    const source = (await cached) ? "would_use_cache" : "would_build";
    ctx.emit({ type: "artifact", host: ctx.host, step: ctx.step, name: r.name, key: r.hash, source, builder });
    return { key: r.hash, source, builder };
  }

  async deliver(ctx: HostContext, action: ArtifactAction, scope: Scope, transport: Transport): Promise<{ key: string; sha256: string; source: "build" | "cache" }> {
    const r = resolveArtifact(action, scope);
    const builder = resolveBuilder(r.builder, ctx.host, r.name, scope.groups, this.o.resolveHosts);
    let p = this.inflight.get(r.hash);
    const first = !p;
    if (!p) {
      p = this.obtain(ctx, r, builder, transport);
      this.inflight.set(r.hash, p);
    }
    let got: Obtained;
    try {
      got = await p;
    } catch (e) {
      if (first) throw e;
      // the same failure for every host that shares the key; say whose build it was
      throw new ArtifactError(`${e instanceof Error ? e.message : String(e)} (shared build for key ${r.hash.slice(0, 12)})`, { cause: e });
    }
    const source = first ? got.source : "cache";
    // like `install -D`: a per-kernel dir such as /var/lib/kpatch/<kernel>/ may not exist yet (put does not create dirs)
    const dir = posix.dirname(r.dest);
    const mk = await transport.exec(`mkdir -p -- ${shellQuote(dir)}`, { timeoutMs: 60_000, become: ctx.become, signal: ctx.signal });
    if (mk.exitCode !== 0) throw new ArtifactError(`artifact ${r.name}: cannot create ${dir} on ${ctx.host}: ${excerpt(mk.stderr || mk.stdout, 300) || `exit ${mk.exitCode}`}`);
    const put = await transport.put({ localPath: got.entry.artifactPath }, r.dest, { mode: r.mode, owner: r.owner, become: ctx.become });
    if (put.sha256 !== got.entry.meta.sha256) {
      throw new ArtifactError(`artifact ${r.name}: ${ctx.host}:${r.dest} has sha256 ${put.sha256} after the upload, expected ${got.entry.meta.sha256}; re-run`);
    }
    ctx.emit({
      type: "command",
      host: ctx.host,
      step: ctx.step,
      phase: "apply",
      record: { command: `artifact ${r.name} -> ${r.dest}`, exitCode: 0, durationMs: 0, stdout: `${put.changed ? `written ${put.bytes} bytes` : "unchanged"} (sha256 ${put.sha256}, ${source} from ${got.builder === CONTROLLER ? "controller" : got.builder})`, stderr: "" },
    });
    ctx.emit({ type: "artifact", host: ctx.host, step: ctx.step, name: r.name, key: r.hash, source, builder: got.builder, sha256: put.sha256 });
    return { key: r.hash, sha256: put.sha256, source };
  }

  /** Cache hit, or build on the builder (a corrupt entry is rebuilt with a warning). */
  private async obtain(ctx: HostContext, r: ResolvedArtifact, builder: string, targetTransport: Transport): Promise<Obtained> {
    const l = await this.cache.lookup(r.hash);
    if (l.state === "hit") return { entry: l.entry, source: "cache", builder: l.entry.meta.builder };
    if (l.state === "corrupt") {
      ctx.emit({ type: "warning", host: ctx.host, message: `artifact ${r.name}: cache entry ${r.hash.slice(0, 12)} is corrupt (${l.reason}); rebuilding`, time: time() });
    }
    const transport = builder === ctx.host ? targetTransport : await ctx.delegate(builder);
    const staging = await this.cache.stage(r.hash);
    try {
      this.builds++;
      const b = await buildArtifact(
        r,
        {
          builder,
          transport,
          become: builder === CONTROLLER ? false : ctx.become,
          signal: ctx.signal,
          record: (record) => ctx.emit({ type: "command", host: ctx.host, step: ctx.step, phase: "apply", record }),
        },
        staging.artifactPath,
      );
      const entry = await this.cache.commit(staging, {
        version: 1,
        hash: r.hash,
        name: r.name,
        key: r.key,
        build: r.build,
        output: r.output,
        builder,
        builderFacts: b.builderFacts,
        sha256: b.sha256,
        size: b.size,
        created: (this.o.now?.() ?? new Date()).toISOString(),
      });
      return { entry, source: "build", builder };
    } catch (e) {
      await this.cache.discard(staging).catch(() => undefined);
      throw e;
    }
  }
}
