// Node root filesystems: one shared read-only base of real Debian binaries + libs + node tools,
// and per node a private tree whose /usr/bin etc. hold symlinks into /opt/lab/base (NODE-STATE.md).
import {
  chmodSync, copyFileSync, cpSync, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, realpathSync,
  renameSync, rmSync, statSync, symlinkSync, writeFileSync,
} from "node:fs";
import { createHash } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { LabError } from "../errors.js";
import { canBeTemplate, cloneNodeRoot, identityRewrite, randomTokens } from "./clone.js";
import { mountsUnder, unmountUnder, unmountUnderSync } from "./mounts.js";
import { labPaths, nodePaths } from "./paths.js";
import { buildOsPackages, LAB_CACHE, labGpgKey, RPM_CACHE } from "./rpm/build.js";
import { pool, run, runSync } from "./run.js";
import { cachedTemplate, saveTemplate, templateKey, type CachedTemplate } from "./template-cache.js";

export type NodeOs = "el7" | "el9";

/** Real binaries a node gets (name in node -> candidates on this machine). Nothing that can touch the host. */
const REAL_BINARIES: Record<string, string[]> = Object.fromEntries(
  [
    "bash", "cat", "cp", "mv", "ln", "ls", "mkdir", "rmdir", "rm", "chmod", "chown", "chgrp", "stat", "sha256sum",
    "sha1sum", "sha512sum", "md5sum", "cksum", "mktemp", "install", "touch", "date", "sleep", "timeout", "head",
    "tail", "tr", "cut", "sort", "uniq", "wc", "tee", "env", "readlink", "realpath", "basename", "dirname", "printf",
    "echo", "test", "[", "true", "false", "id", "whoami", "seq", "expr", "yes", "paste", "join", "fold", "comm",
    "nl", "split", "truncate", "dd", "du", "sync", "nproc", "grep", "egrep", "fgrep", "sed", "find", "xargs",
    "diff", "cmp", "tar", "gzip", "gunzip", "zcat", "flock", "getent", "base64", "od", "xxd", "which",
  ].map((n) => [n, [`/usr/bin/${n}`, `/bin/${n}`]]),
);
REAL_BINARIES["awk"] = ["/usr/bin/gawk", "/usr/bin/mawk", "/usr/bin/awk"];
REAL_BINARIES["sysctl"] = ["/usr/sbin/sysctl", "/sbin/sysctl"];
// Package management is the real thing (issue 15): Debian's rpm 4.18 and dnf 4.14 (a python script) on the node's
// own rpm database. EL7's `yum` is a yum-3 front over this dnf (tools/yum); EL9's yum/dnf link to it (lab-init).
for (const n of ["rpm", "rpmkeys", "rpmdb", "rpm2cpio", "rpmquery", "rpmverify"]) REAL_BINARIES[n] = [`/usr/bin/${n}`];
REAL_BINARIES["dnf"] = ["/usr/bin/dnf"];

/** Debian's python3 packages dnf runs on (imported from <base>/lib/python3/dist-packages). */
const DNF_PY_PACKAGES = ["dnf", "hawkey", "libdnf", "rpm", "libcomps", "gpg"];

/** Where a real binary appears inside a node (EL layout: procps sysctl lives in /usr/sbin). */
const nodePathOf = (name: string): string => (name === "sysctl" ? `/usr/sbin/${name}` : `/usr/bin/${name}`);

const BASE_MARK = ".built";

