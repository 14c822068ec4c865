// What one collection round trip learned about a host (types only). Built by parseCollected(), read by findings.ts.

/** Where a log line came from: rsyslog files (all boots), the kernel journal/dmesg of this boot, kubelet's journal of this boot. */
export type LogSource = "syslog" | "kernel" | "kubelet";

export interface RuncBinary {
  path: string;
  /** `runc version X` value, e.g. "1.0.0-rc93", "1.0.0-rc5+dev.docker-18.06"; undefined if the binary printed none */
  version?: string;
  commit?: string;
  /** first line of the output when no version was found (an error text is data) */
  raw?: string;
  /** the runc-nokmem.yml build (/usr/local/lib/remedy/runc-nokmem-*) this binary is byte-identical to */
  nokmemBuild?: string;
}

export interface RuncInfo {
  binaries: RuncBinary[];
  dockerServerVersion?: string;
  dockerDefaultRuntime?: string;
  /** `runc version:` of `docker info` (a commit, maybe with " (expected: ...)") */
  dockerRuncCommit?: string;
}

export type KmemState = "active" | "inactive" | "absent" | "unknown";

export interface KmemInfo {
  state: KmemState;
  /** memory.kmem.slabinfo files read, with their first line (or the cat error) */
  files: Array<{ path: string; firstLine: string; active: boolean | undefined }>;
}

export interface OffloadInfo {
  iface?: string;
  gro?: { on: boolean; fixed: boolean };
  gso?: { on: boolean; fixed: boolean };
  /** the ethtool output when it was no feature list (tool missing, bad device) */
  error?: string;
}

export interface KpatchInfo {
  /** false when `kpatch` is not installed */
  available: boolean;
  loaded: Array<{ name: string; state: string }>;
  installed: Array<{ name: string; kernel: string }>;
}

export interface Observations {
  kernel: string;
  bootId: string;
  os: { id: string; versionId: string; prettyName: string };
  /** signature-matching log lines per source, in the order the host printed them (oldest first) */
  logs: Record<LogSource, string[]>;
  /** which tool produced the "kernel" lines */
  kernelLogTool: "journalctl" | "dmesg" | "none";
  runc: RuncInfo;
  cgroupVersion: 1 | 2 | undefined;
  kmem: KmemInfo;
  offload: OffloadInfo;
  pipeUserPagesSoft: number | undefined;
  kpatch: KpatchInfo;
  /** netconsole module loaded (lsmod); undefined when lsmod is missing */
  netconsole: boolean | undefined;
  /** sections the host did not print (script cut short) */
  missingSections: string[];
}
