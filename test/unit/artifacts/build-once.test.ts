import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtemp, readFile, readdir, rm, writeFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BuildOnceService } from "../../../src/artifacts/build-once.js";
import { ArtifactError } from "../../../src/artifacts/errors.js";
import type { ArtifactAction } from "../../../src/model/playbook.js";
import type { RunEvent } from "../../../src/model/events.js";
import type { Transport } from "../../../src/transport/transport.js";
import { ShellHost, ctxFor, scopeFor } from "./shell-host.js";

let dir: string;
let hosts: Map<string, Transport>;
let shell: (h: string) => ShellHost;
const KERNELS: Record<string, string> = { n1: "3.10.0-957.el7.x86_64", n2: "3.10.0-957.el7.x86_64", n3: "3.10.0-1160.el7.x86_64", n4: "3.10.0-1160.el7.x86_64", n5: "3.10.0-957.el7.x86_64", n6: "3.10.0-1160.el7.x86_64", b1: "5.4.0-builder" };
const groups = { all: Object.keys(KERNELS), builders: ["b1"], nodes: ["n1", "n2", "n3", "n4", "n5", "n6"] };
const NODES = groups.nodes;

// the build leaves a line per run in the builder's builds.log and a module naming the TARGET's kernel
const kpatch: ArtifactAction = {
  kind: "artifact",
  name: "livepatch-route.ko",
  key: ["{{ facts.kernel }}", "{{ facts.arch }}"],
  builder: "builders",
  build: [`echo {{ facts.kernel }} >> "$HOST_ROOT/builds.log"`, `sleep 0.3; printf 'module for %s built in %s\\n' {{ facts.kernel }} "$REMEDY_WORKDIR" > livepatch-route.ko`],
  output: "livepatch-route.ko",
  dest: "/var/lib/kpatch/{{ facts.kernel }}/livepatch-route.ko",
  mode: "0600",
  timeoutSec: 30,
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "remedy-artifacts-"));
  hosts = new Map(Object.keys(KERNELS).map((h) => [h, new ShellHost(h, join(dir, "hosts", h))]));
  hosts.set("localhost", new ShellHost("localhost", join(dir, "hosts", "controller")));
  shell = (h) => hosts.get(h) as ShellHost;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const service = () => new BuildOnceService({ cacheDir: join(dir, "cache", "artifacts") });
const builds = async (h = "b1") => (await readFile(join(shell(h).root, "builds.log"), "utf8").catch(() => "")).split("\n").filter(Boolean);

async function deliverAll(svc: BuildOnceService, action: ArtifactAction, targets = NODES, vars: Record<string, unknown> = {}) {
  const events: RunEvent[] = [];
  const results = await Promise.allSettled(targets.map((h) => svc.deliver(ctxFor(h, hosts, events), action, scopeFor(h, KERNELS[h]!, groups, vars), hosts.get(h)!)));
  return { events, results, art: events.filter((e): e is Extract<RunEvent, { type: "artifact" }> => e.type === "artifact") };
}

