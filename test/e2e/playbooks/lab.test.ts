// The shipped playbooks on lab nodes (one CentOS 7.6, one Rocky 9.1; real sshd, simulated tools):
// check on a fresh lab exits 2 and changes nothing, apply --yes exits 0, a second check exits 0; after
// all of them, this machine is as it was before (issue 3 acceptance 4).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startLab, type TestLab } from "../../helpers/lab.js";
import { cli } from "../../helpers/cli.js";
import { machineSnapshot } from "../../helpers/machine-state.js";
import { rebootAndWait } from "../../helpers/reboot.js";

const PB = (name: string) => fileURLToPath(new URL(`../../../playbooks/${name}.yml`, import.meta.url));
const EL7 = "el7-node01";
const EL9 = "el9-node01";
// state a check must never touch (live and persistent); /.lab and run records are the lab's/engine's own
const WATCHED = "/etc /boot /usr/local /var/lib/kpatch /var/lib/lab-kube /run/lab/ethtool /run/lab/units /sys/module /sys/kernel/livepatch /proc/sys/kernel /proc/sys/fs";

let lab: TestLab;
let work: string;
const machineBefore = machineSnapshot();
/** playbooks this file applied (the last test holds every shipped one to have been applied) */
const applied = new Set<string>();

beforeAll(async () => {
  lab = await startLab({ el7: 1, el9: 1 });
  work = mkdtempSync(join(tmpdir(), "remedy-pb-e2e-"));
  process.env.REMEDY_CACHE_DIR = join(work, "cache");
}, 120_000);
afterAll(async () => {
  await lab?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const run = (cmd: "check" | "apply", pb: string, extra: string[] = []) => {
  if (cmd === "apply") applied.add(pb);
  return cli([cmd, PB(pb), "-i", lab.inventoryPath, ...(cmd === "apply" ? ["--yes"] : []), ...extra], { cwd: work });
};

async function snapshot(node: string): Promise<string> {
  const r = await lab.exec(node, `find ${WATCHED} -xdev -type f 2>/dev/null | grep -v '/boot_id$\\|/uuid$' | sort | xargs -r sha256sum`);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** The acceptance of the issue for one playbook: check → 2 and nothing changed; apply → 0; check → 0. */
async function acceptance(pb: string, extra: string[] = []): Promise<void> {
  const before = [await snapshot(EL7), await snapshot(EL9)];
  const c1 = await run("check", pb, extra);
  expect(c1.code, `${pb} first check\n${c1.stdout}\n${c1.stderr}`).toBe(2);
  expect([await snapshot(EL7), await snapshot(EL9)], `${pb}: the check changed node state`).toEqual(before);
  const a = await run("apply", pb, extra);
  expect(a.code, `${pb} apply\n${a.stdout}\n${a.stderr}`).toBe(0);
  const c2 = await run("check", pb, extra);
  expect(c2.code, `${pb} second check\n${c2.stdout}\n${c2.stderr}`).toBe(0);
}

describe("playbooks on the lab", () => {
  it("ethtool-offload: GRO/GSO off live and persisted; still off after a reboot", async () => {
    await acceptance("ethtool-offload");
    expect((await lab.exec(EL7, "grep ETHTOOL_OPTS /etc/sysconfig/network-scripts/ifcfg-eth0")).stdout).toContain('ETHTOOL_OPTS="-K eth0 gro off gso off"');
    expect((await lab.exec(EL9, "cat /etc/NetworkManager/system-connections/*.nmconnection")).stdout).toMatch(/feature-gro=false/);
    await rebootAndWait(lab, [EL7, EL9]);
    const c = await run("check", "ethtool-offload");
    expect(c.code, c.stdout).toBe(0);
  }, 300_000);

  it("netconsole: refuses without a collector; with one, configured, enabled and loaded", async () => {
    const refuse = await run("apply", "netconsole");
    expect(refuse.code).toBe(4); // a required input: refused before connecting (issue 13)
    expect(refuse.stdout + refuse.stderr).toContain('input "netconsole_target" is required but empty');
    await acceptance("netconsole", ["-e", "netconsole_target=10.20.30.40"]);
    expect((await lab.exec(EL7, "cat /etc/sysconfig/netconsole")).stdout).toMatch(/^SYSLOGPORT=6666$/m);
    expect((await lab.exec(EL9, "rpm -q netconsole-service")).code).toBe(0);
  }, 300_000);

  it("sysctl-revert: nothing to do on a fresh lab; refuses while runc < rc94; reverts drop-in, sysctl.conf line and live value", async () => {
    expect((await run("check", "sysctl-revert")).code).toBe(0);
    await lab.exec(EL7, "printf 'fs.pipe-user-pages-soft = 163840\\n' >/etc/sysctl.d/99-pipe-workaround.conf; echo 'fs.pipe-user-pages-soft=163840' >>/etc/sysctl.conf; echo 163840 >/proc/sys/fs/pipe-user-pages-soft");
    const refuse = await run("apply", "sysctl-revert", ["-l", EL7]);
    expect(refuse.code).toBe(1);
    expect(refuse.stdout + refuse.stderr).toMatch(/older than 1\.0\.0-rc94: the fs\.pipe-user-pages-soft workaround is still needed/);
    expect((await lab.exec(EL7, "cat /proc/sys/fs/pipe-user-pages-soft")).stdout.trim()).toBe("163840");
    // a runc that is new enough (stands in for runc-upgrade.yml's result)
    await lab.exec(EL7, "printf '#!/bin/sh\\necho \"runc version 1.1.1\"\\n' >/root/runc-1.1.1; chmod 755 /root/runc-1.1.1");
    const extra = ["-l", EL7, "-e", "runc_path=/root/runc-1.1.1"];
    expect((await run("check", "sysctl-revert", extra)).code).toBe(2);
    const a = await run("apply", "sysctl-revert", extra);
    expect(a.code, a.stdout).toBe(0);
    expect((await run("check", "sysctl-revert", extra)).code).toBe(0);
    expect((await lab.exec(EL7, "cat /proc/sys/fs/pipe-user-pages-soft")).stdout.trim()).toBe("16384");
    expect((await lab.exec(EL7, "ls /etc/sysctl.d; grep -c pipe-user-pages-soft /etc/sysctl.conf")).stdout).not.toContain("99-pipe-workaround.conf");
  }, 300_000);

});

// These build an artifact on the node itself (builder self), cache it on the controller and copy it back.
describe("artifact playbooks on the lab", () => {
  it("kpatch-route: livepatch_route [enabled] on the EL7 3.10 node, EL9 skipped", async () => {
    await acceptance("kpatch-route");
    expect((await lab.ssh(EL7, "/usr/local/sbin/kpatch list")).stdout).toMatch(/^livepatch_route \[enabled\]$/m);
  }, 600_000);

  it("runc-nokmem: docker-runc is the nokmem rc9 build, the original is kept", async () => {
    await acceptance("runc-nokmem");
    expect((await lab.exec(EL7, "/usr/bin/docker-runc --version")).stdout).toMatch(/^runc version 1\.0\.0-rc9$/m);
    expect((await lab.exec(EL7, "test -x /usr/bin/docker-runc.remedy-orig")).code).toBe(0);
  }, 600_000);

  it("runc-upgrade: rc93 → 1.1.1", async () => {
    await lab.exec(
      EL7,
      `source /opt/lab/base/tools/lib/common.sh; source $LAB_T/lib/kmem.sh; source $LAB_T/lib/runc.sh
       write_runc /usr/bin/runc 1.0.0-rc93 12644e614e25b05da6fd08a38ffa0cfe1903fdec 1.0.2-dev go1.13.15 2.3.1 "seccomp selinux apparmor"
       printf 'server_version=20.10.6\\ndefault_runtime=runc\\ncgroup_driver=cgroupfs\\n' >/var/lib/lab/docker/config`,
    );
    await acceptance("runc-upgrade");
    expect((await lab.exec(EL7, "/usr/bin/runc --version")).stdout).toMatch(/^runc version 1\.1\.1$/m);
  }, 600_000);
});

// last: it moves the EL7 node off 3.10 (kpatch-route would then rightly skip it)
describe("kernel upgrade on the lab", () => {
  it("kernel-upgrade: drains, reboots into the ELRepo kernel, uncordons", async () => {
    const boot = async (n: string) => (await lab.exec(n, "cat /proc/sys/kernel/random/boot_id")).stdout.trim();
    const before = [await boot(EL7), await boot(EL9)];
    await acceptance("kernel-upgrade");
    expect((await lab.exec(EL7, "uname -r")).stdout.trim()).toBe("4.19.12-1.el7.elrepo.x86_64");
    expect((await lab.exec(EL9, "uname -r")).stdout.trim()).toBe("6.1.112-1.el9.elrepo.x86_64");
    // installed by the real dnf (EL7: behind the yum front) into each node's own rpm database (issue 15)
    expect((await lab.exec(EL7, "rpm -q kernel-ml; test -s /var/lib/dnf/history.sqlite && echo dnf-history")).stdout).toBe("kernel-ml-4.19.12-1.el7.elrepo.x86_64\ndnf-history\n");
    expect((await lab.exec(EL9, "rpm -q kernel-lt-core-6.1.112; test -s /var/lib/dnf/history.sqlite && echo dnf-history")).stdout).toBe("kernel-lt-core-6.1.112-1.el9.elrepo.x86_64\ndnf-history\n");
    expect(await boot(EL7)).not.toBe(before[0]);
    expect(await boot(EL9)).not.toBe(before[1]);
    const kube = await lab.exec(EL7, "cat /var/lib/lab-kube/nodes/el7-node01 /var/lib/lab-kube/nodes/el9-node01");
    expect(kube.stdout).not.toContain("unschedulable=true");
  }, 600_000);

  it("every shipped playbook was applied above, and this machine is untouched (sysctls, offloads, /boot, sysctl.d, modules, boot id)", () => {
    const shipped = readdirSync(fileURLToPath(new URL("../../../playbooks", import.meta.url)))
      .filter((f) => f.endsWith(".yml"))
      .map((f) => f.replace(/\.yml$/, ""));
    expect(shipped.length).toBeGreaterThanOrEqual(7);
    expect(shipped.filter((b) => !applied.has(b)), "shipped playbooks this file never applied").toEqual([]);
    expect(machineSnapshot()).toEqual(machineBefore);
  });
});
