// kpatch as the EL7 package (0.6.1) and as built from source (0.9.11), and livepatch transitions that take time
// (variant kpatch_transition=<s>|never): dynup/kpatch v0.6.1 / v0.9.11 kpatch/kpatch load_module, print_patch_info.
// Real-time waits are kept to a few seconds; the 15 s / 60 s budgets themselves are covered by the lab e2e test.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeFactory, type TestNode } from "./node-root.js";

let factory: NodeFactory;
beforeAll(() => {
  factory = new NodeFactory();
});
afterAll(async () => {
  await factory?.close();
});

const KO = "printf 'lab kernel module (text, not ELF)\\nname=livepatch_route\\nvermagic=3.10.0-957.el7.x86_64 SMP mod_unload modversions \\nlivepatch=Y\\n' >/root/livepatch-route.ko";

async function ok(node: TestNode, cmd: string): Promise<string> {
  const r = await node.run(cmd);
  expect(r.code, `${cmd}: ${r.stderr}${r.stdout}`).toBe(0);
  return r.stdout;
}

async function el7(variant: string): Promise<TestNode> {
  const n = await factory.node("el7");
  if (variant) await ok(n, `/opt/lab/base/tools/lab-init el7 ${n.name} 10.0.0.7 ${variant} >/dev/null`);
  await ok(n, KO);
  return n;
}

describe("kpatch versions", () => {
  it("0.6.1 (EL7 package, /usr/sbin/kpatch) refuses to load a module that is already loaded and enabled", async () => {
    const n = await el7("kpatch=rpm");
    expect(await ok(n, "command -v kpatch; kpatch version")).toBe("/usr/sbin/kpatch\n0.6.1\n");
    await ok(n, "kpatch load /root/livepatch-route.ko");
    const again = await n.run("kpatch load /root/livepatch-route.ko");
    expect(again).toEqual({ code: 1, stdout: "", stderr: "kpatch: error: module named livepatch_route already loaded and enabled\n" });
  });

  it("0.9.11 (built from source) says so and succeeds", async () => {
    const n = await el7("");
    await ok(n, "ln -sfn /opt/lab/base/tools/kpatch /usr/local/sbin/kpatch");
    await ok(n, "kpatch load /root/livepatch-route.ko");
    const again = await n.run("kpatch load /root/livepatch-route.ko");
    expect(again).toEqual({ code: 0, stdout: "module named livepatch_route already loaded and enabled\n", stderr: "" });
  });

  it("unknown subcommands and help: usage on stderr, exit 1", async () => {
    const n = await el7("");
    await ok(n, "ln -sfn /opt/lab/base/tools/kpatch /usr/local/sbin/kpatch");
    const r = await n.run("kpatch frobnicate");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("subcommand frobnicate not recognized\n");
    expect(r.stderr).toMatch(/^usage: kpatch <command> \[<args>\]\n/);
  });
});

describe("livepatch transitions", () => {
  it("a pending transition: list shows [enabling...] and the stalled task, transition reads 1", async () => {
    const n = await el7("kpatch=rpm kpatch_transition=never");
    await ok(n, "insmod /root/livepatch-route.ko");
    const during = await ok(n, "kpatch list; cat /sys/kernel/livepatch/livepatch_route/transition");
    expect(during).toBe("Loaded patch modules:\nlivepatch_route [enabling...]\n\nStalled processes:\n1520 kubelet\n\nInstalled patch modules:\n1\n");
  });

  it("a 2 s transition: load waits for it and reports it complete", async () => {
    const n = await el7("kpatch=rpm kpatch_transition=2");
    const r = await n.run("kpatch load /root/livepatch-route.ko");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^loading patch module: \/root\/livepatch-route\.ko\nwaiting \(up to 15 seconds\) for patch transition to complete\.\.\.\ntransition complete \([0-3] seconds\)\n$/);
    expect(await ok(n, "kpatch list | head -2; cat /sys/kernel/livepatch/livepatch_route/transition")).toBe("Loaded patch modules:\nlivepatch_route [enabled]\n0\n");
  });

  it("at boot kpatch.service leaves a pending transition running; 0.9.11's list prints the stack", async () => {
    const n = await el7("kpatch_transition=never");
    await ok(n, "ln -sfn /opt/lab/base/tools/kpatch /usr/local/sbin/kpatch && mkdir -p /var/lib/kpatch/$(uname -r) && cp /root/livepatch-route.ko /var/lib/kpatch/$(uname -r)/");
    await ok(n, "sed 's#PREFIX#/usr/local#' /opt/lab/base/tools/data/kpatch.service >/usr/local/lib/systemd/system/kpatch.service && systemctl enable kpatch");
    const t0 = Date.now();
    const boot = await n.boot();
    expect(boot.code, boot.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const list = await ok(n, "kpatch list");
    expect(list).toMatch(/^Loaded patch modules:\nlivepatch_route \[enabling\.\.\.\]\n\nStalled processes:\n1520 kubelet\nstack:\n\[<0>\] /);
    // a disable reverses the pending transition at once
    await ok(n, "kpatch unload livepatch_route");
    expect(await ok(n, "kpatch list | head -2")).toBe("Loaded patch modules:\n\n");
  });
});
