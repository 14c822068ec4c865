// The 8 read-only probes (same order as bench/probes.yml and bench/ansible/*.yml), what each node
// should answer (read from the node's own files on the controller side, not over SSH), and the
// per-host verification of what a tool reported.
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
import { join, posix } from "node:path";

/** name = remedy step name = ansible task name. */
export const PROBES = [
  { name: "kernel release", cmd: "uname -r", exits: [0] },
  { name: "pipe user pages soft", cmd: "cat /proc/sys/fs/pipe-user-pages-soft", exits: [0] },
  { name: "ip forwarding", cmd: "sysctl -n net.ipv4.ip_forward", exits: [0] },
  { name: "kernel-ml package", cmd: "rpm -q kernel-ml", exits: [0, 1] },
  { name: "os release", cmd: "cat /etc/os-release", exits: [0] },
  { name: "grub menu entries", cmd: "grep -c menuentry /etc/default/grub", exits: [0, 1] },
  { name: "var lib listing", cmd: "ls /var/lib", exits: [0] },
  { name: "runc present", cmd: "test -e /usr/bin/runc", exits: [0, 1] },
];

/** Line endings of a tty (ansible raw uses ssh -tt) and trailing blanks do not count. */
export function normalizeOutput(s) {
  return String(s ?? "").replace(/\r\n?/g, "\n").trim();
}

/** Pure: the answers expected from a node, given readers of its files. */
export function expectedAnswers(node) {
  const kml = node.installed?.("kernel-ml");
  const grub = node.read("/etc/default/grub");
  const grubCount = grub === undefined ? 0 : grub.split("\n").filter((l) => l.includes("menuentry")).length;
  const lib = node.list("/var/lib");
  return [
    { exit: 0, stdout: normalizeOutput(node.read("/proc/sys/kernel/osrelease")) },
    { exit: 0, stdout: normalizeOutput(node.read("/proc/sys/fs/pipe-user-pages-soft")) },
    { exit: 0, stdout: normalizeOutput(node.read("/proc/sys/net/ipv4/ip_forward")) },
    kml === undefined
      ? { exits: [0, 1], stdoutRe: /^(package kernel-ml is not installed|kernel-ml-\S+)$/m }
      : kml.length === 0
        ? { exit: 1, stdout: "package kernel-ml is not installed" }
        : { exit: 0, stdout: kml.join("\n") },
    { exit: 0, stdout: normalizeOutput(node.read("/etc/os-release")) },
    grub === undefined ? { exits: [2] } : { exit: grubCount > 0 ? 0 : 1, stdout: String(grubCount) },
    { exit: 0, lines: lib === undefined ? undefined : [...lib].filter((e) => !e.startsWith(".")).sort() },
    { exit: node.exists("/usr/bin/runc") ? 0 : 1, stdout: "" },
  ];
}

/** Readers of a lab node's root filesystem as the node sees it (absolute symlinks resolve inside the root). */
export function nodeFiles(root) {
  const inRoot = (p, depth = 0) => {
    // resolve symlinks component by component, relative to the node root
    const parts = p.split("/").filter(Boolean);
    let cur = "/";
    for (let i = 0; i < parts.length; i++) {
      const next = posix.join(cur, parts[i]);
      const host = join(root, next);
      let st;
      try {
        st = lstatSync(host);
      } catch {
        return join(root, posix.join(next, ...parts.slice(i + 1)));
      }
      if (st.isSymbolicLink() && depth < 20) {
        const target = readlinkSync(host);
        const abs = target.startsWith("/") ? target : posix.join(cur, target);
        return inRoot(posix.join(abs, ...parts.slice(i + 1)), depth + 1);
      }
      cur = next;
    }
    return join(root, cur);
  };
  return {
    read: (p) => {
      try {
        return readFileSync(inRoot(p), "utf8");
      } catch {
        return undefined;
      }
    },
    list: (p) => {
      try {
        return readdirSync(inRoot(p));
      } catch {
        return undefined;
      }
    },
    exists: (p) => existsSync(inRoot(p)),
    // the node's own rpm database, asked with the node's rpm (chrooted: it reads nothing else)
    installed: (name) => {
      try {
        const out = execFileSync("chroot", [root, "/opt/lab/base/bin/rpm", "-q", "--qf", "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n", name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
        return out.split("\n").filter(Boolean);
      } catch (e) {
        return e && e.status === 1 ? [] : undefined;
      }
    },
  };
}

/**
 * Pure: problems with one host's reported probes ([] = all 8 ran, were accepted, and answered right).
 * @param {Array<{name: string, ok: boolean, exit: number|null, stdout: string}|undefined>} got  in PROBES order
 */
export function verifyHost(got, expected) {
  const problems = [];
  PROBES.forEach((p, i) => {
    const g = got[i];
    const e = expected[i];
    if (!g) return problems.push(`${p.name}: no result`);
    if (!g.ok) problems.push(`${p.name}: not ok`);
    const out = normalizeOutput(g.stdout);
    if (e.exit !== undefined && g.exit !== e.exit) problems.push(`${p.name}: exit ${g.exit}, expected ${e.exit}`);
    if (e.exits && !e.exits.includes(g.exit)) problems.push(`${p.name}: exit ${g.exit}, expected ${e.exits.join("/")}`);
    if (e.stdout !== undefined && out !== e.stdout) problems.push(`${p.name}: output ${JSON.stringify(out.slice(0, 80))}, expected ${JSON.stringify(e.stdout.slice(0, 80))}`);
    if (e.stdoutRe && !e.stdoutRe.test(out)) problems.push(`${p.name}: output ${JSON.stringify(out.slice(0, 80))} does not match ${e.stdoutRe}`);
    // ls to a tty (ansible raw runs ssh -tt) prints columns: compare the set of names
    if (e.lines && out.split(/\s+/).filter(Boolean).sort().join("\n") !== e.lines.join("\n")) {
      problems.push(`${p.name}: listing ${JSON.stringify(out.slice(0, 80))}, expected ${JSON.stringify(e.lines.join(" ").slice(0, 80))}`);
    }
  });
  return problems;
}
