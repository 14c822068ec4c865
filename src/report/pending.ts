// What an interactive apply is about to do, grouped across hosts so it fits one screen at 100 hosts:
// per step, the hosts that would change (compressed), the reason and the commands once (scripts cut
// at a few lines; `remedy check -v` shows every command).
import type { StepStatus } from "../model/events.js";
import { ResultGroups, renderGroups } from "./group.js";

export interface PendingHost {
  host: string;
  steps: Array<{ id: string; name: string; status: StepStatus; message?: string; commands: string[]; diff?: string }>;
}

export function renderPendingChanges(hosts: readonly PendingHost[], width: number, maxCommandLines = 6): string {
  const g = new ResultGroups();
  for (const h of hosts) for (const st of h.steps) g.handle({ type: "step_end", host: h.host, step: st.id, name: st.name, status: st.status, message: st.message, commands: st.commands, ...(st.diff ? { diff: st.diff } : {}), durationMs: 0, time: "" });
  const changing = hosts.filter((h) => h.steps.some((s) => s.status === "would_change")).length;
  const body = renderGroups(g.groups(), { width, only: ["would_change", "would_fail"], maxCommandLines });
  return `\nPending changes: ${changing} of ${hosts.length} host(s) would change\n${body}\n`;
}