/** Creates <labDir>/base once (binaries + libs), and refreshes <base>/tools from toolsDir every call. */
export function buildBase(labDir: string, toolsDir: string, _opts: { python?: boolean } = {}): string {
  const base = labPaths(labDir).base;
  if (!existsSync(join(base, BASE_MARK))) {
    mkdirSync(join(base, "bin"), { recursive: true, mode: 0o755 });
    mkdirSync(join(base, "lib"), { recursive: true, mode: 0o755 });
    const libs = new Set<string>();
    for (const [name, found] of realBinaries()) {
      copyFileSync(realpathSync(found), join(base, "bin", name));
      chmodSync(join(base, "bin", name), 0o755);
    }
    for (const must of ["bash", "cat", "sysctl", "grep", "sed", "awk"]) {
      if (!existsSync(join(base, "bin", must))) {
        throw new LabError(`lab base: ${must} not found on this machine; install it (apt-get install procps grep sed gawk coreutils)`);
      }
    }
    for (const must of ["rpm", "dnf"]) {
      if (!existsSync(join(base, "bin", must))) throw new LabError(`lab base: ${must} not found on this machine; install it (apt-get install rpm dnf createrepo-c)`);
    }
    const heavy = heavyParts();
    for (const lib of readFileSync(join(heavy, "libs.txt"), "utf8").split("\n").filter(Boolean)) libs.add(lib);
    copyFileSync(realpathSync("/usr/bin/python3"), join(base, "bin", "python3"));
    chmodSync(join(base, "bin", "python3"), 0o755);
    for (const d of readdirSync(join(heavy, "lib"))) linkTree(join(heavy, "lib", d), join(base, "lib", d));
    linkTree(join(heavy, "usr-lib-rpm"), join(base, "usr-lib-rpm"));
    addPackages(base, toolsDir);
    for (const lib of libs) copyFileSync(realpathSync(lib), join(base, "lib", basename(lib)));
    writeFileSync(join(base, BASE_MARK), new Date().toISOString() + "\n");
  }
  const tools = join(base, "tools");
  rmSync(tools, { recursive: true, force: true });
  mkdirSync(tools, { recursive: true, mode: 0o755 });
  if (existsSync(toolsDir)) cpSync(toolsDir, tools, { recursive: true, dereference: true });
  chmodSync(base, 0o755);
  return base;
}

const CODE_VERSION = "heavy-1";

/** [name in node, path on this machine] of every real binary found here (optional ones such as xxd may be absent). */
function realBinaries(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, candidates] of Object.entries(REAL_BINARIES)) {
    const found = candidates.find((c) => existsSync(c));
    if (found) out.push([name, found]);
  }
  return out;
}

/**
 * The big, machine-wide part of a base (python's stdlib, dnf's python packages, rpm's config, and the list of the
 * shared libraries every real binary and python module needs: an ldd per binary costs ~100 ms on a loaded machine), made once per machine in REMEDY_LAB_CACHE (default /var/cache/remedy-lab) and
 * hard-linked into each base: copying ~100 MB and ~100 ldd calls per lab would add many seconds to every lab.
 * Keyed by the host files it comes from (a Debian upgrade makes a new one).
 */
function heavyParts(): string {
  const py = realpathSync("/usr/bin/python3");
  const bins = realBinaries().map(([, f]) => realpathSync(f));
  const sources = [...bins, py, `/usr/lib/${basename(py)}`, "/usr/lib/rpm", ...DNF_PY_PACKAGES.map((p) => `/usr/lib/python3/dist-packages/${p}`)];
  const key = createHash("sha256")
    .update(CODE_VERSION + sources.map((f) => (existsSync(f) ? `${f}:${statSync(f).size}:${statSync(f).mtimeMs}` : `${f}:-`)).join("\n"))
    .digest("hex")
    .slice(0, 16);
  const dir = join(LAB_CACHE, `base-${key}`);
  if (existsSync(join(dir, "libs.txt"))) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, "lib"), { recursive: true, mode: 0o755 });
  mkdirSync(join(tmp, "bin"), { recursive: true, mode: 0o755 });
  const libs = new Set<string>();
  for (const b of bins) for (const lib of sharedLibs(b)) libs.add(lib);
  addPython(tmp, libs);
  addDnf(tmp, libs);
  addRpmConfig(tmp);
  rmSync(join(tmp, "bin"), { recursive: true, force: true });
  writeFileSync(join(tmp, "libs.txt"), [...libs].join("\n") + "\n");
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process made it first
  }
  return dir;
}

/** Hard links of a tree (a copy where linking is impossible, e.g. across filesystems). */
function linkTree(from: string, to: string): void {
  if (runSync("cp", ["-al", from, to]).code === 0) return;
  rmSync(to, { recursive: true, force: true });
  const r = runSync("cp", ["-a", from, to]);
  if (r.code !== 0) throw new LabError(`lab base: cannot copy ${from} to ${to}: ${r.stderr.trim()}`);
}

/**
 * Debian's python3 and its standard library, in every node since dnf is real (issue 15; it was opt-in for the
 * benchmarks before, see NODE-STATE.md "Python in every node" for what limits it). It finds the library from its
 * own real path (<base>/bin → <base>/lib/python3.X).
 */
