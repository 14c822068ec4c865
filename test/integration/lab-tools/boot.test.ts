// State across a simulated boot (lab-boot as the supervisor runs it): kernel choice from the boot loader,
// sysctl live vs persistent, ethtool reset vs persistence, kpatch reload per kernel, boot_id, faults.
import { describe, expect, it } from "vitest";
import { ok, useNodeFactory, type TestNode } from "./node-root.js";

const factory = useNodeFactory();
async function reboot(node: TestNode, env?: Record<string, string>): Promise<void> {
  const r = await node.boot(env);
  expect(r.code, r.stderr).toBe(0);
}

const ROUTE_PATCH = `--- a/net/ipv4/route.c\t2018-10-05 04:18:19.000000000 +0800
+++ b/net/ipv4/route.c\t2019-03-15 10:59:36.456585909 +0800
@@ -1611,6 +1611,10 @@
 \t\tif (fnhe->fnhe_daddr == daddr) {
+\t\t\tfnhe->fnhe_daddr = 0;
`;

describe("kernel switch through the boot-loader default", () => {
  it("EL7: installing kernel-ml keeps 3.10 booting; grub2-set-default by title switches it; boot_id changes", async () => {
    const n = await factory().node("el7");
    await ok(n, "yum --enablerepo=elrepo-kernel install -y -q kernel-ml-4.19.12");
    const id0 = await ok(n, "cat /proc/sys/kernel/random/boot_id");
    await reboot(n);
    expect(await ok(n, "uname -r")).toBe("3.10.0-957.el7.x86_64\n");
    const id1 = await ok(n, "cat /proc/sys/kernel/random/boot_id");
    expect(id1).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n$/);
    expect(id1).not.toBe(id0);
    await ok(n, "grub2-set-default 'CentOS Linux (4.19.12-1.el7.elrepo.x86_64) 7 (Core)'");
    expect(await ok(n, "uname -r")).toBe("3.10.0-957.el7.x86_64\n"); // only a reboot changes it
    await reboot(n);
    expect(await ok(n, "uname -r")).toBe("4.19.12-1.el7.elrepo.x86_64\n");
    expect(await ok(n, "dmesg | head -1")).toContain("Linux version 4.19.12-1.el7.elrepo.x86_64");
  });

  it("EL7: GRUB_DEFAULT=0 + grub2-mkconfig boots the newest kernel and ignores saved_entry", async () => {
    const n = await factory().node("el7");
    await ok(n, "yum --enablerepo=elrepo-kernel install -y -q kernel-ml-5.4.94");
    await ok(n, "sed -i 's/^GRUB_DEFAULT=saved/GRUB_DEFAULT=0/' /etc/default/grub && grub2-mkconfig -o /boot/grub2/grub.cfg");
    await ok(n, "grub2-set-default 'CentOS Linux (3.10.0-957.el7.x86_64) 7 (Core)'");
    await reboot(n);
    expect(await ok(n, "uname -r")).toBe("5.4.94-1.el7.elrepo.x86_64\n");
  });

  it("EL7: DEFAULTKERNEL=kernel-ml makes the install the default (new-kernel-pkg --make-default)", async () => {
    const n = await factory().node("el7");
    await ok(n, "sed -i 's/DEFAULTKERNEL=.*/DEFAULTKERNEL=kernel-ml/' /etc/sysconfig/kernel");
    await ok(n, "yum --enablerepo=elrepo-kernel install -y -q kernel-ml-4.19.12");
    expect(await ok(n, "grubby --default-kernel")).toBe("/boot/vmlinuz-4.19.12-1.el7.elrepo.x86_64\n");
    await reboot(n);
    expect(await ok(n, "uname -r")).toBe("4.19.12-1.el7.elrepo.x86_64\n");
  });

  it("EL9: grubby --set-default picks the BLS entry that boots", async () => {
    const n = await factory().node("el9");
    await ok(n, "dnf --enablerepo=elrepo-kernel install -y -q kernel-lt-6.1.112");
    expect(await ok(n, "rpm -q kernel-lt-core")).toContain("kernel-lt-core-6.1.112-1.el9.elrepo.x86_64");
    await reboot(n);
    expect(await ok(n, "uname -r")).toBe("6.1.1-1.el9.elrepo.x86_64\n");
    await ok(n, "grubby --set-default /boot/vmlinuz-6.1.112-1.el9.elrepo.x86_64 2>/dev/null");
    await reboot(n);
    expect(await ok(n, "uname -r")).toBe("6.1.112-1.el9.elrepo.x86_64\n");
    await ok(n, "grubby --set-default /boot/vmlinuz-5.14.0-162.6.1.el9_1.x86_64 2>/dev/null");
    await reboot(n);
    expect(await ok(n, "uname -r")).toBe("5.14.0-162.6.1.el9_1.x86_64\n");
  });
});

