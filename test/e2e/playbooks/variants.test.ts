// The shipped playbooks on node variants (issue 15): UEFI boot loaders (EL7 ESP grub.cfg, EL9 BLS + ESP stub), a NIC
// named ens18, and kpatch 0.6.1 with livepatch transitions that take 12 s or never end. Real reboots and real waits:
// the transition tests wait as long as kpatch-route's verify does (about 20 s), no longer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startLab, type TestLab } from "../../helpers/lab.js";
import { cli } from "../../helpers/cli.js";

const PB = (name: string) => fileURLToPath(new URL(`../../../playbooks/${name}.yml`, import.meta.url));
const EL7 = "el7-node01"; // firmware=uefi, iface=ens18, kpatch 0.6.1 package, 12 s livepatch transitions
const STUCK = "el7-node02"; // kpatch 0.6.1 package, livepatch transitions never complete
const EL9 = "el9-node01"; // firmware=uefi, iface=ens18

let lab: TestLab;
let work: string;

beforeAll(async () => {
  lab = await startLab({
    el7: 2,
    el9: 1,
    variants: {
      [EL7]: ["firmware=uefi", "iface=ens18", "kpatch=rpm", "kpatch_transition=12"],
      [STUCK]: ["kpatch=rpm", "kpatch_transition=never"],
      [EL9]: ["firmware=uefi", "iface=ens18"],
    },
  });
  work = mkdtempSync(join(tmpdir(), "remedy-pb-variants-"));
  process.env.REMEDY_CACHE_DIR = join(work, "cache");
}, 180_000);
afterAll(async () => {
  await lab?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** pb: a shipped playbook's name, or a path (a test's copy of one) */
const run = (cmd: "check" | "apply", pb: string, extra: string[] = []) =>
  cli([cmd, pb.includes("/") ? pb : PB(pb), "-i", lab.inventoryPath, ...(cmd === "apply" ? ["--yes"] : []), ...extra], { cwd: work });
const bootId = async (n: string) => (await lab.exec(n, "cat /proc/sys/kernel/random/boot_id")).stdout.trim();

async function rebootAndWait(nodes: string[]): Promise<void> {
  const before = await Promise.all(nodes.map(bootId));
  for (const n of nodes) await lab.ssh(n, "reboot");
  for (const [i, n] of nodes.entries()) {
    for (let t = 0; t < 120; t++) {
      const r = await lab.ssh(n, "cat /proc/sys/kernel/random/boot_id");
      if (r.code === 0 && r.stdout.trim() !== before[i]) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function acceptance(pb: string, extra: string[]): Promise<void> {
  const c1 = await run("check", pb, extra);
  expect(c1.code, `${pb} first check\n${c1.stdout}\n${c1.stderr}`).toBe(2);
  const a = await run("apply", pb, extra);
  expect(a.code, `${pb} apply\n${a.stdout}\n${a.stderr}`).toBe(0);
  const c2 = await run("check", pb, extra);
  expect(c2.code, `${pb} second check\n${c2.stdout}\n${c2.stderr}`).toBe(0);
}

describe("ethtool-offload on ens18", () => {
  it("GRO/GSO off on ens18, persisted in ifcfg-ens18 / the ens18 NM profile, still off after a reboot", async () => {
    await acceptance("ethtool-offload", ["-l", `${EL7},${EL9}`]);
    expect((await lab.exec(EL7, "grep ETHTOOL_OPTS /etc/sysconfig/network-scripts/ifcfg-ens18")).stdout).toContain("-K ens18 gro off gso off");
    await rebootAndWait([EL7, EL9]);
    for (const n of [EL7, EL9]) {
      expect((await lab.exec(n, "ethtool -k ens18 | grep -E '^generic-(receive|segmentation)'")).stdout).toBe("generic-segmentation-offload: off\ngeneric-receive-offload: off\n");
    }
    expect((await run("check", "ethtool-offload", ["-l", `${EL7},${EL9}`])).code).toBe(0);
  }, 300_000);
});

describe("kpatch-route with slow livepatch transitions (kpatch 0.6.1)", () => {
  // The module is built on the other node, so EL7 keeps only the kpatch 0.6.1 package (/usr/sbin/kpatch), which
  // refuses to load a module that is already loaded and enabled.
  const onEl7 = ["-l", EL7, "-e", `kpatch_builder=${STUCK}`];
  it("a 12 s transition after a reboot: check sees [enabling...], apply does not re-load, verify waits it out", async () => {
    await acceptance("kpatch-route", onEl7); // a fresh load: kpatch itself waits the 12 s
    expect((await lab.exec(EL7, "command -v kpatch; kpatch version")).stdout).toBe("/usr/sbin/kpatch\n0.6.1\n");
    await rebootAndWait([EL7]); // kpatch.service loads it again; the transition runs 12 s
    const list = await lab.ssh(EL7, "kpatch list");
    expect(list.stdout).toMatch(/^livepatch_route \[enabling\.\.\.\]$/m);
    const c1 = await run("check", "kpatch-route", onEl7);
    expect(c1.code, c1.stdout).toBe(2);
    const a = await run("apply", "kpatch-route", onEl7);
    expect(a.code, `${a.stdout}\n${a.stderr}`).toBe(0);
    expect((await lab.ssh(EL7, "cat /sys/kernel/livepatch/livepatch_route/transition")).stdout).toBe("0\n");
    expect((await run("check", "kpatch-route", onEl7)).code).toBe(0);
  }, 600_000);

  it("a transition that never completes: verify fails after its budget, the module file is kept, the message says why", async () => {
    // something (kpatch.service, an operator) loaded the module; its transition is stuck
    const k = (await lab.exec(STUCK, "uname -r")).stdout.trim();
    await lab.exec(
      STUCK,
      `mkdir -p /var/lib/kpatch/${k} && printf 'lab kernel module (text, not ELF)\\nname=livepatch_route\\nvermagic=${k} SMP mod_unload modversions \\nlivepatch=Y\\n' >/var/lib/kpatch/${k}/livepatch-route.ko && insmod /var/lib/kpatch/${k}/livepatch-route.ko`,
    );
    const t0 = Date.now();
    const a = await run("apply", "kpatch-route", ["-l", STUCK, "--json"]);
    const out = `${a.stdout}\n${a.stderr}`;
    expect(a.code, out).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(15_000); // at least kpatch's own budget
    expect(out).toMatch(/transition has not completed/);
    expect(out).toMatch(/kept \/var\/lib\/kpatch\/.*livepatch-route\.ko/);
    expect((await lab.exec(STUCK, `test -f /var/lib/kpatch/${k}/livepatch-route.ko && cat /sys/kernel/livepatch/livepatch_route/enabled`)).stdout).toBe("1\n");
  }, 600_000);
});

// last: moves the EL7 node off 3.10
describe("kernel-upgrade on UEFI", () => {
  it("EL7 (ESP grub.cfg, linuxefi) and EL9 (BLS) boot the target kernel", async () => {
    // the shipped playbook with a 2 s stability window instead of 10 (the nodes reboot one after the other): the
    // subject is the UEFI boot loaders; lab.test applies the playbook as shipped
    const shipped = readFileSync(PB("kernel-upgrade"), "utf8");
    const short = shipped.replace(/(reboot: \{ timeout: 900,.*), stable_for: 10 \}/g, "$1, stable_for: 2 }");
    expect(short.match(/reboot: \{ timeout: 900,.*, stable_for: 2 \}/g), "both reboot steps shortened").toHaveLength(2);
    const pb = join(work, "kernel-upgrade-stable2.yml");
    writeFileSync(pb, short);
    await acceptance(pb, ["-l", `${EL7},${EL9}`]);
    expect((await lab.exec(EL7, "uname -r")).stdout.trim()).toBe("4.19.12-1.el7.elrepo.x86_64");
    expect((await lab.exec(EL9, "uname -r")).stdout.trim()).toBe("6.1.112-1.el9.elrepo.x86_64");
    expect((await lab.exec(EL7, "grep -c 'linuxefi /vmlinuz-4.19.12-1.el7.elrepo.x86_64 ' /boot/efi/EFI/centos/grub.cfg")).stdout).toBe("1\n");
  }, 600_000);

  it("the check refuses an unparsable uname -r instead of calling it newer", async () => {
    await lab.exec(EL9, "cp /proc/sys/kernel/osrelease /root/osrelease.keep && echo /boot/ >/proc/sys/kernel/osrelease");
    const c = await run("check", "kernel-upgrade", ["-l", EL9]);
    await lab.exec(EL9, "cp /root/osrelease.keep /proc/sys/kernel/osrelease");
    expect(c.code).not.toBe(0);
    expect(c.code).not.toBe(2);
    expect(`${c.stdout}\n${c.stderr}`).toMatch(/uname -r printed '\/boot\/', which is not a kernel release/);
  }, 120_000);
});
