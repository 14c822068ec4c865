// Build once, distribute on the lab: 6 EL7 nodes on two running kernels, an EL9 builder, real sshd.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, type TestLab } from "../../helpers/lab.js";
import { TRANSPORT_READY, artifactEvents, remedy } from "./cli-io.js";
import { sleep } from "../../helpers/wait.js";

const OLD = "3.10.0-957.el7.x86_64";
const LT = "4.4.248-1.el7.elrepo.x86_64";
const TARGETS = ["el7-node01", "el7-node02", "el7-node03", "el7-node04", "el7-node05", "el7-node06"];
const ON_LT = new Set(["el7-node04", "el7-node05", "el7-node06"]);
const BUILDER = "el9-node01";
const FIX = "test/fixtures/artifacts";

describe.skipIf(!TRANSPORT_READY)("artifacts on the lab: build once per key, distribute", () => {
  let lab: TestLab;
  let cache: string;
  let env: NodeJS.ProcessEnv;
  const args = (cmd: string, pb: string, ...more: string[]) => [cmd, `${FIX}/${pb}`, "-i", lab.inventoryPath, "--known-hosts", lab.knownHostsPath, "--json", ...more];
  const invocations = async (node: string, tool: string) =>
    (await lab.exec(node, "cat /.lab/invocations.log 2>/dev/null")).stdout.split("\n").filter((l) => l.split(" ")[1] === tool);
  const must = async (node: string, cmd: string) => {
    const r = await lab.ssh(node, cmd);
    if (r.code !== 0) throw new Error(`${node}: ${cmd}: exit ${r.code}: ${r.stderr}`);
    return r.stdout;
  };

  beforeAll(async () => {
    cache = mkdtempSync(join(tmpdir(), "remedy-artifact-lab-cache-"));
    env = { ...process.env, REMEDY_CACHE_DIR: cache, REMEDY_TEST_TRACE: process.env.REMEDY_TEST_TRACE ?? "" };
    lab = await startLab({ el7: 6, el9: 1 });
    // three nodes boot kernel-lt: install it, make it the default, reboot, wait for the new kernel
    await Promise.all(
      [...ON_LT].map(async (n) => {
        await must(n, `yum -q -y --enablerepo=elrepo-kernel install kernel-lt >/dev/null && grubby --set-default /boot/vmlinuz-${LT} && reboot`);
        for (let i = 0; ; i++) {
          await sleep(300);
          const r = await lab.ssh(n, "uname -r");
          if (r.code === 0 && r.stdout.trim() === LT) break;
          if (i > 100) throw new Error(`${n} did not come back on ${LT}`);
        }
      }),
    );
    // production-like targets: no build tools at all
    await Promise.all(TARGETS.map((n) => must(n, "yum -q -y remove git make >/dev/null; ! command -v go && ! command -v git && ! command -v make && ! command -v kpatch-build")));
    // the builder: toolchain, kpatch-build from source, the kernel-devel/debuginfo trees of both target kernels
    // (foreign kernels' trees are not in the builder's repos, so they are laid out by hand)
    await must(
      BUILDER,
      `yum -q -y install gcc elfutils-devel golang libseccomp-devel >/dev/null && git clone -q https://github.com/dynup/kpatch 2>/dev/null && make -C kpatch install >/dev/null && ` +
        [OLD, LT].map((k) => `mkdir -p /usr/src/kernels/${k} /usr/lib/debug/lib/modules/${k} && echo 'Linux version ${k}' > /usr/lib/debug/lib/modules/${k}/vmlinux`).join(" && "),
    );
    await lab.exec(BUILDER, ": > /.lab/invocations.log");
  }, 240_000);
  afterAll(async () => {
    await lab?.stop();
    rmSync(cache, { recursive: true, force: true });
  });

  it("check lists every node's module as to be built on the builder and builds nothing", async () => {
    const r = await remedy(args("check", "kpatch-route.yml"), env);
    expect(r.code, r.err).toBe(2);
    const art = artifactEvents(r);
    expect(art.map((e) => `${e.host} ${e.source} ${e.builder}`).sort()).toEqual(TARGETS.map((h) => `${h} would_build ${BUILDER}`));
    expect(new Set(art.map((e) => e.key)).size).toBe(2);
    expect(await invocations(BUILDER, "kpatch-build")).toEqual([]);
  });

  it("apply runs kpatch-build exactly twice and every node loads the module of its own kernel", async () => {
    const r = await remedy(args("apply", "kpatch-route.yml", "--yes"), env);
    expect(r.code, r.err + r.out.slice(-3000)).toBe(0);
    const builds = await invocations(BUILDER, "kpatch-build");
    expect(builds).toHaveLength(2);
    expect(builds.map((l) => l.split(" ")[3]).sort()).toEqual([OLD, LT]);
    const art = artifactEvents(r);
    expect(art.filter((e) => e.source === "build")).toHaveLength(2);
    expect(art.filter((e) => e.source === "cache")).toHaveLength(4);
    for (const n of TARGETS) {
      const k = ON_LT.has(n) ? LT : OLD;
      expect(await must(n, "uname -r")).toBe(`${k}\n`);
      expect(await must(n, `grep ^vermagic= /var/lib/kpatch/${k}/livepatch-route.ko`)).toMatch(new RegExp(`^vermagic=${k.replace(/\./g, "\\.")} `));
      expect(await must(n, "kpatch list")).toContain("livepatch_route [enabled]");
      expect(await must(n, `stat -c '%a %U' /var/lib/kpatch/${k}/livepatch-route.ko`)).toBe("644 root\n");
    }
    // no work dir left on the builder
    expect((await lab.exec(BUILDER, "ls /tmp | grep -c remedy-artifact || true")).stdout.trim()).toBe("0");
    const list = await remedy(["cache", "list", "--json"], env);
    const rows = JSON.parse(list.out).artifacts as Array<{ name: string; keyValues: string[] }>;
    expect(rows.map((x) => x.keyValues[0]).sort()).toEqual([OLD, LT]);
  });

  it("a second apply (modules unloaded) takes both modules from the cache: no build", async () => {
    await Promise.all(TARGETS.map((n) => must(n, "kpatch unload livepatch_route >/dev/null")));
    const c = await remedy(args("check", "kpatch-route.yml"), env);
    expect(artifactEvents(c).map((e) => e.source)).toEqual(Array(6).fill("would_use_cache"));
    const r = await remedy(args("apply", "kpatch-route.yml", "--yes"), env);
    expect(r.code, r.err).toBe(0);
    expect(artifactEvents(r).map((e) => e.source)).toEqual(Array(6).fill("cache"));
    expect(await invocations(BUILDER, "kpatch-build")).toHaveLength(2);
    for (const n of TARGETS) expect(await must(n, "kpatch list")).toContain("livepatch_route [enabled]");
  });

  it("runc is built once for all nodes; nodes without go/git/make get the binary", async () => {
    const r = await remedy(args("apply", "runc.yml", "--yes"), env);
    expect(r.code, r.err + r.out.slice(-3000)).toBe(0);
    expect(await invocations(BUILDER, "git")).toHaveLength(1);
    expect(await invocations(BUILDER, "make")).toHaveLength(1);
    expect(artifactEvents(r).filter((e) => e.source === "build")).toHaveLength(1);
    for (const n of TARGETS) {
      expect((await must(n, "/usr/local/sbin/runc --version")).split("\n")[0]).toBe("runc version 1.1.1");
      expect((await lab.ssh(n, "command -v go || command -v git || command -v make")).code).not.toBe(0);
    }
    const again = await remedy(args("apply", "runc.yml", "--yes"), env);
    expect(again.code).toBe(0);
    expect(artifactEvents(again)).toEqual([]); // compliant everywhere: nothing to deliver
    expect(await invocations(BUILDER, "make")).toHaveLength(1);
  });
});
