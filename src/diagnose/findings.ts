// Observations → findings (pure): log signatures seen (incidents) and configurations known to lead to them (risks).
import type { LogSource, Observations, RuncBinary, RuncInfo } from "./observations.js";
import { collectEvidence, tallyLines } from "./signatures.js";
import { isElrepo61Vulnerable, isKernel310, isRc93, runcBelowRc94 } from "./versions.js";

/** critical: the problem happened (log evidence); warning: the node is set up for it; info: advice, not a problem */
export type Severity = "critical" | "warning" | "info";

export interface Finding {
  id: string;
  severity: Severity;
  title: string;
  evidence: { line: string; count: number; source: LogSource | "state" };
  /** playbook to run (playbooks/<name>); absent when the node as it is now leaves none to run (the fix is in place) */
  recommend?: string;
  /** playbooks to run after `recommend` */
  then?: string[];
}

export const PLAYBOOK = {
  kpatchRoute: "kpatch-route.yml",
  kernelUpgrade: "kernel-upgrade.yml",
  runcNokmem: "runc-nokmem.yml",
  ethtoolOffload: "ethtool-offload.yml",
  runcUpgrade: "runc-upgrade.yml",
  sysctlRevert: "sysctl-revert.yml",
  netconsole: "netconsole.yml",
} as const;

const DEFAULT_PIPE_USER_PAGES_SOFT = 16384;

/** The runc docker actually runs: the binary whose commit `docker info` reports, else the default runtime's name,
 *  else the first binary that printed a version. */
export function effectiveRunc(r: RuncInfo): RuncBinary | undefined {
  const known = r.binaries.filter((b) => b.version !== undefined);
  const commit = r.dockerRuncCommit?.split(/\s/)[0];
  if (commit && commit !== "N/A") {
    const byCommit = known.find((b) => b.commit && (b.commit.startsWith(commit) || commit.startsWith(b.commit)));
    if (byCommit) return byCommit;
  }
  const rt = r.dockerDefaultRuntime;
  if (rt) {
    const byName = known.find((b) => b.path.endsWith(`/${rt}`));
    if (byName) return byName;
  }
  return known[0];
}

/** GRO and GSO both seen and both off (not "on [fixed]") in `ethtool -k` now. */
function offloadsOffNow(obs: Observations): boolean {
  const { gro, gso } = obs.offload;
  return gro !== undefined && gso !== undefined && !gro.on && !gso.on;
}

/** What runc-nokmem.yml's own checks find now: nothing to do when its steps do not apply (cgroup v2: no kmem
 *  accounting to disable), or the runtime's runc is byte-identical to its nokmem build, or runc is >= 1.0.0-rc94
 *  (ignores kmem settings). undefined while it would still change the node. */
export function runcNokmemDone(obs: Observations, runc: RuncBinary | undefined): string | undefined {
  if (obs.cgroupVersion === 2) return "cgroup v2: no kmem accounting to disable";
  if (runc?.nokmemBuild) return `${runc.path} is the nokmem build ${runc.nokmemBuild}`;
  if (runcBelowRc94(runc?.version) === false) return `runc ${runc?.version} ignores kmem settings`;
  return undefined;
}

/** What runc-upgrade.yml's own check finds now: the runtime's runc prints a version other than 1.0.0-rc93. */
function runcUpgradeDone(runc: RuncBinary | undefined): string | undefined {
  return runc?.version !== undefined && !isRc93(runc.version) ? `runc ${runc.version} is not 1.0.0-rc93` : undefined;
}

/** A host is clean when it has no finding above info. */
export function isClean(fs: readonly Finding[]): boolean {
  return fs.every((f) => f.severity === "info");
}

