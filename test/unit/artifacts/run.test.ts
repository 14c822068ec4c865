// The engine + artifact service together: check previews, apply builds once per key, rollback on a failed build.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runPlaybook } from "../../../src/engine/runner.js";
import { exitCodeForRun } from "../../../src/cli/exit-codes.js";
import { loadPlaybook } from "../../../src/playbook/index.js";
import { BuildOnceService } from "../../../src/artifacts/build-once.js";
import type { Connector } from "../../../src/engine/connector.js";
import type { ExecOptions, ExecResult } from "../../../src/transport/transport.js";
import type { RunEvent } from "../../../src/model/events.js";
import type { Mode } from "../../../src/model/events.js";
import { instantClock } from "../../helpers/fake-host.js";
import { ShellHost } from "./shell-host.js";

/** A ShellHost whose facts claim a given running kernel (the build itself runs for real). */
class KernelHost extends ShellHost {
  constructor(host: string, root: string, readonly kernel: string) {
    super(host, root);
  }
  override exec(command: string, o?: ExecOptions): Promise<ExecResult> {
    if (command.includes("os_release=")) {
      return Promise.resolve({ exitCode: 0, durationMs: 1, stderr: "", stdout: `hostname=${this.host}\nos_id=centos\nos_version=7.6.1810\nkernel=${this.kernel}\narch=x86_64\nboot_id=1\ncgroup_version=1\n` });
    }
    return super.exec(command, o);
  }
}

const KERNELS: Record<string, string> = { n1: "3.10.0-957.el7.x86_64", n2: "3.10.0-957.el7.x86_64", n3: "3.10.0-1160.el7.x86_64", n4: "3.10.0-1160.el7.x86_64", n5: "3.10.0-957.el7.x86_64", n6: "3.10.0-1160.el7.x86_64", b1: "5.14.0-162.el9.x86_64" };
const NODES = ["n1", "n2", "n3", "n4", "n5", "n6"];
let dir: string;
let hosts: Map<string, KernelHost>;

const playbook = (build: string) => `
name: live patch
hosts: nodes
steps:
  - name: Live patch the fnhe race
    check:
      run: test -f "$HOST_ROOT"/fs/var/lib/kpatch/{{ facts.kernel }}/livepatch-route.ko
    apply:
      - artifact:
          name: livepatch-route.ko
          key: ["{{ facts.kernel }}", "{{ facts.arch }}"]
          builder: builders
          build:
            - echo {{ facts.kernel }} >> "$HOST_ROOT/builds.log"
            - ${JSON.stringify(build)}
          output: livepatch-route.ko
          dest: /var/lib/kpatch/{{ facts.kernel }}/livepatch-route.ko
          mode: "0600"
    rollback:
      - echo rolled back > "$HOST_ROOT/rolled-back"
`;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "remedy-artifact-run-"));
  hosts = new Map(Object.entries(KERNELS).map(([h, k]) => [h, new KernelHost(h, join(dir, "hosts", h), k)]));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(mode: Mode, build = "sleep 0.2; echo module for {{ facts.kernel }} > livepatch-route.ko") {
  await writeFile(join(dir, "pb.yml"), playbook(build));
  const pb = await loadPlaybook(join(dir, "pb.yml"));
  const connector: Connector = { get: async (h) => hosts.get(h)!, reconnect: async (h) => hosts.get(h)!, closeAll: async () => undefined };
  const events: RunEvent[] = [];
  const artifacts = new BuildOnceService({ cacheDir: join(dir, "cache") });
  const result = await runPlaybook({
    mode, playbook: pb, hosts: NODES, varsFor: () => ({}), groups: { all: Object.keys(KERNELS), nodes: NODES, builders: ["b1"] },
    connector, emit: (e) => events.push(e), signal: new AbortController().signal, clock: instantClock, forks: 10, artifacts,
  });
  const art = events.filter((e): e is Extract<RunEvent, { type: "artifact" }> => e.type === "artifact");
  return { result, events, art, artifacts };
}
const buildsLog = async () => (await readFile(join(dir, "hosts", "b1", "builds.log"), "utf8").catch(() => "")).split("\n").filter(Boolean);

describe("artifact actions in a run", () => {
  it("check lists would_build per host and builds nothing; apply builds once per kernel; check then reports cached and compliant", async () => {
    const c = await run("check");
    expect(exitCodeForRun(c.result.summary)).toBe(2);
    expect(c.art.map((e) => `${e.host}:${e.source}:${e.builder}`).sort()).toEqual(NODES.map((h) => `${h}:would_build:b1`));
    expect(await buildsLog()).toEqual([]);
    expect(hosts.get("b1")!.commands).toEqual([]);
    const n1End = c.events.find((e): e is Extract<RunEvent, { type: "step_end" }> => e.type === "step_end" && e.host === "n1");
    expect(n1End?.commands).toEqual([`artifact livepatch-route.ko -> /var/lib/kpatch/${KERNELS.n1}/livepatch-route.ko (built on builders, key ${KERNELS.n1} x86_64)`]);

    const a = await run("apply");
    expect(a.result.summary.hosts.map((h) => h.status)).toEqual(Array(6).fill("changed"));
    expect((await buildsLog()).sort()).toEqual(["3.10.0-1160.el7.x86_64", "3.10.0-957.el7.x86_64"]);
    expect(a.art.filter((e) => e.source === "build")).toHaveLength(2);
    for (const h of NODES) expect(await readFile(hosts.get(h)!.path(`/var/lib/kpatch/${KERNELS[h]}/livepatch-route.ko`), "utf8")).toBe(`module for ${KERNELS[h]}\n`);

    // nodes lost the file (e.g. reinstalled): apply again reuses the cache, no build
    await rm(join(dir, "hosts", "n3", "fs"), { recursive: true });
    const c2 = await run("check");
    expect(c2.art.map((e) => `${e.host}:${e.source}`)).toEqual(["n3:would_use_cache"]);
    const a2 = await run("apply");
    expect(a2.art.map((e) => `${e.host}:${e.source}`)).toEqual(["n3:cache"]);
    expect(await buildsLog()).toHaveLength(2);
  });

  it("a failed build fails the step with the builder's message and runs the rollback", async () => {
    const a = await run("apply", "echo 'make: *** [vmlinux] Error 2' >&2; false");
    expect(exitCodeForRun(a.result.summary)).toBe(1);
    expect(await buildsLog()).toHaveLength(2);
    const ends = a.events.filter((e): e is Extract<RunEvent, { type: "step_end" }> => e.type === "step_end");
    expect(ends).toHaveLength(6);
    for (const e of ends) {
      expect(e.status).toBe("failed");
      expect(e.message).toMatch(/^artifact livepatch-route\.ko: build on b1 failed: `echo 'make: \*\*\* \[vmlinux\] Error 2' >&2; false` exited 1: make: \*\*\* \[vmlinux\] Error 2.*; rollback ran and succeeded$/);
    }
    expect(await readFile(join(dir, "hosts", "n1", "rolled-back"), "utf8")).toBe("rolled back\n");
  });
});