function addPython(base: string, libs: Set<string>): void {
  const exe = ["/usr/bin/python3"].find((c) => existsSync(c));
  if (!exe) throw new LabError("lab: --with-python needs Debian's python3 (apt-get install python3)");
  const real = realpathSync(exe);
  const version = basename(real); // python3.11
  const stdlib = `/usr/lib/${version}`;
  if (!existsSync(join(stdlib, "os.py"))) throw new LabError(`lab: ${stdlib}/os.py not found; apt-get install ${version}`);
  copyFileSync(real, join(base, "bin", "python3"));
  chmodSync(join(base, "bin", "python3"), 0o755);
  for (const lib of sharedLibs(real)) libs.add(lib);
  // keep __pycache__: without compiled modules every python start recompiles what it imports
  const skip = ["/test/", "/tests/", "/idlelib", "/tkinter", "/turtledemo", "/ensurepip", "/lib2to3", "/pydoc_data", "/config-3"];
  cpSync(stdlib, join(base, "lib", version), { recursive: true, dereference: true, filter: (src) => !skip.some((x) => src.includes(x)) });
  const dynload = join(stdlib, "lib-dynload");
  if (existsSync(dynload)) for (const so of readdirSync(dynload)) for (const lib of sharedLibs(join(dynload, so))) libs.add(lib);
}

/** dnf's python packages (python3-dnf, -hawkey, -libdnf, -rpm, -libcomps, -gpg) and the libraries of their modules. */
function addDnf(base: string, libs: Set<string>): void {
  const dist = "/usr/lib/python3/dist-packages";
  const to = join(base, "lib", "python3", "dist-packages");
  mkdirSync(to, { recursive: true, mode: 0o755 });
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".so")) for (const lib of sharedLibs(p)) libs.add(lib);
    }
  };
  for (const pkg of DNF_PY_PACKAGES) {
    const from = join(dist, pkg);
    if (!existsSync(from)) throw new LabError(`lab base: ${from} not found; apt-get install dnf python3-rpm python3-gpg`);
    cpSync(from, join(to, pkg), { recursive: true, dereference: true, filter: (src) => !/\/tests?(\/|$)/.test(src.slice(from.length)) });
    walk(join(to, pkg));
  }
}

/** rpm's configuration (/usr/lib/rpm: rpmrc, macros, platform) at <base>/usr-lib-rpm; a node's /usr/lib/rpm links to it. */
function addRpmConfig(base: string): void {
  cpSync("/usr/lib/rpm", join(base, "usr-lib-rpm"), { recursive: true, dereference: false });
}

/**
 * The lab's .rpm packages (src/lab/rpm): built once per machine (cache), copied to <base>/repos/<os>/<repo-id>/
 * (the nodes' file:// repositories) and <base>/rpmdb/<os>/ (the template rpm database lab-init copies).
 */
function addPackages(base: string, toolsDir: string): void {
  for (const what of ["repos", "rpms", "rpmdb"]) mkdirSync(join(base, what), { recursive: true, mode: 0o755 });
  for (const os of ["el7", "el9"] as const) {
    const { dir } = buildOsPackages(RPM_CACHE, toolsDir, os);
    linkTree(join(dir, "repos"), join(base, "repos", os));
    linkTree(join(dir, "rpms"), join(base, "rpms", os));
    // the template database is copied, not linked: lab-init copies it again into each node
    cpSync(join(dir, "rpmdb"), join(base, "rpmdb", os), { recursive: true });
    // what `rpm --import https://www.elrepo.org/RPM-GPG-KEY-elrepo.org` gets (tools/lab-urlhelper)
    writeFileSync(join(base, "rpms", os, "RPM-GPG-KEY-elrepo.org"), labGpgKey(RPM_CACHE));
  }
}