export function findings(obs: Observations): Finding[] {
  const out: Finding[] = [];
  const el310 = isKernel310(obs.kernel);
  const runc = effectiveRunc(obs.runc);
  const runcLine = runc ? `${runc.path}: runc version ${runc.version}` : "";
  const seen = new Set<string>();

  for (const e of collectEvidence(obs.logs)) {
    const ev = { line: e.line, count: e.count > 0 ? e.count : e.support.length, source: e.source };
    seen.add(e.id);
    switch (e.id) {
      case "netdev-refcnt": {
        const patched = obs.kpatch.loaded.some((m) => /route/.test(m.name) && m.state === "enabled");
        // a loaded route patch with no repeat in this boot: the lines are history from before the patch
        if (patched && !obs.logs.kernel.some((l) => /unregister_netdevice: waiting for/.test(l))) break;
        out.push({
          id: "netdev-refcnt-leak",
          severity: "critical",
          title: el310 && !patched ? "netdev refcount leak (unregister_netdevice waiting): fnhe race, live-patchable on 3.10" : "netdev refcount leak (unregister_netdevice waiting)",
          evidence: ev,
          recommend: el310 && !patched ? PLAYBOOK.kpatchRoute : PLAYBOOK.kernelUpgrade,
        });
        break;
      }
      case "slub-kmem": {
        // re-checked against the node as it is now: runc-nokmem.yml's checks pass → the kernel is what is left
        const done = runcNokmemDone(obs, runc);
        if (!done) {
          out.push({ id: "slub-kmem", severity: "critical", title: "SLUB allocation failures (cgroup kmem accounting)", evidence: ev, recommend: PLAYBOOK.runcNokmem });
          break;
        }
        // only earlier boots logged it (the kernel log of this boot has none): history from before the fix
        if (obs.kernelLogTool !== "none" && !tallyLines(obs.logs.kernel).has("slub-kmem")) break;
        out.push({ id: "slub-kmem", severity: "critical", title: `SLUB allocation failures (cgroup kmem accounting); runc is fixed now (${done}), the lasting fix is the kernel`, evidence: ev, recommend: PLAYBOOK.kernelUpgrade });
        break;
      }
      case "skb-bug":
        // re-checked against the node as it is now: GRO/GSO already off (ethtool-offload.yml applied) leaves the kernel fix
        if (offloadsOffNow(obs)) {
          out.push({ id: "skb-segment-bug", severity: "critical", title: "kernel BUG in skb_segment (GRO/GSO); GRO/GSO are off now, the lasting fix is the kernel", evidence: ev, recommend: PLAYBOOK.kernelUpgrade });
          break;
        }
        out.push({
          id: "skb-segment-bug",
          severity: "critical",
          title: "kernel BUG in skb_segment (GRO/GSO)",
          evidence: ev,
          recommend: PLAYBOOK.ethtoolOffload,
          then: [PLAYBOOK.kernelUpgrade],
        });
        break;
      case "pleg": {
        // re-checked against the node as it is now: runc-upgrade.yml's check passes → it has nothing left to do
        const done = runcUpgradeDone(runc);
        if (done) {
          out.push({ id: "pleg-runc-hang", severity: "critical", title: `PLEG not healthy in this boot; ${done} now (runc-upgrade.yml has nothing to do): if it repeats, look beyond runc`, evidence: ev });
          break;
        }
        out.push({ id: "pleg-runc-hang", severity: "critical", title: "PLEG not healthy (runc init hang)", evidence: ev, recommend: PLAYBOOK.runcUpgrade });
        break;
      }
    }
  }

  // risks: the configuration behind each incident, when the incident itself was not (yet) logged
  // re-checked: once runc-nokmem.yml's checks pass (its nokmem build runs), runc no longer turns kmem accounting on
  if (!seen.has("slub-kmem") && el310 && obs.kmem.state === "active" && runcBelowRc94(runc?.version) === true && !runcNokmemDone(obs, runc)) {
    const f = obs.kmem.files.find((x) => x.active === true);
    out.push({
      id: "kmem-accounting-active",
      severity: "warning",
      title: `kernel 3.10 with cgroup kmem accounting active and runc ${runc?.version} (< 1.0.0-rc94, built with kmem)`,
      evidence: { line: `${f?.path}: ${f?.firstLine}; ${runcLine}`, count: obs.kmem.files.filter((x) => x.active === true).length, source: "state" },
      recommend: PLAYBOOK.runcNokmem,
    });
  }
  const offloadOn = [obs.offload.gro, obs.offload.gso].some((o) => o?.on === true && !o.fixed);
  if (!seen.has("skb-bug") && isElrepo61Vulnerable(obs.kernel) && offloadOn) {
    const st = (n: string, o?: { on: boolean; fixed: boolean }) => (o ? `${n}: ${o.on ? "on" : "off"}${o.fixed ? " [fixed]" : ""}` : `${n}: ?`);
    out.push({
      id: "gso-gro-on-6.1",
      severity: "warning",
      title: `kernel ${obs.kernel} (< 6.1.109) with GRO/GSO on: skb_segment BUG risk`,
      evidence: { line: `${obs.offload.iface}: ${st("generic-receive-offload", obs.offload.gro)}, ${st("generic-segmentation-offload", obs.offload.gso)}`, count: 1, source: "state" },
      recommend: PLAYBOOK.ethtoolOffload,
      then: [PLAYBOOK.kernelUpgrade],
    });
  }
  if (!seen.has("pleg") && isRc93(runc?.version)) {
    out.push({ id: "runc-rc93", severity: "warning", title: "runc 1.0.0-rc93 (runc init hangs on full pipes, fixed in rc94)", evidence: { line: runcLine, count: 1, source: "state" }, recommend: PLAYBOOK.runcUpgrade });
  }
  if (obs.pipeUserPagesSoft !== undefined && obs.pipeUserPagesSoft !== DEFAULT_PIPE_USER_PAGES_SOFT && runcBelowRc94(runc?.version) === false) {
    out.push({
      id: "pipe-workaround-left",
      severity: "warning",
      title: `fs.pipe-user-pages-soft = ${obs.pipeUserPagesSoft} (rc93 workaround) although runc ${runc?.version} is fixed`,
      evidence: { line: `fs.pipe-user-pages-soft = ${obs.pipeUserPagesSoft}; ${runcLine}`, count: 1, source: "state" },
      recommend: PLAYBOOK.sysctlRevert,
    });
  }
  if (obs.netconsole === false) {
    out.push({ id: "netconsole-off", severity: "info", title: "netconsole not loaded: a kernel panic would leave no trace", evidence: { line: "lsmod: no netconsole", count: 1, source: "state" }, recommend: PLAYBOOK.netconsole });
  }
  return out;
}