describe("BuildOnceService.deliver", () => {
  it("6 hosts with 2 kernels reaching the action at once: exactly 2 builds, each node gets its own kernel's module", async () => {
    const svc = service();
    const { results, art } = await deliverAll(svc, kpatch);
    expect(results.map((r) => r.status)).toEqual(Array(6).fill("fulfilled"));
    expect(svc.builds).toBe(2);
    expect((await builds()).sort()).toEqual(["3.10.0-1160.el7.x86_64", "3.10.0-957.el7.x86_64"]);
    for (const h of NODES) {
      const body = await readFile(shell(h).path(`/var/lib/kpatch/${KERNELS[h]}/livepatch-route.ko`), "utf8");
      expect(body).toMatch(new RegExp(`^module for ${KERNELS[h]!.replace(/\./g, "\\.")} built in /`));
      expect((await stat(shell(h).path(`/var/lib/kpatch/${KERNELS[h]}/livepatch-route.ko`))).mode & 0o777).toBe(0o600);
    }
    expect(art.filter((e) => e.source === "build")).toHaveLength(2);
    expect(art.filter((e) => e.source === "cache")).toHaveLength(4);
    expect(new Set(art.map((e) => e.builder))).toEqual(new Set(["b1"]));
    // a build never runs on a target, and the builder's work dirs are gone
    for (const h of NODES) {
      expect(shell(h).commands).toEqual([]);
      expect(shell(h).mkdirs).toEqual([`/var/lib/kpatch/${KERNELS[h]}`]);
    }
    expect(await readdir(join(shell("b1").root, "tmp"))).toEqual([]);
  });

  it("a second run with the same keys reuses the cache: no build, same bytes", async () => {
    await deliverAll(service(), kpatch);
    const first = await builds();
    await rm(join(dir, "hosts", "n1", "fs"), { recursive: true });
    const svc = service();
    const { art, results } = await deliverAll(svc, kpatch);
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    expect(svc.builds).toBe(0);
    expect(await builds()).toEqual(first);
    expect(art.map((e) => e.source)).toEqual(Array(6).fill("cache"));
    expect(await readFile(shell("n1").path(`/var/lib/kpatch/${KERNELS.n1}/livepatch-route.ko`), "utf8")).toContain(`module for ${KERNELS.n1}`);
    const meta = JSON.parse(await readFile(join(svc.cache.entryDir(art[0]!.key), "meta.json"), "utf8"));
    expect(meta).toMatchObject({ name: "livepatch-route.ko", builder: "b1", key: [expect.stringMatching(/^3\.10\.0-/), "x86_64"], builderFacts: { arch: expect.any(String) } });
    expect(meta.build[1]).toContain("printf");
  });

  it("a corrupted cache entry is rebuilt with a warning", async () => {
    const { art } = await deliverAll(service(), kpatch, ["n1"]);
    const key = art[0]!.key;
    const svc = service();
    await writeFile(join(svc.cache.entryDir(key), "artifact"), "bit rot\n");
    const events: RunEvent[] = [];
    const r = await svc.deliver(ctxFor("n2", hosts, events), kpatch, scopeFor("n2", KERNELS.n2!, groups), hosts.get("n2")!);
    expect(r.source).toBe("build");
    expect(svc.builds).toBe(1);
    expect(await builds()).toHaveLength(2);
    const warn = events.find((e) => e.type === "warning");
    expect(warn && "message" in warn ? warn.message : "").toMatch(/cache entry [0-9a-f]{12} is corrupt \(.*sha256.*\); rebuilding/);
    expect(await readFile(join(svc.cache.entryDir(key), "artifact"), "utf8")).toContain("module for");
    expect((await service().cache.lookup(key)).state).toBe("hit");
  });

  it("a failed build names the builder, the command and stderr; hosts sharing the key fail without a second try", async () => {
    const bad: ArtifactAction = { ...kpatch, build: [`echo {{ facts.kernel }} >> "$HOST_ROOT/builds.log"`, "echo 'ERROR: kernel-debuginfo not installed' >&2; exit 2", "echo never > x"] };
    const svc = service();
    const { results } = await deliverAll(svc, bad, ["n1", "n2"]);
    expect(svc.builds).toBe(1);
    expect(await builds()).toHaveLength(1);
    const msgs = results.map((r) => (r.status === "rejected" ? (r.reason as Error).message : "ok"));
    expect(msgs[0]).toBe("artifact livepatch-route.ko: build on b1 failed: `echo 'ERROR: kernel-debuginfo not installed' >&2; exit 2` exited 2: ERROR: kernel-debuginfo not installed");
    expect(msgs[1]).toMatch(/^artifact livepatch-route\.ko: build on b1 failed: .* \(shared build for key [0-9a-f]{12}\)$/);
    expect(results.every((r) => r.status === "rejected" && r.reason instanceof ArtifactError)).toBe(true);
    expect(shell("b1").commands.some((c) => c.includes("echo never"))).toBe(false);
    expect(await readdir(join(shell("b1").root, "tmp"))).toEqual([]);
    // nothing half-written in the cache
    expect((await readdir(svc.cache.dir)).filter((n) => !n.startsWith("."))).toEqual([]);
    expect(await readdir(svc.cache.dir)).toEqual([]);
  });

  it("a build without the output file says which path was missing", async () => {
    const svc = service();
    await expect(svc.deliver(ctxFor("n1", hosts, []), { ...kpatch, output: "out/missing.ko" }, scopeFor("n1", KERNELS.n1!, groups), hosts.get("n1")!)).rejects.toThrow(
      /artifact livepatch-route\.ko: the build on b1 succeeded but produced no readable \/.*remedy-artifact\.\w+\/out\/missing\.ko/,
    );
  });

  it("a corrupted download is refused and not cached", async () => {
    const svc = service();
    shell("b1").corruptNextGet = Buffer.from("truncated");
    await expect(svc.deliver(ctxFor("n1", hosts, []), kpatch, scopeFor("n1", KERNELS.n1!, groups), hosts.get("n1")!)).rejects.toThrow(/download of .*livepatch-route\.ko from b1 is corrupt/);
    expect(await readdir(svc.cache.dir)).toEqual([]);
  });

  it("exports $REMEDY_WORKDIR as the cwd; builder self builds on the target; controller builds on localhost", async () => {
    const a: ArtifactAction = { ...kpatch, key: ["x"], builder: "self", build: ['test "$PWD" = "$REMEDY_WORKDIR" && echo "$HOST_NAME" > who'], output: "who", dest: "/who", mode: undefined };
    const svc = service();
    const r = await svc.deliver(ctxFor("n3", hosts, []), a, scopeFor("n3", KERNELS.n3!, groups), hosts.get("n3")!);
    expect(r.source).toBe("build");
    expect(await readFile(shell("n3").path("/who"), "utf8")).toBe("n3\n");
    const c = await svc.deliver(ctxFor("n4", hosts, []), { ...a, key: ["y"], builder: "controller" }, scopeFor("n4", KERNELS.n4!, groups), hosts.get("n4")!);
    expect(c.source).toBe("build");
    expect(await readFile(shell("n4").path("/who"), "utf8")).toBe("localhost\n");
  });

  it("an absolute output path is collected as is", async () => {
    const out = join(dir, "abs-out.bin");
    const a: ArtifactAction = { ...kpatch, key: ["abs"], build: [`printf abc > ${out}`], output: out, dest: "/bin/x", mode: "0755" };
    const r = await service().deliver(ctxFor("n1", hosts, []), a, scopeFor("n1", KERNELS.n1!, groups), hosts.get("n1")!);
    expect(r.sha256).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("BuildOnceService.preview (check/plan)", () => {
  it("reports would_build on the builder without running anything, then would_use_cache once cached", async () => {
    const events: RunEvent[] = [];
    const svc = service();
    const p = await Promise.all(NODES.map((h) => svc.preview(ctxFor(h, hosts, events), kpatch, scopeFor(h, KERNELS[h]!, groups))));
    expect(p.map((x) => x.source)).toEqual(Array(6).fill("would_build"));
    expect(new Set(p.map((x) => x.key)).size).toBe(2);
    expect(p.every((x) => x.builder === "b1")).toBe(true);
    for (const t of hosts.values()) expect((t as ShellHost).commands).toEqual([]);
    expect(svc.builds).toBe(0);
    expect(events.filter((e) => e.type === "artifact").map((e) => (e as { source: string }).source)).toEqual(Array(6).fill("would_build"));

    await deliverAll(service(), kpatch, ["n1"]);
    const again = await Promise.all(NODES.map((h) => service().preview(ctxFor(h, hosts, []), kpatch, scopeFor(h, KERNELS[h]!, groups))));
    expect(again.map((x) => x.source)).toEqual(NODES.map((h) => (KERNELS[h] === KERNELS.n1 ? "would_use_cache" : "would_build")));
    expect(await builds()).toHaveLength(1);
  });
});
