// Spec files of the lab's real .rpm packages (README.md here): small synthetic payloads with the metadata and
// scriptlets of the real packages, built with rpmbuild when the lab base is built (build.ts).
// The package set of an OS is read from the node tools' data: `data/installed-<os>` (what a fresh node has),
// `data/catalog-<os>` (what its repos offer) and `data/variant-packages` (installed by lab-init variants).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export type LabOs = "el7" | "el9";

export interface PackageSpec {
  /** file name stem, e.g. kernel-ml-4.19.12-1.el7.elrepo */
  id: string;
  text: string;
}

/** One package of the lab: name, version, release, arch, the repo that serves it, its requirements. */
export interface LabPackage {
  name: string;
  version: string;
  release: string;
  arch: string;
  repo: string;
  deps: string[];
}

export const nevra = (p: Pick<LabPackage, "name" | "version" | "release" | "arch">) => `${p.name}-${p.version}-${p.release}.${p.arch}`;

/** Repo id a package installed at OS install time (`anaconda`, `@commandline`...) is served from. */
function repoFor(os: LabOs, repo: string, name: string): string {
  if (name === "elrepo-release") return "elrepo";
  if (repo === "anaconda" || repo.startsWith("@")) return os === "el7" ? "base" : "baseos";
  return repo;
}

function lines(file: string): string[][] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => l.split(/\s+/));
}

/** Every package of an OS (installed set, catalog, variant packages), one per NEVRA. */
export function labPackages(toolsDir: string, os: LabOs): LabPackage[] {
  const out = new Map<string, LabPackage>();
  const add = (p: LabPackage) => {
    const k = nevra(p);
    const had = out.get(k);
    if (!had || (had.deps.length === 0 && p.deps.length > 0)) out.set(k, p);
  };
  for (const [repo, name, version, release, arch, deps] of lines(join(toolsDir, "data", `catalog-${os}`))) {
    add({ name: name!, version: version!, release: release!, arch: arch!, repo: repo!, deps: deps ? deps.split(",") : [] });
  }
  for (const [name, version, release, arch, repo] of lines(join(toolsDir, "data", `installed-${os}`))) {
    add({ name: name!, version: version!, release: release!, arch: arch!, repo: repoFor(os, repo!, name!), deps: [] });
  }
  for (const [vos, , name, version, release, arch, repo] of lines(join(toolsDir, "data", "variant-packages"))) {
    if (vos === os) add({ name: name!, version: version!, release: release!, arch: arch!, repo: repoFor(os, repo!, name!), deps: [] });
  }
  return [...out.values()];
}

/** Packages a fresh node of this OS has installed (data/installed-<os>), as NEVRAs. */
export function installedSet(toolsDir: string, os: LabOs): string[] {
  return lines(join(toolsDir, "data", `installed-${os}`)).map(([n, v, r, a]) => `${n}-${v}-${r}.${a}`);
}

const b64file = (path: string, text: string, mode = "0644") =>
  `mkdir -p %{buildroot}${path.replace(/\/[^/]+$/, "")}\necho ${Buffer.from(text).toString("base64")} | base64 -d >%{buildroot}${path}\nchmod ${mode} %{buildroot}${path}\n`;
const symlink = (path: string, target: string) => `mkdir -p %{buildroot}${path.replace(/\/[^/]+$/, "")}\nln -sfn ${target} %{buildroot}${path}\n`;

const KERNEL_RE = /^kernel(-ml|-lt)?$/;
const vendorOf = (os: LabOs, release: string) =>
  release.includes("elrepo") ? "The ELRepo Project (http://elrepo.org)" : os === "el7" ? "CentOS" : "Rocky Enterprise Software Foundation";
const packagerOf = (os: LabOs, release: string) =>
  release.includes("elrepo") ? "Alan Bartlett <ajb@elrepo.org>" : os === "el7" ? "CentOS BuildSystem <http://bugs.centos.org>" : "Rocky Linux Build System (Peridot) <releng@rockylinux.org>";
const hostOf = (os: LabOs, release: string) =>
  release.includes("elrepo") ? `Build64R${os.slice(2)}.elrepo.org` : os === "el7" ? "x86-01.bsys.centos.org" : "pb-0a1b2c3d.rockylinux.org";

