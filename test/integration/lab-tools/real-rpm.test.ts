// Issue 15, acceptance 1: on the lab, rpm / dnf / yum are the real programs (Debian's rpm 4.18 and dnf 4.14) on each
// node's own rpm database, installing the lab's real .rpm packages (src/lab/rpm) from file:// repos; a kernel
// package's own scriptlets add and remove its boot entry through the node's new-kernel-pkg / kernel-install.
// Over real sshd (the lab runtime). Needs `npm run build` (tools from dist/lab/tools).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, type TestLab } from "../../helpers/lab.js";

let lab: TestLab;
const EL7 = "el7-node01";
const EL9 = "el9-node01";
const EL7B = "el7-node02";

beforeAll(async () => {
  lab = await startLab({ el7: 2, el9: 1 });
}, 300_000);
afterAll(async () => {
  await lab?.stop();
});

const sha = (f: string) => createHash("sha256").update(readFileSync(f)).digest("hex");

describe("real rpm and dnf in the lab nodes (over ssh)", () => {
  it("rpm --version, dnf --version and the el7 yum front answer with the real versions", async () => {
    for (const n of [EL7, EL9]) {
      const r = await lab.ssh(n, "rpm --version");
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe("RPM version 4.18.0\n");
    }
    const d = await lab.ssh(EL9, "dnf --version; yum --version | head -n 1");
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toMatch(/^4\.14\.0\n/);
    expect(d.stdout).toMatch(/\n4\.14\.0\n$/);
    expect((await lab.ssh(EL7, "command -v dnf; yum --version | head -n 1")).stdout).toBe("4.14.0\n"); // CentOS 7: no dnf
    expect((await lab.ssh(EL7, "rpm --eval %_dbpath; rpm -q --qf '%{NAME} %{VENDOR}\\n' kernel")).stdout).toBe("/var/lib/rpm\nkernel CentOS\n");
  });

  it("rpm -q of two missing packages: each on stdout, exit 2 (rpm 4.18 measured)", async () => {
    const r = await lab.ssh(EL7, "rpm -q nosuch-a nosuch-b");
    expect(r).toMatchObject({ code: 2, stdout: "package nosuch-a is not installed\npackage nosuch-b is not installed\n", stderr: "" });
  });

  it("el7: yum localinstall of a kernel-ml .rpm; its %post (new-kernel-pkg) adds the grub.cfg entry, rpm -e's %preun removes it", async () => {
    const f = "kernel-ml-4.19.12-1.el7.elrepo.x86_64.rpm";
    const template = sha(join(lab.dir, "base", "rpmdb", "el7", "rpmdb.sqlite"));
    const i = await lab.ssh(EL7, `cp /opt/lab/base/rpms/el7/${f} /root/ && yum -y localinstall /root/${f}`);
    expect(i.code, i.stdout + i.stderr).toBe(0);
    expect(i.stdout).toMatch(/^Loaded plugins: fastestmirror$/m);
    expect(i.stdout).toMatch(/Running scriptlet: kernel-ml-4\.19\.12-1\.el7\.elrepo\.x86_64/);
    const s = await lab.ssh(EL7, "rpm -q kernel-ml; grep -c 'linux16 /vmlinuz-4.19.12-1.el7.elrepo.x86_64 ' /boot/grub2/grub.cfg; ls /boot/initramfs-4.19.12-1.el7.elrepo.x86_64.img; grubby --default-kernel");
    expect(s.stdout).toBe("kernel-ml-4.19.12-1.el7.elrepo.x86_64\n1\n/boot/initramfs-4.19.12-1.el7.elrepo.x86_64.img\n/boot/vmlinuz-3.10.0-957.el7.x86_64\n");
    // the node's own database: the other node and the base's template are untouched
    expect((await lab.ssh(EL7B, "rpm -q kernel-ml")).code).toBe(1);
    expect(sha(join(lab.dir, "base", "rpmdb", "el7", "rpmdb.sqlite"))).toBe(template);
    const e = await lab.ssh(EL7, "rpm -e kernel-ml; echo rc=$?; grep -c 'vmlinuz-4.19.12' /boot/grub2/grub.cfg; ls /boot | grep -c 4.19.12; rpm -q kernel-ml");
    expect(e.stdout).toBe("rc=0\n0\n0\npackage kernel-ml is not installed\n");
    expect(e.stderr).toBe("");
  }, 120_000);

  it("el9: dnf install of kernel-lt from the elrepo-kernel repo; %posttrans kernel-install adds the BLS entry, the default stays", async () => {
    const r = await lab.ssh(EL9, "dnf -y --enablerepo=elrepo-kernel install kernel-lt-6.1.112-1.el9.elrepo");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ kernel-lt-core +x86_64 +6\.1\.112-1\.el9\.elrepo +elrepo-kernel /m);
    const mid = (await lab.ssh(EL9, "cat /etc/machine-id")).stdout.trim();
    const s = await lab.ssh(EL9, `rpm -q kernel-lt-core; sed -n 's/^linux //p' /boot/loader/entries/${mid}-6.1.112-1.el9.elrepo.x86_64.conf; grubby --default-kernel`);
    expect(s.stdout).toBe("kernel-lt-core-6.1.1-1.el9.elrepo.x86_64\nkernel-lt-core-6.1.112-1.el9.elrepo.x86_64\n/vmlinuz-6.1.112-1.el9.elrepo.x86_64\n/boot/vmlinuz-6.1.1-1.el9.elrepo.x86_64\n");
    const e = await lab.ssh(EL9, `dnf -y -q remove kernel-lt-6.1.112 kernel-lt-core-6.1.112 kernel-lt-modules-6.1.112 >/dev/null; echo rc=$?; ls /boot/loader/entries/${mid}-6.1.112-1.el9.elrepo.x86_64.conf /boot/vmlinuz-6.1.112-1.el9.elrepo.x86_64 2>&1 | grep -c 'No such file'`);
    expect(e.stdout).toBe("rc=0\n2\n");
  }, 120_000);

  it("kernel-upgrade's ELRepo setup by URL: rpm --import of the key URL, yum/dnf install of the elrepo-release URL (local copies)", async () => {
    for (const [n, cmd, url] of [
      [EL7B, "yum", "https://www.elrepo.org/elrepo-release-7.0-4.el7.elrepo.noarch.rpm"],
      [EL9, "dnf", "https://www.elrepo.org/elrepo-release-9.el9.elrepo.noarch.rpm"],
    ] as const) {
      const r = await lab.ssh(n, `rpm -e elrepo-release && ! test -e /etc/yum.repos.d/elrepo.repo && rpm --import https://www.elrepo.org/RPM-GPG-KEY-elrepo.org && ${cmd} -y -q install ${url} >/dev/null && rpm -q elrepo-release gpg-pubkey --qf '%{NAME}\n' && grep -Fxc '[elrepo-kernel]' /etc/yum.repos.d/elrepo.repo`);
      expect(r.stdout, r.stderr).toBe("elrepo-release\ngpg-pubkey\n1\n");
      expect(r.code).toBe(0);
    }
  }, 120_000);

  it("nothing reaches the network: a URL that is not a lab package fails like an offline host", async () => {
    const r = await lab.ssh(EL7, "rpm -ivh https://example.invalid/x-1-1.x86_64.rpm");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/curl: \(6\) Could not resolve host: example\.invalid/);
    const d = await lab.ssh(EL9, "grep -h '^baseurl=' /etc/yum.repos.d/*.repo | grep -vc '^baseurl=file:///opt/lab/base/repos/el9/'");
    expect(d.stdout.trim()).toBe("0");
  });
});
