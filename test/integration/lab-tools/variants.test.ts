// Node variants (src/lab/variants.ts) on throwaway node roots: UEFI boot-loader layouts (EL7 ESP grub.cfg with
// linuxefi, EL9 BLS + ESP stub) and a NIC not named eth0 that keeps its name and persisted offloads across boots.
import { describe, expect, it } from "vitest";
import { ok, useNodeFactory, type TestNode } from "./node-root.js";

const factory = useNodeFactory();
async function reboot(node: TestNode): Promise<void> {
  const r = await node.boot();
  expect(r.code, r.stderr).toBe(0);
}

describe("firmware=uefi", () => {
  it("EL7: grub.cfg on the ESP with linuxefi entries; grubby reads it; kernel-ml boots by title", async () => {
    const n = await factory().node("el7", ["firmware=uefi"]);
    expect(await ok(n, "readlink /etc/grub2-efi.cfg; test -e /etc/grub2.cfg || echo no-bios-cfg; test -d /sys/firmware/efi && echo efi")).toBe("../boot/efi/EFI/centos/grub.cfg\nno-bios-cfg\nefi\n");
    expect(await ok(n, "grubby --default-kernel")).toBe("/boot/vmlinuz-3.10.0-957.el7.x86_64\n");
    expect(await ok(n, "grep -c '^\\s*linuxefi /vmlinuz-' /boot/efi/EFI/centos/grub.cfg; grep -c linux16 /boot/efi/EFI/centos/grub.cfg || true")).toBe("2\n0\n");
    expect(await ok(n, "readlink /boot/grub2/grubenv; grub2-editenv list")).toBe("../efi/EFI/centos/grubenv\nsaved_entry=CentOS Linux (3.10.0-957.el7.x86_64) 7 (Core)\n");
    await ok(n, "yum --enablerepo=elrepo-kernel install -y -q kernel-ml-4.19.12");
    expect(await ok(n, "grep -c 'linuxefi /vmlinuz-4.19.12-1.el7.elrepo.x86_64 ' /etc/grub2-efi.cfg")).toBe("1\n");
    expect(await ok(n, "grub2-mkconfig -o /boot/efi/EFI/centos/grub.cfg 2>/dev/null; grep -c linux16 /boot/efi/EFI/centos/grub.cfg || true")).toBe("0\n");
    await ok(n, "grub2-set-default 'CentOS Linux (4.19.12-1.el7.elrepo.x86_64) 7 (Core)'");
    expect(await ok(n, "grubby --default-kernel")).toBe("/boot/vmlinuz-4.19.12-1.el7.elrepo.x86_64\n");
    await reboot(n);
    expect(await ok(n, "uname -r")).toBe("4.19.12-1.el7.elrepo.x86_64\n");
  });

  it("EL7 UEFI: a grub2-mkconfig into the BIOS path changes nothing that boots", async () => {
    const n = await factory().node("el7", ["firmware=uefi"]);
    await ok(n, "yum --enablerepo=elrepo-kernel install -y -q kernel-ml-4.19.12");
    await ok(n, "sed -i 's/^GRUB_DEFAULT=saved/GRUB_DEFAULT=0/' /etc/default/grub && grub2-mkconfig -o /boot/grub2/grub.cfg 2>/dev/null");
    await reboot(n);
    expect(await ok(n, "uname -r")).toBe("3.10.0-957.el7.x86_64\n");
  });

  it("EL9: BLS entries as on BIOS, the ESP holds a stub that points at /boot/grub2", async () => {
    const n = await factory().node("el9", ["firmware=uefi"]);
    expect(await ok(n, "grep -c '^configfile \\$prefix/grub.cfg$' /boot/efi/EFI/rocky/grub.cfg; test -d /sys/firmware/efi && echo efi")).toBe("1\nefi\n");
    await ok(n, "dnf --enablerepo=elrepo-kernel install -y -q kernel-lt-6.1.112-1.el9.elrepo");
    await ok(n, "grubby --set-default /boot/vmlinuz-6.1.112-1.el9.elrepo.x86_64 2>/dev/null");
    await reboot(n);
    expect(await ok(n, "uname -r")).toBe("6.1.112-1.el9.elrepo.x86_64\n");
  });
});

describe("iface=ens18", () => {
  it("EL7: ifcfg-ens18 with ETHTOOL_OPTS keeps GRO/GSO off across reboots; there is no eth0", async () => {
    const n = await factory().node("el7", ["iface=ens18"]);
    expect(await ok(n, "ip -o route get 10.9.9.9 | grep -o 'dev [a-z0-9]*'; ls /etc/sysconfig/network-scripts")).toBe("dev ens18\nifcfg-ens18\n");
    await ok(n, "ethtool -K ens18 gro off gso off && echo 'ETHTOOL_OPTS=\"-K ens18 gro off gso off\"' >>/etc/sysconfig/network-scripts/ifcfg-ens18");
    await reboot(n);
    expect(await ok(n, "ethtool -k ens18 | grep -E '^generic-(receive|segmentation)'")).toBe("generic-segmentation-offload: off\ngeneric-receive-offload: off\n");
    expect((await n.run("ethtool -k eth0")).code).not.toBe(0);
    expect(await ok(n, "dmesg | grep -c 'ens18: renamed from eth0'")).toBe("1\n");
  });

  it("EL9: the NM profile is ens18; nmcli ethtool settings survive a reboot", async () => {
    const n = await factory().node("el9", ["iface=ens18"]);
    expect(await ok(n, "nmcli -g NAME,DEVICE connection show --active")).toBe("ens18:ens18\n");
    await ok(n, "nmcli connection modify ens18 ethtool.feature-gro off ethtool.feature-gso off && nmcli connection up ens18 >/dev/null");
    await reboot(n);
    expect(await ok(n, "ethtool -k ens18 | grep -E '^generic-(receive|segmentation)'")).toBe("generic-segmentation-offload: off\ngeneric-receive-offload: off\n");
  });
});
