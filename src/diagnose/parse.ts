// collectScript() stdout → Observations (pure). Tolerates a cut-short or partly failing script: what is missing
// is recorded, never thrown.
import type { KmemInfo, KpatchInfo, Observations, OffloadInfo, RuncBinary, RuncInfo } from "./observations.js";
import { SECTIONS, SECTION_MARK } from "./script.js";

const MARK_RE = new RegExp(`^${SECTION_MARK}(.+)===$`);

/** stdout → section name → lines (blank lines dropped, order kept) */
export function splitSections(stdout: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur: string[] | undefined;
  for (const raw of stdout.split("\n")) {
    const line = raw.replace(/\r$/, "");
    const m = MARK_RE.exec(line);
    if (m) {
      cur = [];
      out.set(m[1] as string, cur);
    } else if (cur && line.trim() !== "") cur.push(line);
  }
  return out;
}

function osRelease(lines: string[]): Observations["os"] {
  const kv = new Map<string, string>();
  for (const l of lines) {
    const m = /^([A-Z_]+)=(.*)$/.exec(l);
    if (m) kv.set(m[1] as string, (m[2] as string).replace(/^["']|["']$/g, ""));
  }
  return { id: kv.get("ID") ?? "", versionId: kv.get("VERSION_ID") ?? "", prettyName: kv.get("PRETTY_NAME") ?? "" };
}

function runcBinary(path: string, lines: string[]): RuncBinary {
  const b: RuncBinary = { path };
  for (const l of lines) {
    const v = /^runc version (\S+)/.exec(l);
    if (v) b.version = v[1];
    const c = /^commit: (\S+)/.exec(l);
    if (c) b.commit = c[1];
    if (l.startsWith("@@nokmem=")) b.nokmemBuild = l.slice(9);
  }
  if (b.version === undefined && lines[0] !== undefined && !lines[0].startsWith("@@")) b.raw = lines[0];
  return b;
}

function runcInfo(sections: Map<string, string[]>): RuncInfo {
  const info: RuncInfo = { binaries: [] };
  for (const l of sections.get("docker") ?? []) {
    const m = /^\s*(Server Version|Default Runtime|runc version):\s*(.*)$/.exec(l);
    if (!m) continue;
    const v = (m[2] as string).trim();
    if (m[1] === "Server Version") info.dockerServerVersion = v;
    else if (m[1] === "Default Runtime") info.dockerDefaultRuntime = v;
    else info.dockerRuncCommit = v;
  }
  for (const [name, lines] of sections) if (name.startsWith("runc:")) info.binaries.push(runcBinary(name.slice(5), lines));
  return info;
}

function kmemInfo(lines: string[]): KmemInfo {
  const files: KmemInfo["files"] = [];
  for (const l of lines) {
    if (l.startsWith("@@file=")) files.push({ path: l.slice(7), firstLine: "", active: undefined });
    else {
      const f = files[files.length - 1];
      if (!f || f.firstLine) continue;
      f.firstLine = l;
      // mem_cgroup_slabinfo_read() returns EIO while kmem accounting is off for the cgroup (domain-facts §3.3)
      f.active = /Input\/output error/.test(l) ? false : /^slabinfo - version/.test(l) ? true : /^cat: /.test(l) ? undefined : true;
    }
  }
  const state = files.length === 0 ? "absent" : files.some((f) => f.active === true) ? "active" : files.every((f) => f.active === false) ? "inactive" : "unknown";
  return { state, files };
}

function offloadInfo(lines: string[]): OffloadInfo {
  const o: OffloadInfo = {};
  const other: string[] = [];
  for (const l of lines) {
    if (l.startsWith("@@iface=")) {
      o.iface = l.slice(8) || undefined;
      continue;
    }
    const m = /^\s*generic-(receive|segmentation)-offload: (on|off)( \[fixed\])?/.exec(l);
    if (m) {
      const v = { on: m[2] === "on", fixed: Boolean(m[3]) };
      if (m[1] === "receive") o.gro = v;
      else o.gso = v;
    } else if (!/^Features for /.test(l)) other.push(l);
  }
  if (!o.gro && !o.gso) o.error = o.iface ? other.join("\n") || "no offload lines in `ethtool -k` output" : "no default route in /proc/net/route";
  return o;
}

/** `kpatch list` two-section format (domain-facts §1.4) */
export function parseKpatchList(lines: string[]): KpatchInfo {
  const k: KpatchInfo = { available: !lines.includes("@@absent"), loaded: [], installed: [] };
  let sect: "loaded" | "installed" | undefined;
  for (const l of lines) {
    if (/^Loaded patch modules:/.test(l)) sect = "loaded";
    else if (/^Installed patch modules:/.test(l)) sect = "installed";
    else if (/^\S.*:$/.test(l)) sect = undefined; // Stalled processes:, Currently livepatched functions:
    else if (sect === "loaded") {
      const m = /^(\S+) \[([^\]]+)\]/.exec(l);
      if (m) k.loaded.push({ name: m[1] as string, state: m[2] as string });
    } else if (sect === "installed") {
      const m = /^(\S+) \(([^)]+)\)/.exec(l);
      if (m) k.installed.push({ name: m[1] as string, kernel: m[2] as string });
    }
  }
  return k;
}

export function parseCollected(stdout: string): Observations {
  const s = splitSections(stdout);
  const get = (n: string) => s.get(n) ?? [];
  const kernelLines = get("kernel");
  const toolLine = kernelLines.find((l) => l.startsWith("@@tool="));
  const pipe = (get("pipe")[0] ?? "").trim();
  const cg = (get("cgroup")[0] ?? "").trim();
  const nc = get("netconsole");
  return {
    kernel: (get("uname")[0] ?? "").trim(),
    bootId: (get("boot_id")[0] ?? "").trim(),
    os: osRelease(get("os")),
    logs: {
      kernel: kernelLines.filter((l) => !l.startsWith("@@tool=")),
      syslog: get("syslog"),
      kubelet: get("kubelet"),
    },
    kernelLogTool: toolLine === "@@tool=journalctl" ? "journalctl" : toolLine === "@@tool=dmesg" ? "dmesg" : "none",
    runc: runcInfo(s),
    cgroupVersion: cg === "1" ? 1 : cg === "2" ? 2 : undefined,
    kmem: kmemInfo(get("kmem")),
    offload: offloadInfo(get("offload")),
    pipeUserPagesSoft: /^\d+$/.test(pipe) ? Number(pipe) : undefined,
    kpatch: parseKpatchList(get("kpatch")),
    netconsole: nc.includes("@@lsmod") ? nc.some((l) => /^netconsole\s/.test(l)) : undefined,
    missingSections: SECTIONS.filter((n) => !s.has(n)),
  };
}