describe("sysctl live vs persistent", () => {
  it("a live write is lost at boot; sysctl.d is applied; /etc/sysctl.conf wins last", async () => {
    const n = await factory().node("el7");
    await ok(n, "sysctl -w fs.pipe-user-pages-soft=163840");
    await reboot(n);
    expect(await ok(n, "sysctl -n fs.pipe-user-pages-soft")).toBe("16384\n");
    await ok(n, "echo 'fs.pipe-user-pages-soft = 163840' >/etc/sysctl.d/99-pipe-workaround.conf");
    await reboot(n);
    expect(await ok(n, "sysctl -n fs.pipe-user-pages-soft")).toBe("163840\n");
    await ok(n, "echo 'fs.pipe-user-pages-soft = 32768' >>/etc/sysctl.conf && echo 'fs.pipe-user-pages-soft = 1' >/etc/sysctl.d/zz-late.conf");
    await reboot(n);
    expect(await ok(n, "sysctl -n fs.pipe-user-pages-soft")).toBe("32768\n");
  });

  it("EL9 pipe workaround variant: removing the drop-in alone keeps the live value until a write or reboot", async () => {
    const n = await factory().node("el9");
    await ok(n, "echo pipe_workaround=1 >/.lab/variant && /opt/lab/base/tools/lab-init el9 x 10.0.0.9 >/dev/null");
    expect(await ok(n, "sysctl -n fs.pipe-user-pages-soft")).toBe("163840\n");
    await ok(n, "rm /etc/sysctl.d/99-pipe-workaround.conf");
    expect(await ok(n, "sysctl -n fs.pipe-user-pages-soft")).toBe("163840\n");
    await reboot(n);
    expect(await ok(n, "sysctl -n fs.pipe-user-pages-soft")).toBe("16384\n");
  });
});

describe("ethtool offloads across a boot", () => {
  const grep = "ethtool -k eth0 | grep -E 'generic-(receive|segmentation)-offload'";
  it("EL7: runtime -K is reset at boot; ifcfg ETHTOOL_OPTS persists it", async () => {
    const n = await factory().node("el7");
    await ok(n, "ethtool -K eth0 gro off gso off");
    expect(await ok(n, grep)).toBe("generic-segmentation-offload: off\ngeneric-receive-offload: off\n");
    await reboot(n);
    expect(await ok(n, grep)).toBe("generic-segmentation-offload: on\ngeneric-receive-offload: on\n");
    await ok(n, `echo 'ETHTOOL_OPTS="-K \${DEVICE} gro off gso off"' >>/etc/sysconfig/network-scripts/ifcfg-eth0`);
    await reboot(n);
    expect(await ok(n, grep)).toBe("generic-segmentation-offload: off\ngeneric-receive-offload: off\n");
  });

  it("EL9: nmcli keyfile [ethtool] persists; a udev RUN rule works too", async () => {
    const n = await factory().node("el9");
    await ok(n, "nmcli connection modify 'System eth0' ethtool.feature-gro off");
    await reboot(n);
    expect(await ok(n, grep)).toBe("generic-segmentation-offload: on\ngeneric-receive-offload: off\n");
    await ok(n, `mkdir -p /etc/udev/rules.d && echo 'ACTION=="add", SUBSYSTEM=="net", KERNEL=="eth*", RUN+="/sbin/ethtool -K %k gso off"' >/etc/udev/rules.d/70-gso.rules`);
    await reboot(n);
    expect(await ok(n, grep)).toBe("generic-segmentation-offload: off\ngeneric-receive-offload: off\n");
  });
});

