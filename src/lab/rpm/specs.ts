// Spec files of the lab's real .rpm packages (issue 15, part 5; NOT used by `lab up` yet, see README.md here):
// small synthetic payloads with the metadata and scriptlets of the real packages, built with rpmbuild.
export type LabOs = "el7" | "el9";

export interface PackageSpec {
  /** file name stem, e.g. kernel-ml-4.19.12-1.el7.elrepo */
  id: string;
  text: string;
}

const header = (name: string, version: string, release: string, arch: string, summary: string, extra = "") =>
  `Name: ${name}\nVersion: ${version}\nRelease: ${release}\nSummary: ${summary}\nLicense: GPLv2\nBuildArch: ${arch}\n${extra}%description\n${summary} (lab package: synthetic payload, real metadata)\n`;

/** What scriptlets need to run: /bin/sh (the node's bash, from the lab base) and coreutils, provided virtually. */
export function baseSpec(os: LabOs): PackageSpec {
  const rel = os === "el7" ? "1.el7" : "1.el9";
  return {
    id: `lab-filesystem-1-${rel}`,
    text: header("lab-filesystem", "1", rel, "noarch", "lab node base", "Provides: /bin/sh\nProvides: /bin/bash\nProvides: coreutils\nProvides: grubby\n") + "%files\n",
  };
}

/**
 * An ELRepo kernel. EL7 (kernel-ml-<v>.spec): files in /boot, %post/%posttrans/%postun call new-kernel-pkg
 * (domain-facts §4.1). EL9 (kernel-lt-core): /lib/modules/<kver>/vmlinuz, %posttrans `kernel-install add`,
 * %preun `kernel-install remove`.
 */
export function kernelSpec(os: LabOs, name: string, version: string, release: string): PackageSpec {
  const kver = `${version}-${release}.x86_64`;
  if (os === "el7") {
    const body = `%install
mkdir -p %{buildroot}/boot %{buildroot}/usr/lib/modules/${kver}
echo "lab kernel ${kver}" >%{buildroot}/boot/vmlinuz-${kver}
echo "lab System.map ${kver}" >%{buildroot}/boot/System.map-${kver}
%post
/usr/sbin/new-kernel-pkg --package ${name} --install ${kver} || exit $?
%posttrans
/usr/sbin/new-kernel-pkg --package ${name} --mkinitrd --dracut --depmod --update ${kver} || exit $?
/usr/sbin/new-kernel-pkg --package ${name} --rpmposttrans ${kver} || exit $?
%postun
/usr/sbin/new-kernel-pkg --rminitrd --rmmoddep --remove ${kver} || exit $?
%files
/boot/vmlinuz-${kver}
/boot/System.map-${kver}
%dir /usr/lib/modules/${kver}
`;
    const extra = `Provides: kernel = ${version}-${release}\nProvides: kernel-uname-r = ${kver}\nRequires(post): /bin/sh\nRequires(posttrans): /bin/sh\nRequires(postun): /bin/sh\n`;
    return { id: `${name}-${version}-${release}`, text: header(name, version, release, "x86_64", `The Linux kernel (${name})`, extra) + body };
  }
  const core = `${name}-core`;
  const body = `%install
mkdir -p %{buildroot}/usr/lib/modules/${kver}
echo "lab kernel ${kver}" >%{buildroot}/usr/lib/modules/${kver}/vmlinuz
echo "lab-package=${name}" >%{buildroot}/usr/lib/modules/${kver}/lab-package
%posttrans
/usr/bin/kernel-install add ${kver} /usr/lib/modules/${kver}/vmlinuz || exit $?
%preun
/usr/bin/kernel-install remove ${kver} || exit $?
%files
/usr/lib/modules/${kver}/vmlinuz
/usr/lib/modules/${kver}/lab-package
`;
  const extra = `Provides: kernel = ${version}-${release}\nProvides: kernel-uname-r = ${kver}\nRequires(posttrans): /bin/sh\nRequires(preun): /bin/sh\n`;
  return { id: `${core}-${version}-${release}`, text: header(core, version, release, "x86_64", `The Linux kernel (${core})`, extra) + body };
}
