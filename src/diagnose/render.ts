// Diagnosis → text table or JSON lines (pure).
import type { HostDiagnosis } from "./run.js";

const EVIDENCE_WIDTH = 110;
const SOURCE_LABEL: Record<string, string> = { kernel: "kernel log", syslog: "/var/log/messages", kubelet: "kubelet journal", state: "state" };

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export function renderJsonLines(ds: readonly HostDiagnosis[]): string {
  return ds.map((d) => JSON.stringify(d) + "\n").join("");
}

export interface TableOptions {
  /** the inventory and playbooks directory the printed `remedy plan` commands name */
  inventory?: string;
  playbooksDir?: string;
}

/** POSIX-shell quoting for the printed commands (only when needed). */
function q(s: string): string {
  return /^[A-Za-z0-9_./:@,=+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

/** `remedy plan <playbook> -i <inventory> -l <hosts> -o <name>.plan.json`: review it with `remedy show`, then apply it. */
export function planCommand(playbook: string, hosts: readonly string[], o: TableOptions): string {
  const pb = `${o.playbooksDir ?? "playbooks"}/${playbook}`;
  const out = `${playbook.replace(/\.ya?ml$/, "")}.plan.json`;
  return `remedy plan ${q(pb)} -i ${q(o.inventory ?? "INVENTORY")} -l ${q(hosts.join(","))} -o ${q(out)}`;
}

export const TABLE_LEGEND = [
  "Columns: SEVERITY critical = the problem happened (log evidence), warning = the node is set up for it (its state now),",
  "  info = advice; COUNT = matching log lines (incidents) or items found in the node's current state (state findings);",
  "  RECOMMEND = the playbook that fixes it (then: the next one; - when the node as it is now leaves none to run),",
  "  re-checked against the node's current state. The `remedy plan ...` lines above run it on the hosts that need it:",
  "  each writes a plan to review with `remedy show FILE` and apply with `remedy apply --plan FILE`.",
];

export function renderTable(ds: readonly HostDiagnosis[], o: TableOptions = {}): string {
  const hw = Math.max(4, ...ds.map((d) => d.host.length));
  const rows: string[] = [`${"HOST".padEnd(hw)}  ${"SEVERITY".padEnd(8)}  ${"FINDING".padEnd(22)}  ${"COUNT".padStart(5)}  RECOMMEND`];
  for (const d of ds) {
    if (d.status !== "ok") {
      rows.push(`${d.host.padEnd(hw)}  ${d.status.toUpperCase()}: ${d.error}`);
      continue;
    }
    if (d.findings.length === 0) rows.push(`${d.host.padEnd(hw)}  clean`);
    for (const f of d.findings) {
      const rec = f.recommend ? [f.recommend, ...(f.then ?? [])].join(" then ") : "-";
      rows.push(`${d.host.padEnd(hw)}  ${f.severity.padEnd(8)}  ${f.id.padEnd(22)}  ${String(f.evidence.count).padStart(5)}  ${rec}`);
      rows.push(`${" ".repeat(hw)}    ${f.title}`);
      rows.push(`${" ".repeat(hw)}    ${SOURCE_LABEL[f.evidence.source] ?? f.evidence.source}: ${clip(f.evidence.line, EVIDENCE_WIDTH)}`);
    }
    if (d.findings.length > 0 && d.clean) rows.push(`${d.host.padEnd(hw)}  clean (advice only)`);
  }
  const ok = ds.filter((d) => d.status === "ok");
  const bad = ok.filter((d) => !d.clean).length;
  const down = ds.filter((d) => d.status === "unreachable").length;
  const failed = ds.filter((d) => d.status === "failed").length;
  rows.push("", `${ds.length} hosts: ${ok.length - bad} clean, ${bad} with findings, ${down} unreachable, ${failed} failed`);
  // one runnable command per recommended playbook, with every host that needs it (in recommendation order)
  const byPlaybook = new Map<string, string[]>();
  for (const d of ds) {
    if (d.status !== "ok") continue;
    for (const f of d.findings) {
      for (const pb of f.recommend ? [f.recommend, ...(f.then ?? [])] : []) {
        const hosts = byPlaybook.get(pb) ?? [];
        if (!hosts.includes(d.host)) hosts.push(d.host);
        byPlaybook.set(pb, hosts);
      }
    }
  }
  if (byPlaybook.size) rows.push("", "To fix (each writes a plan to review, then `remedy apply --plan FILE`):", ...[...byPlaybook].map(([pb, hosts]) => `  ${planCommand(pb, hosts, o)}`));
  rows.push("", ...TABLE_LEGEND);
  return rows.join("\n") + "\n";
}