/** Shared libraries (including the dynamic loader) a binary needs, from ldd; none for scripts. */
function sharedLibs(binary: string): string[] {
  const r = runSync("ldd", [binary]);
  if (r.code !== 0) return [];
  const out: string[] = [];
  for (const line of r.stdout.split("\n")) {
    const arrow = /=>\s+(\/\S+)/.exec(line);
    const bare = /^\s*(\/\S+)\s+\(/.exec(line);
    const path = arrow?.[1] ?? bare?.[1];
    if (path) out.push(path);
  }
  return out;
}

/** Tool symlinks from <base>/tools/MANIFEST: lines `<path-in-node> <tool-file>`; # comments. */
export function readManifest(base: string): Array<{ nodePath: string; tool: string }> {
  const file = join(base, "tools", "MANIFEST");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.replace(/#.*/, "").trim())
    .filter(Boolean)
    .map((l) => l.split(/\s+/))
    .filter((f): f is [string, string] => f.length >= 2 && f[0]!.startsWith("/"))
    .map(([nodePath, tool]) => ({ nodePath, tool }));
}

export interface NodeRootSpec {
  name: string;
  os: NodeOs;
  ip: string;
  hostname?: string;
  /** Initial `.lab/faults` lines (key or key=value), present before lab-init runs. */
  faults?: readonly string[];
  /** `.lab/variant` lines (key=value, see variants.ts), read by lab-init. */
  variants?: readonly string[];
}

export interface NodeRootResult {
  root: string;
  /** "bind" = read-only bind mount of the base; "hardlink" = fallback copy by hard links (mounting impossible). */
  baseMode: "bind" | "hardlink";
  initLog: string;
}

const PRIVATE_DIRS = [
  "etc", "etc/sysctl.d", "usr/bin", "usr/sbin", "usr/lib", "usr/lib64", "usr/libexec", "usr/share", "usr/local/bin",
  "usr/local/sbin", "usr/local/lib", "usr/local/src", "var/lib", "var/log", "var/cache", "var/tmp", "boot", "root",
  "home", "tmp", "run", "opt/lab/base", "proc/sys/kernel/random", "proc/sys/fs", "proc/sys/net/ipv4", "proc/sys/vm",
  "proc/net", "sys/kernel", "sys/module", "sys/fs/cgroup", "dev", ".lab", "mnt", "srv",
];

/** Creates the node tree, mounts the base, links binaries and tools; no lab-init (see initNodeRoot). */
function layNodeRoot(labDir: string, spec: NodeRootSpec): string {
  const { dir, root, control } = nodePaths(labDir, spec.name);
  const base = labPaths(labDir).base;
  if (!existsSync(join(base, BASE_MARK))) throw new LabError(`lab: ${base} is not built; call buildBase first`);
  ensureSafeChain(labDir);
  for (const d of [join(labDir, "nodes"), dir, root]) mkdirSync(d, { recursive: true, mode: 0o755 });
  for (const d of PRIVATE_DIRS) mkdirSync(join(root, d), { recursive: true, mode: 0o755 });
  chmodSync(join(root, "tmp"), 0o1777);
  chmodSync(join(root, "var/tmp"), 0o1777);
  // usrmerge layout (EL7 and EL9 both): /bin, /sbin, /lib point into /usr; libs point into the base.
  link("usr/bin", join(root, "bin"));
  link("usr/sbin", join(root, "sbin"));
  link("usr/lib", join(root, "lib"));
  link("/opt/lab/base/lib", join(root, "lib64"));
  link("/opt/lab/base/lib", join(root, "usr/lib/x86_64-linux-gnu"));
  for (const name of readdirSync(join(base, "bin"))) link(`/opt/lab/base/bin/${name}`, join(root, nodePathOf(name)));
  link("/opt/lab/base/bin/bash", join(root, "usr/bin/sh"));
  link("/opt/lab/base/usr-lib-rpm", join(root, "usr/lib/rpm"));
  // Simulated tools win over real binaries of the same name.
  for (const { nodePath, tool } of readManifest(base)) {
    mkdirSync(join(root, dirname(nodePath)), { recursive: true, mode: 0o755 });
    link(`/opt/lab/base/tools/${tool}`, join(root, nodePath));
  }
  writeIfAbsent(join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n");
  writeIfAbsent(join(root, "etc/group"), "root:x:0:\n");
  writeIfAbsent(join(root, "etc/hostname"), (spec.hostname ?? spec.name) + "\n");
  writeFileSync(join(control, "personality"), spec.os + "\n");
  writeFileSync(join(control, "faults"), (spec.faults ?? []).map((f) => f + "\n").join(""));
  if ((spec.variants ?? []).length > 0) writeFileSync(join(control, "variant"), spec.variants!.map((v) => v + "\n").join(""));
  writeIfAbsent(join(control, "invocations.log"), "");
  return root;
}

/** Replaces whatever is at `at` with a symlink to `target`. */
function link(target: string, at: string): void {
  try {
    symlinkSync(target, at);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    rmSync(at, { force: true, recursive: false });
    symlinkSync(target, at);
  }
}

function writeIfAbsent(file: string, text: string): void {
  if (!existsSync(file)) writeFileSync(file, text);
}

const DEVICES: Array<[string, number, number]> = [["null", 1, 3], ["zero", 1, 5], ["full", 1, 7], ["random", 1, 8], ["urandom", 1, 9], ["tty", 5, 0]];

/** Device nodes made once per lab (mknod); nodes get hard links to them (no process per node). */
function deviceTemplate(labDir: string): string {
  const dev = join(labDir, "dev");
  mkdirSync(dev, { recursive: true, mode: 0o755 });
  const missing = DEVICES.filter(([name]) => !existsSync(join(dev, name)));
  if (missing.length === 0) return dev;
  const script = missing.map(([name, major, minor]) => `mknod -m 666 ${join(dev, name)} c ${major} ${minor}`).join(" && ");
  const r = runSync("/bin/sh", ["-c", script]);
  if (r.code !== 0) {
    throw new LabError(`lab: mknod in ${dev} failed (${r.stderr.trim()}); the lab needs root with CAP_MKNOD on a filesystem without nodev`);
  }
  return dev;
}

/**
 * Device nodes and the read-only base mount for many roots, the mounts in ONE shell (spawning per node is
 * the slow part at 100 nodes). Returns per root "bind", or "hardlink" where mounting was impossible.
 */
function privilegedSetup(labDir: string, roots: readonly string[]): Array<"bind" | "hardlink"> {
  const base = labPaths(labDir).base;
  const dev = deviceTemplate(labDir);
  for (const root of roots) {
    for (const [name] of DEVICES) {
      const at = join(root, "dev", name);
      if (!existsSync(at)) linkSync(join(dev, name), at);
    }
  }
  const q = (s: string) => "'" + s.replace(/'/g, `'"'"'`) + "'";
  const mounted = new Set(mountsUnder(realpathSync(join(labDir, "nodes"))));
  const lines = ["set -u"];
  roots.forEach((root, i) => {
    const target = join(root, "opt/lab/base");
    if (mounted.has(realpathSync(target))) return;
    // util-linux >= 2.27 applies "ro" to a bind mount by itself (bind + remount in one call).
    lines.push(`mount --bind -o ro ${q(base)} ${q(target)} || echo "NOBIND ${i}"`);
  });
  lines.push("echo DONE");
  // The script goes through stdin: at 100 nodes it is larger than one exec argument may be.
  const r = runSync("/bin/bash", ["-s"], lines.join("\n") + "\n");
  const out = r.stdout.split("\n");
  if (!out.includes("DONE")) throw new LabError(`lab: node root setup script failed (exit ${r.code}): ${r.stderr.trim().slice(0, 500)}`);
  const noBind = new Set(out.filter((l) => l.startsWith("NOBIND")).map((l) => Number(l.split(" ")[1])));
  return roots.map((root, i) => {
    if (!noBind.has(i)) return "bind";
    const target = join(root, "opt/lab/base");
    hardlinkTree(base, target);
    return "hardlink";
  });
}

/** sshd's ChrootDirectory rule: every component up to / root-owned and not group/world writable. */
export function ensureSafeChain(labDir: string): void {
  mkdirSync(labDir, { recursive: true, mode: 0o755 });
  let p = realpathSync(labDir);
  for (;;) {
    const st = statSync(p);
    if (st.uid !== 0 || (st.mode & 0o022) !== 0) {
      throw new LabError(`lab: ${p} must be owned by root and not group/world writable (sshd ChrootDirectory rule); use a lab dir such as /var/lib/remedy-lab`);
    }
    if (p === "/") return;
    p = dirname(p);
  }
}

function hardlinkTree(from: string, to: string): void {
  for (const e of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, e.name);
    const dst = join(to, e.name);
    if (e.isDirectory()) {
      mkdirSync(dst, { recursive: true });
      hardlinkTree(src, dst);
    } else {
      rmSync(dst, { force: true });
      linkSync(src, dst);
    }
  }
}

/** Files lab-init normally writes; used only while the node tools do not ship lab-init yet. */
function minimalState(root: string, spec: NodeRootSpec): void {
  const kernel = spec.os === "el7" ? "3.10.0-1160.el7.x86_64" : "5.14.0-362.8.1.el9_3.x86_64";
  const files: Record<string, string> = {
    "proc/sys/kernel/osrelease": kernel,
    "proc/sys/kernel/hostname": spec.hostname ?? spec.name,
    "proc/sys/kernel/random/boot_id": randomUuid(),
    "proc/sys/fs/pipe-user-pages-soft": "16384",
    "proc/sys/net/ipv4/ip_forward": "0",
    "etc/os-release": spec.os === "el7"
      ? 'NAME="CentOS Linux"\nVERSION="7 (Core)"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="7"\nPRETTY_NAME="CentOS Linux 7 (Core)"\n'
      : 'NAME="Rocky Linux"\nVERSION="9.3 (Blue Onyx)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\nPRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"\n',
  };
  for (const [rel, text] of Object.entries(files)) writeIfAbsent(join(root, rel), text + (text.endsWith("\n") ? "" : "\n"));
}

export function randomUuid(): string {
  return globalThis.crypto.randomUUID();
}

/** Runs lab-init inside the node if the tools ship it (else writes the minimal state above). */
async function initNodeRoot(labDir: string, spec: NodeRootSpec): Promise<string> {
  const root = nodePaths(labDir, spec.name).root;
  if (!existsSync(join(labPaths(labDir).base, "tools", "lab-init"))) {
    minimalState(root, spec);
    return "lab-init absent: minimal state written\n";
  }
  const r = await run("chroot", [root, "/opt/lab/base/tools/lab-init", spec.os, spec.hostname ?? spec.name, spec.ip], {
    env: nodeEnv(),
    timeoutMs: 60_000,
  });
  if (r.code !== 0) {
    const out = (r.stderr || r.stdout).trim().slice(-800) || "(no output)";
    const rerun = `chroot ${root} /bin/bash -x /opt/lab/base/tools/lab-init ${spec.os} ${spec.hostname ?? spec.name} ${spec.ip}`;
    throw new LabError(`lab: lab-init failed on ${spec.name} (exit ${r.code}): ${out}\nto see where: ${rerun}`);
  }
  return r.stdout + r.stderr;
}

/** Environment for programs run inside a node: nothing of the host's leaks in. */
export function nodeEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin", HOME: "/root", LANG: "C", TERM: "dumb", ...extra };
}

/** Creates one node root (sync layout + mount, then lab-init). Returns the root path. */
export async function createNodeRoot(labDir: string, spec: NodeRootSpec): Promise<NodeRootResult> {
  const root = layNodeRoot(labDir, spec);
  const [baseMode = "bind"] = privilegedSetup(labDir, [root]);
  const initLog = await initNodeRoot(labDir, spec);
  return { root, baseMode, initLog };
}

/**
 * Many node roots at once: layouts + mounts serially (cheap), lab-init in parallel for one template per OS
 * and every node with initial faults; the other nodes are copies of their template (clone.ts).
 */
export async function createNodeRoots(
  labDir: string,
  specs: readonly NodeRootSpec[],
  concurrency = 8,
  onLaid?: () => void,
  o: { clone?: boolean; templateCache?: string } = {},
): Promise<NodeRootResult[]> {
  const roots = specs.map((s) => layNodeRoot(labDir, s));
  const modes = privilegedSetup(labDir, roots);
  onLaid?.();
  const copies = o.clone !== false;
  const templateOf = copies ? planClones(specs) : new Map<number, number>();
  const templates = copies ? planTemplates(specs) : new Map<NodeOs, number>();
  const base = labPaths(labDir).base;
  const keys = new Map([...templates.keys()].map((os) => [os, templateKey(base, os)]));
  // templates booted before (by another lab on this machine, from the same tools and packages) are copied too
  const cached = new Map<number, CachedTemplate>();
  for (const [os, t] of templates) {
    const c = cachedTemplate(os, keys.get(os)!, o.templateCache);
    if (c) cached.set(t, c);
  }
  const logs: string[] = [];
  const full = specs.map((_, i) => i).filter((i) => !templateOf.has(i) && !cached.has(i));
  await pool(full, concurrency, async (i) => {
    logs[i] = await initNodeRoot(labDir, specs[i]!);
  });
  for (const [t, c] of cached) {
    const spec = specs[t]!;
    cloneNodeRoot(c.root, roots[t]!, identityRewrite(c.spec, spec, randomTokens(c.root)));
    logs[t] = `lab-init: ${spec.os} node ${spec.hostname ?? spec.name} (${spec.ip}) copied from the cached ${spec.os} template ${c.key}\n`;
  }
  for (const [os, t] of templates) if (!cached.has(t)) saveTemplate(os, keys.get(os)!, roots[t]!, specs[t]!, o.templateCache);
  for (const [i, t] of templateOf) {
    const [spec, template] = [specs[i]!, specs[t]!];
    const rewrite = identityRewrite(template, spec, randomTokens(roots[t]!));
    cloneNodeRoot(roots[t]!, roots[i]!, rewrite);
    logs[i] = `lab-init: ${spec.os} node ${spec.hostname ?? spec.name} (${spec.ip}) cloned from ${template.name}\n`;
  }
  return roots.map((root, i) => ({ root, baseMode: modes[i] ?? "bind", initLog: logs[i] ?? "" }));
}

/** One more node root copied from a booted node of the same OS (as createNodeRoots copies its templates). */
export function cloneNodeRootFrom(labDir: string, template: { spec: NodeRootSpec; root: string }, spec: NodeRootSpec): NodeRootResult {
  if (planClones([template.spec, spec]).get(1) !== 0) {
    throw new LabError(`lab: ${spec.name} cannot be a copy of ${template.spec.name} (other OS, initial faults or variants, or a template at .254)`);
  }
  const root = layNodeRoot(labDir, spec);
  const [baseMode = "bind"] = privilegedSetup(labDir, [root]);
  cloneNodeRoot(template.root, root, identityRewrite(template.spec, spec, randomTokens(template.root)));
  return { root, baseMode, initLog: `lab-init: ${spec.os} node ${spec.hostname ?? spec.name} (${spec.ip}) cloned from ${template.spec.name}\n` };
}

/** OS -> index of the node its OS's copies are made from: the first without initial faults or variants (not at .254). */
export function planTemplates(specs: readonly Pick<NodeRootSpec, "os" | "ip" | "faults" | "variants">[]): Map<NodeOs, number> {
  const templates = new Map<NodeOs, number>();
  specs.forEach((s, i) => {
    if ((s.faults ?? []).length > 0 || (s.variants ?? []).length > 0 || templates.has(s.os)) return;
    if (canBeTemplate(s.ip)) templates.set(s.os, i);
  });
  return templates;
}

/** index -> template index for every node that can be a copy: no initial faults or variants, same OS as a template. */
export function planClones(specs: readonly Pick<NodeRootSpec, "os" | "ip" | "faults" | "variants">[]): Map<number, number> {
  const templates = planTemplates(specs);
  const out = new Map<number, number>();
  specs.forEach((s, i) => {
    if ((s.faults ?? []).length > 0 || (s.variants ?? []).length > 0) return;
    const t = templates.get(s.os);
    // a node before its OS's template (only one at .254 can be) is made by lab-init, as before
    if (t !== undefined && i > t) out.set(i, t);
  });
  return out;
}

/** Unmounts everything under the node dir (lazily if busy) and removes it; refuses to delete through a mount. */
export async function destroyNodeRoot(labDir: string, name: string): Promise<void> {
  const { dir } = nodePaths(labDir, name);
  if (!existsSync(dir)) return;
  const left = await unmountUnder(realpathSync(dir));
  if (left.length > 0) throw new LabError(`lab: cannot unmount ${left.join(", ")}; not removing ${dir}`);
  rmSync(dir, { recursive: true, force: true });
}

export function destroyNodeRootSync(labDir: string, name: string): void {
  const { dir } = nodePaths(labDir, name);
  if (!existsSync(dir)) return;
  const left = unmountUnderSync(realpathSync(dir));
  if (left.length > 0) throw new LabError(`lab: cannot unmount ${left.join(", ")}; not removing ${dir}`);
  rmSync(dir, { recursive: true, force: true });
}
