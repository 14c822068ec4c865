// What an interactive apply is about to do, grouped across hosts: per step, the hosts that would change
// (compressed), the reason, the commands and the --diff text once per identical outcome. The summary shown
// before the prompt fits one screen at 100 hosts (scripts and diffs cut at a few lines, at most a few distinct
// outcomes per step); the details (answer `d` at the prompt) show every command and every diff line.
import type { StepStatus } from "../model/events.js";
import { ResultGroups, renderGroups, type RenderOptions } from "./group.js";
import { compressHosts, wrap } from "./hostlist.js";

export interface PendingHost {
  host: string;
  steps: Array<{ id: string; name: string; status: StepStatus; message?: string; commands: string[]; diff?: string }>;
}

export interface PendingView {
  /** everything (the answer `d` at the prompt); default: the one-screen summary */
  details?: boolean;
}

/** Cuts of the one-screen summary. */
export const SUMMARY_CUTS = { maxCommandLines: 6, maxDiffLines: 10, maxOutcomes: 2 } as const;

export function renderPendingChanges(hosts: readonly PendingHost[], width: number, view: PendingView = {}): string {
  const g = new ResultGroups();
  for (const h of hosts) for (const st of h.steps) g.handle({ type: "step_end", host: h.host, step: st.id, name: st.name, status: st.status, message: st.message, commands: st.commands, ...(st.diff ? { diff: st.diff } : {}), durationMs: 0, time: "" });
  const changing = hosts.filter((h) => h.steps.some((s) => s.status === "would_change")).length;
  const cuts: Partial<RenderOptions> = view.details ? {} : { ...SUMMARY_CUTS, moreHint: "answer d at the prompt for details" };
  const body = renderGroups(g.groups(), { width, only: ["would_change", "would_fail"], ...cuts });
  const head = view.details ? `Pending changes in full: ${changing} of ${hosts.length} host(s) would change` : `Pending changes: ${changing} of ${hosts.length} host(s) would change`;
  return `\n${head}\n${body}\n`;
}

/** The hosts the prompt does not offer (would fail, failed or unreachable in the dry run), compressed per status. */
export function renderNotOffered(hosts: ReadonlyArray<{ host: string; status: string }>, width: number): string {
  if (!hosts.length) return "";
  const byStatus = new Map<string, string[]>();
  for (const h of hosts) byStatus.set(h.status, [...(byStatus.get(h.status) ?? []), h.host]);
  const list = [...byStatus].map(([status, hs]) => `${compressHosts(hs)} (${status})`).join(", ");
  return wrap(`Not offered (would fail, failed or unreachable in the dry run): ${list}`, width, 2) + "\n\n";
}
