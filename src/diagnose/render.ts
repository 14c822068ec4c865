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

export function renderTable(ds: readonly HostDiagnosis[]): string {
  const hw = Math.max(4, ...ds.map((d) => d.host.length));
  const rows: string[] = [`${"HOST".padEnd(hw)}  ${"SEVERITY".padEnd(8)}  ${"FINDING".padEnd(22)}  ${"COUNT".padStart(5)}  RECOMMEND`];
  for (const d of ds) {
    if (d.status !== "ok") {
      rows.push(`${d.host.padEnd(hw)}  ${d.status.toUpperCase()}: ${d.error}`);
      continue;
    }
    if (d.findings.length === 0) rows.push(`${d.host.padEnd(hw)}  clean`);
    for (const f of d.findings) {
      const rec = [f.recommend, ...(f.then ?? [])].join(" then ");
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
  return rows.join("\n") + "\n";
}
