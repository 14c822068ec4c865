// State remedy keeps on each target: run lock, applied-plan markers, audit log. Shell scripts + parsers.
// Every script prints key=value lines and exits 0; a value from the controller reaches the shell only quoted.
import { shellQuote as q } from "../transport/quote.js";

export interface RemoteLayout {
  /** run lock (lock.d/) and applied plans (applied/<plan-id>) */
  stateDir: string;
  /** append-only JSON lines, one per applied step */
  auditFile: string;
}

export const DEFAULT_LAYOUT: RemoteLayout = { stateDir: "/var/lib/remedy", auditFile: "/var/log/remedy/audit.jsonl" };

export interface LockOwnerInfo {
  runId: string;
  /** user@host of the controller */
  controller: string;
  /** ISO time on the controller */
  since: string;
  planId?: string;
  /** the controller's own host name and pid: a lock left by a dead run of this same controller is stale */
  controllerHost?: string;
  controllerPid?: number;
}

/** Parsed `key=value` output; "owner.x" / "applied.x" prefixes become nested maps. */
export interface ScriptOutput {
  top: Map<string, string>;
  owner: Map<string, string>;
  applied: Map<string, string>;
  /** the raw owner file text (lines without the prefix), for compare-and-remove */
  ownerText: string;
}

export function parseOutput(stdout: string): ScriptOutput {
  const out: ScriptOutput = { top: new Map(), owner: new Map(), applied: new Map(), ownerText: "" };
  const ownerLines: string[] = [];
  for (const line of stdout.split("\n")) {
    const i = line.indexOf("=");
    if (i <= 0) continue;
    const key = line.slice(0, i);
    const value = line.slice(i + 1);
    if (key.startsWith("owner.")) {
      ownerLines.push(line.slice(6));
      const j = line.indexOf("=", 6);
      if (j > 6) out.owner.set(line.slice(6, j), line.slice(j + 1));
    } else if (key.startsWith("applied.")) {
      const j = line.indexOf("=", 8);
      if (j > 8) out.applied.set(line.slice(8, j), line.slice(j + 1));
    } else out.top.set(key, value);
  }
  out.ownerText = ownerLines.join("\n");
  return out;
}

const lockDir = (l: RemoteLayout) => `${l.stateDir}/lock.d`;
const markerPath = (l: RemoteLayout, planId: string) => `${l.stateDir}/applied/${planId}`;

/**
 * Take the lock with an atomic mkdir, or report who holds it. Also reports the node's boot id and clock
 * (staleness is judged on the node's own clock, so controller clock skew does not matter) and, for a
 * plan, the applied marker — read after the lock is ours, so no other run can be writing it.
 */
export function acquireScript(l: RemoteLayout, o: LockOwnerInfo): string {
  const d = q(l.stateDir);
  const lk = q(lockDir(l));
  const owner = `printf 'run_id=%s\\ncontroller=%s\\nsince=%s\\nnode_since=%s\\nboot_id=%s\\nplan_id=%s\\ncontroller_host=%s\\ncontroller_pid=%s\\n' ${q(o.runId)} ${q(o.controller)} ${q(o.since)} "$now" "$boot" ${q(o.planId ?? "-")} ${q(o.controllerHost ?? "-")} ${q(String(o.controllerPid ?? "-"))}`;
  return [
    `boot=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null); now=$(date +%s)`,
    `echo "boot=$boot"; echo "now=$now"`,
    `if ! err=$(mkdir -p ${d} 2>&1); then echo "result=error"; echo "error=$err"`,
    `elif err=$(mkdir ${lk} 2>&1); then`,
    `  if ${owner} > ${lk}/owner.tmp && mv -f ${lk}/owner.tmp ${lk}/owner; then echo result=acquired; else rm -rf ${lk}; echo result=error; echo "error=cannot write the lock owner file in ${lockDir(l)}"; fi`,
    `elif [ -d ${lk} ]; then`,
    `  echo result=held; echo "lock_mtime=$(stat -c %Y ${lk} 2>/dev/null)"`,
    `  [ -f ${lk}/owner ] && sed 's/^/owner./' ${lk}/owner`,
    `else echo result=error; echo "error=$err"; fi`,
    o.planId ? `[ -f ${q(markerPath(l, o.planId))} ] && sed 's/^/applied./' ${q(markerPath(l, o.planId))}` : ":",
    "true",
  ].join("\n");
}

/** Remove a stale lock only if it still has the owner text we judged stale (compare, then rename). */
export function takeoverScript(l: RemoteLayout, expectedOwnerText: string, runId: string): string {
  const lk = q(lockDir(l));
  const aside = q(`${l.stateDir}/lock.stale.${runId}`);
  return [
    `o=$(cat ${lk}/owner 2>/dev/null)`,
    `if [ "$o" = ${q(expectedOwnerText)} ] && mv ${lk} ${aside} 2>/dev/null; then rm -rf ${aside}; echo result=removed; else echo result=changed; fi`,
  ].join("\n");
}

/** Release the lock only when it is ours ("absent": already released, e.g. by this run under another name of the machine). */
export function releaseScript(l: RemoteLayout, runId: string): string {
  const lk = q(lockDir(l));
  return `if grep -qx ${q(`run_id=${runId}`)} ${lk}/owner 2>/dev/null; then rm -rf ${lk} && echo released=yes; elif [ -d ${lk} ]; then echo released=notours; else echo released=absent; fi`;
}

/** `remedy unlock`: show and remove whatever lock there is. */
export function forceUnlockScript(l: RemoteLayout): string {
  const lk = q(lockDir(l));
  return `if [ -d ${lk} ]; then [ -f ${lk}/owner ] && sed 's/^/owner./' ${lk}/owner; rm -rf ${lk} && echo result=removed; else echo result=none; fi`;
}

export interface AppliedMarker {
  planId: string;
  runId: string;
  appliedAt: string;
  controller: string;
}

/** Applied marker: temp file + rename, so a half-written marker never exists. */
export function markerScript(l: RemoteLayout, m: AppliedMarker): string {
  const dir = q(`${l.stateDir}/applied`);
  const f = markerPath(l, m.planId);
  return `mkdir -p ${dir} && printf 'plan_id=%s\\nrun_id=%s\\napplied_at=%s\\ncontroller=%s\\n' ${q(m.planId)} ${q(m.runId)} ${q(m.appliedAt)} ${q(m.controller)} > ${q(`${f}.tmp`)} && mv -f ${q(`${f}.tmp`)} ${q(f)} && echo marked=yes`;
}

/** Keep an audit line well below one stdio buffer so `printf >>` appends it with a single write(2). */
export const MAX_AUDIT_LINE = 3500;

/** One `printf '%s\n' LINE >> audit` per line: O_APPEND + one write each, so concurrent writers never interleave. */
export function auditScript(l: RemoteLayout, lines: string[]): string {
  if (!lines.length) return ":";
  const dir = l.auditFile.slice(0, l.auditFile.lastIndexOf("/")) || "/";
  const f = q(l.auditFile);
  return [`mkdir -p ${q(dir)}`, ...lines.map((line) => `printf '%s\\n' ${q(line)} >> ${f}`)].join(" && ") + " && echo audited=yes";
}

/** Several scripts in one round trip; each runs even when an earlier one failed. */
export function joinScripts(parts: string[]): string {
  return parts.map((p) => `{ ${p}\n}`).join("\n");
}