describe("kpatch modules across boots", () => {
  it("reloads for the same kernel when kpatch.service is enabled, not after booting another kernel", async () => {
    const n = await factory().node("el7");
    await ok(n, "yum install -y -q gcc kernel-devel-3.10.0-957.el7 elfutils-devel yum-utils && debuginfo-install -y -q kernel-3.10.0-957.el7");
    await ok(n, "cd /root && git clone https://github.com/dynup/kpatch 2>/dev/null && cd kpatch && make >/dev/null && make install >/dev/null");
    await ok(n, `cat >/root/route.patch <<'P'\n${ROUTE_PATCH}P`);
    await ok(n, "cd /root && kpatch-build -t vmlinux route.patch >/dev/null && kpatch install livepatch-route.ko");
    expect(await ok(n, "systemctl is-enabled kpatch")).toBe("enabled\n");
    expect(await ok(n, "kpatch list")).toBe("Loaded patch modules:\n\nInstalled patch modules:\nlivepatch_route (3.10.0-957.el7.x86_64)\n");
    await reboot(n);
    expect(await ok(n, "kpatch list")).toBe(
      "Loaded patch modules:\nlivepatch_route [enabled]\n\nInstalled patch modules:\nlivepatch_route (3.10.0-957.el7.x86_64)\n",
    );
    expect(await ok(n, "systemctl restart kpatch && journalctl -u kpatch -o cat | tail -1")).toBe("module named livepatch_route already loaded and enabled\n");
    await ok(n, "yum --enablerepo=elrepo-kernel install -y -q kernel-ml-4.19.12 && grub2-set-default 1");
    await reboot(n);
    expect(await ok(n, "uname -r")).toBe("4.19.12-1.el7.elrepo.x86_64\n");
    expect(await ok(n, "kpatch list")).toBe("Loaded patch modules:\n\nInstalled patch modules:\nlivepatch_route (3.10.0-957.el7.x86_64)\n");
  });
});

describe("boot identity, faults, invocation log", () => {
  it("LAB_SAME_BOOTID=1 keeps the boot id; a normal boot changes it", async () => {
    const n = await factory().node("el9");
    const id0 = await ok(n, "cat /proc/sys/kernel/random/boot_id");
    await reboot(n, { LAB_SAME_BOOTID: "1" });
    expect(await ok(n, "cat /proc/sys/kernel/random/boot_id")).toBe(id0);
    await reboot(n);
    expect(await ok(n, "cat /proc/sys/kernel/random/boot_id")).not.toBe(id0);
  });

  it("hang=<tool> makes that tool sleep; every tool logs `<epoch-ms> <tool> <args>`", async () => {
    const n = await factory().node("el7");
    await ok(n, "uname -r >/dev/null && rpm -q kernel >/dev/null");
    const log = await ok(n, "tail -2 /.lab/invocations.log");
    expect(log).toMatch(/^\d{13} uname -r\n\d{13} rpm -q kernel\n$/);
    await ok(n, "echo hang=uname >>/.lab/faults");
    const r = await n.run("timeout 1 uname -r");
    expect(r.code).toBe(124);
    expect(await ok(n, "rpm -q kernel")).toBe("kernel-3.10.0-957.el7.x86_64\n");
  });

  it("a boot clears /run (services, netconsole) and restarts enabled services", async () => {
    const n = await factory().node("el7");
    await ok(n, "echo SYSLOGADDR=192.168.5.50 >>/etc/sysconfig/netconsole && systemctl start netconsole");
    expect(await ok(n, "lsmod | grep -c ^netconsole")).toBe("1\n");
    await reboot(n);
    expect((await n.run("lsmod | grep -c ^netconsole")).stdout).toBe("0\n");
    await ok(n, "systemctl enable netconsole 2>/dev/null");
    await reboot(n);
    expect(await ok(n, "lsmod | grep -c ^netconsole")).toBe("1\n");
    expect(await ok(n, "systemctl is-active docker kubelet")).toBe("active\nactive\n");
  });
});
