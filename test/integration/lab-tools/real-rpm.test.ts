// Part 5 of issue 15, partial (src/lab/rpm/README.md): real .rpm kernel packages built with rpmbuild, served by
// createrepo_c, installed into a lab node root by Debian's real dnf. The packages' own scriptlets, run chrooted in
// the node, call the node's new-kernel-pkg / kernel-install, which add the boot entry.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo } from "../../../src/lab/rpm/build.js";
import { baseSpec, kernelSpec } from "../../../src/lab/rpm/specs.js";
import { host, requireTool } from "./contract/contract.js";
import { NodeFactory } from "./node-root.js";

let factory: NodeFactory;
let cache: string;
beforeAll(() => {
  for (const [b, p] of [["rpmbuild", "rpm"], ["createrepo_c", "createrepo-c"], ["dnf", "dnf"]] as const) requireTool(b, p);
  cache = mkdtempSync(join(tmpdir(), "remedy-rpm-cache-"));
  factory = new NodeFactory();
});
afterAll(async () => {
  await factory?.close();
  if (cache) rmSync(cache, { recursive: true, force: true });
});

async function dnfInstall(root: string, repo: string, releasever: string, pkgs: string[]) {
  const reposdir = mkdtempSync(join(tmpdir(), "remedy-reposdir-"));
  writeFileSync(join(reposdir, "lab.repo"), `[lab]\nname=lab\nbaseurl=file://${repo}\ngpgcheck=0\nenabled=1\n`);
  mkdirSync(join(root, "var/log"), { recursive: true });
  const r = await host(`dnf -y -q --installroot=${root} --setopt=reposdir=${reposdir} --releasever=${releasever} --disablerepo='*' --enablerepo=lab --setopt=install_weak_deps=0 install ${pkgs.join(" ")}`);
  rmSync(reposdir, { recursive: true, force: true });
  return r;
}

describe("real rpm packages (partial: host-side dnf into a node root)", () => {
  it("EL7 kernel-ml: %post new-kernel-pkg adds the grub.cfg entry; the default stays (DEFAULTKERNEL=kernel)", async () => {
    const repo = buildRepo(cache, [baseSpec("el7"), kernelSpec("el7", "kernel-ml", "4.19.12", "1.el7.elrepo")]);
    expect(buildRepo(cache, [baseSpec("el7"), kernelSpec("el7", "kernel-ml", "4.19.12", "1.el7.elrepo")])).toBe(repo); // cached
    const n = await factory.node("el7");
    const r = await dnfInstall(n.root, repo, "7", ["lab-filesystem", "kernel-ml"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/scriptlet/i);
    expect((await host(`rpm --root ${n.root} -q kernel-ml`)).stdout).toBe("kernel-ml-4.19.12-1.el7.elrepo.x86_64\n");
    expect((await n.run("grep -c 'linux16 /vmlinuz-4.19.12-1.el7.elrepo.x86_64 ' /boot/grub2/grub.cfg; grubby --default-kernel")).stdout).toBe("1\n/boot/vmlinuz-3.10.0-957.el7.x86_64\n");
  });

  it("EL9 kernel-lt-core: %posttrans kernel-install adds the BLS entry", async () => {
    const repo = buildRepo(cache, [baseSpec("el9"), kernelSpec("el9", "kernel-lt", "6.1.112", "1.el9.elrepo")]);
    const n = await factory.node("el9");
    const r = await dnfInstall(n.root, repo, "9", ["lab-filesystem", "kernel-lt-core"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/scriptlet/i);
    const mid = (await n.run("cat /etc/machine-id")).stdout.trim();
    expect((await n.run(`sed -n 's/^linux //p' /boot/loader/entries/${mid}-6.1.112-1.el9.elrepo.x86_64.conf`)).stdout).toBe("/vmlinuz-6.1.112-1.el9.elrepo.x86_64\n");
  });
});