/**
 * The spec of one lab package. Payloads follow what the real package puts on a node, in lab form:
 * kernels (/boot files + new-kernel-pkg scriptlets on EL7; /lib/modules/<kver>/vmlinuz + kernel-install on EL9),
 * kernel-devel trees, debuginfo vmlinux, elrepo-release's .repo, kpatch/netconsole units, program links into the
 * node tools (data/pkgfiles). Everything else is metadata only.
 */
export function packageSpec(toolsDir: string, os: LabOs, p: LabPackage, gpgKey = ""): PackageSpec {
  const { name, version, release, arch } = p;
  const kver = `${version}-${release}.${arch}`;
  const req: string[] = [];
  const prov: string[] = [];
  let install = "";
  const files: string[] = [];
  let scripts = "";
  const kernelish = /^kernel(-ml|-lt)?(-core|-modules|-devel)?$/.test(name);
  if (kernelish) prov.push(`installonlypkg(kernel) = ${version}-${release}`);
  for (const d of p.deps) {
    // the parts of a kernel (EL9 meta package, debuginfo-common) come in the same version
    req.push(d.startsWith("kernel") ? `${d} = ${version}-${release}` : d);
  }
  const base = name.replace(/-(core|modules|devel|debuginfo)$/, "");
  if (KERNEL_RE.test(name) && os === "el7") {
    prov.push(`kernel = ${version}-${release}`, `kernel-uname-r = ${kver}`);
    install += b64file(`/boot/vmlinuz-${kver}`, `lab kernel ${kver}\n`, "0755");
    install += b64file(`/boot/System.map-${kver}`, `lab System.map ${kver}\n`);
    install += `mkdir -p %{buildroot}/usr/lib/modules/${kver}\n`;
    files.push(`/boot/vmlinuz-${kver}`, `/boot/System.map-${kver}`, `%dir /usr/lib/modules/${kver}`, `%ghost /boot/initramfs-${kver}.img`);
    install += `touch %{buildroot}/boot/initramfs-${kver}.img\n`;
    // kernel-ml-<v>.spec (elrepo) / kernel.spec (CentOS 7): new-kernel-pkg in %post, %posttrans, %preun
    scripts += `%post\n/usr/sbin/new-kernel-pkg --package ${name} --install ${kver} || exit $?\n`;
    scripts += `%posttrans\n/usr/sbin/new-kernel-pkg --package ${name} --mkinitrd --dracut --depmod --update ${kver} || exit $?\n/usr/sbin/new-kernel-pkg --package ${name} --rpmposttrans ${kver} || exit $?\n`;
    scripts += `%preun\n/usr/sbin/new-kernel-pkg --rminitrd --rmmoddep --remove ${kver} || exit $?\n`;
    req.push("/bin/sh");
  } else if (/^kernel(-ml|-lt)?-core$/.test(name) && os === "el9") {
    prov.push(`kernel = ${version}-${release}`, `kernel-uname-r = ${kver}`);
    const pkg = base === "kernel" ? "kernel-core" : base;
    install += b64file(`/usr/lib/modules/${kver}/vmlinuz`, `lab kernel ${kver}\n`, "0755");
    install += b64file(`/usr/lib/modules/${kver}/lab-package`, `lab-package=${pkg}\n`);
    files.push(`/usr/lib/modules/${kver}/vmlinuz`, `/usr/lib/modules/${kver}/lab-package`, `%ghost /boot/vmlinuz-${kver}`, `%ghost /boot/initramfs-${kver}.img`);
    install += `mkdir -p %{buildroot}/boot\ntouch %{buildroot}/boot/vmlinuz-${kver} %{buildroot}/boot/initramfs-${kver}.img\n`;
    // kernel.spec (EL9) %posttrans core / %preun core
    scripts += `%posttrans\n/bin/kernel-install add ${kver} /lib/modules/${kver}/vmlinuz || exit $?\n`;
    scripts += `%preun\n/bin/kernel-install remove ${kver} || exit $?\n`;
    req.push("/bin/sh");
  } else if (/^kernel(-ml|-lt)?-modules$/.test(name)) {
    install += `mkdir -p %{buildroot}/usr/lib/modules/${kver}/kernel\n`;
    files.push(`%dir /usr/lib/modules/${kver}/kernel`);
  } else if (/^kernel(-ml|-lt)?-devel$/.test(name)) {
    install += b64file(`/usr/src/kernels/${kver}/Makefile`, `# lab kernel tree ${kver}\n`);
    install += symlink(`/usr/lib/modules/${kver}/build`, `/usr/src/kernels/${kver}`);
    files.push(`/usr/src/kernels/${kver}`, `/usr/lib/modules/${kver}/build`);
  } else if (/^kernel(-ml|-lt)?-debuginfo$/.test(name)) {
    install += b64file(`/usr/lib/debug/lib/modules/${kver}/vmlinux`, `lab vmlinux\nLinux version ${kver} (mockbuild@lab) (gcc version 4.8.5) #1 SMP\n`);
    files.push(`/usr/lib/debug/lib/modules/${kver}/vmlinux`);
  } else if (name === "elrepo-release") {
    install += b64file("/etc/yum.repos.d/elrepo.repo", readFileSync(join(toolsDir, "data", `elrepo.repo.${os}`), "utf8"));
    install += b64file("/etc/pki/rpm-gpg/RPM-GPG-KEY-elrepo.org", gpgKey || "(lab: no key)\n");
    files.push("%config(noreplace) /etc/yum.repos.d/elrepo.repo", "/etc/pki/rpm-gpg/RPM-GPG-KEY-elrepo.org");
  } else if (name === "centos-release" || name === "rocky-release") {
    const major = os === "el7" ? "7" : "9";
    prov.push(`system-release(releasever) = ${major}`, "system-release", "redhat-release", `${name === "centos-release" ? "centos" : "rocky"}-release(upstream) = ${major}`);
  } else if (name === "bash") {
    prov.push("/bin/sh", "/bin/bash", "/usr/bin/sh");
  } else if (name === "kpatch") {
    const unit = readFileSync(join(toolsDir, "data", "kpatch.service"), "utf8").replace(/PREFIX/g, "/usr");
    install += b64file("/usr/lib/systemd/system/kpatch.service", unit);
    files.push("/usr/lib/systemd/system/kpatch.service");
  } else if (name === "netconsole-service") {
    install += b64file("/usr/lib/systemd/system/netconsole.service", readFileSync(join(toolsDir, "data", "netconsole.service"), "utf8"));
    install += b64file("/etc/sysconfig/netconsole", readFileSync(join(toolsDir, "data", "sysconfig-netconsole"), "utf8"));
    files.push("/usr/lib/systemd/system/netconsole.service", "%config(noreplace) /etc/sysconfig/netconsole");
  }
  // program links that exist while the package is installed (data/pkgfiles)
  for (const [pn, path, tool] of lines(join(toolsDir, "data", "pkgfiles"))) {
    if (pn !== name) continue;
    install += symlink(path!, `/opt/lab/base/tools/${tool}`);
    files.push(path!);
  }
  const summary = kernelish ? `The Linux kernel (${name})` : `${name} (lab package)`;
  const text = [
    `Name: ${name}`, `Version: ${version}`, `Release: ${release}`, `Summary: ${summary}`, "License: GPLv2",
    `BuildArch: ${arch}`, `Vendor: ${vendorOf(os, release)}`, `Packager: ${packagerOf(os, release)}`, "Group: System Environment/Base",
    "AutoReqProv: no",
    ...prov.map((x) => `Provides: ${x}`), ...req.map((x) => `Requires: ${x}`),
    `%define _buildhost ${hostOf(os, release)}`,
    "%description", `${summary} (lab package: synthetic payload, real metadata)`,
    "%install", install || "mkdir -p %{buildroot}",
    scripts.trimEnd(),
    "%files", ...files, "",
  ].filter((l) => l !== "").join("\n") + "\n";
  return { id: nevra(p), text };
}

/** Spec texts of every package of an OS. */
export function labSpecs(toolsDir: string, os: LabOs, gpgKey = ""): Array<{ pkg: LabPackage; spec: PackageSpec }> {
  return labPackages(toolsDir, os).map((pkg) => ({ pkg, spec: packageSpec(toolsDir, os, pkg, gpgKey) }));
}
