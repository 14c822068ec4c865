// Results grouped across hosts: per step, hosts with the same outcome, message and commands are one entry
// ("~ would change on 37 hosts: el7-node[01:37]"), the message and commands printed once, indented.
// A host's own name inside a message or command is read as <host> so per-host paths still group.
import type { RunEvent } from "../model/events.js";
import { fit, hostCount, wrap } from "./hostlist.js";
import { LABEL, mark } from "./marks.js";

export interface Outcome {
  status: string;
  message?: string;
  commands: string[];
  diff?: string;
  hosts: string[];
}

export interface StepGroup {
  step: string;
  name: string;
  outcomes: Outcome[];
}

export interface RenderOptions {
  width: number;
  color?: boolean;
  /** statuses to leave out (e.g. ok in the pending-changes list) */
  only?: readonly string[];
  /** longest script shown per outcome; the rest is counted */
  maxCommandLines?: number;
  /** longest diff shown per outcome; the rest is counted */
  maxDiffLines?: number;
  /** distinct outcomes shown per step (most hosts first); the rest are counted in one line */
  maxOutcomes?: number;
  /** where the cut parts can be seen, e.g. "remedy check -v shows every command" */
  moreHint?: string;
}

const generic = (s: string, host: string): string => (host.length >= 2 ? s.split(host).join("<host>") : s);

const ATTENTION = ["failed", "unreachable", "would_fail", "changed", "would_change", "skipped", "untouched", "ok"];
const rank = (status: string): number => {
  const i = ATTENTION.indexOf(status);
  return i < 0 ? ATTENTION.length : i;
};
const firstHost = (o: Outcome): string => [...o.hosts].sort(hostOrder)[0] ?? "";
const hostOrder = (a: string, b: string): number => a.localeCompare(b, "en", { numeric: true });
function byAttention(a: Outcome, b: Outcome): number {
  return rank(a.status) - rank(b.status) || hostOrder(firstHost(a), firstHost(b));
}

export class ResultGroups {
  private readonly steps = new Map<string, { name: string; outcomes: Map<string, Outcome> }>();

  handle = (e: RunEvent): void => {
    if (e.type !== "step_end") return;
    const message = e.message === undefined ? undefined : generic(e.message, e.host);
    const commands = (e.commands ?? []).map((c) => generic(c, e.host));
    const diff = e.diff === undefined ? undefined : generic(e.diff, e.host);
    const key = JSON.stringify([e.status, message, commands, diff]);
    let s = this.steps.get(e.step);
    if (!s) this.steps.set(e.step, (s = { name: e.name, outcomes: new Map() }));
    const o = s.outcomes.get(key);
    if (o) o.hosts.push(e.host);
    else s.outcomes.set(key, { status: e.status, message, commands, ...(diff ? { diff } : {}), hosts: [e.host] });
  };

  /** Per step, what needs attention first (failures, refusals, changes, then the rest); hosts finish in any order, the report does not. */
  groups(): StepGroup[] {
    return [...this.steps].map(([step, s]) => ({ step, name: s.name, outcomes: [...s.outcomes.values()].sort(byAttention) }));
  }

  get size(): number {
    return this.steps.size;
  }
}

export function renderGroups(groups: readonly StepGroup[], o: RenderOptions): string {
  const out: string[] = [];
  const maxLines = o.maxCommandLines ?? Infinity;
  const hint = o.moreHint ?? "remedy check -v shows every command";
  for (const g of groups) {
    const all = g.outcomes.filter((x) => !o.only || o.only.includes(x.status));
    if (!all.length) continue;
    out.push(fit(g.name, o.width));
    // the outcomes of most hosts first when some are cut
    const ranked = o.maxOutcomes !== undefined && all.length > o.maxOutcomes ? [...all].sort((a, b) => b.hosts.length - a.hosts.length) : all;
    const outcomes = ranked.slice(0, o.maxOutcomes ?? Infinity);
    for (const x of outcomes) {
      const same = x.hosts.length > 1 ? "same on " : "";
      out.push(fit(`  ${mark(x.status, o.color)} ${LABEL[x.status] ?? x.status} — ${same}${hostCount(x.hosts)}`, o.width + (o.color ? 9 : 0)));
      // a changed step's message is what its check found before the change
      const message = x.message && x.status === "changed" ? `before: ${x.message}` : x.message;
      if (message) for (const line of message.split("\n")) out.push(wrap(`      ${line}`, o.width, 2));
      if (x.commands.length) {
        out.push(`      ${x.status === "would_change" || x.status === "would_fail" ? "would run" : "ran"}:`);
        let shown = 0;
        let hidden = 0;
        for (const c of x.commands) {
          c.split("\n").forEach((line, i) => {
            if (shown >= maxLines) return void hidden++;
            out.push(wrap(`        ${i === 0 ? "$ " : "  "}${line}`, o.width, 4));
            shown++;
          });
        }
        if (hidden) out.push(fit(`        … ${hidden} more line(s): ${hint}`, o.width));
      }
      if (x.diff) {
        out.push("      diff:");
        const lines = x.diff.trimEnd().split("\n");
        const cut = lines.length - (o.maxDiffLines ?? Infinity);
        for (const line of cut > 0 ? lines.slice(0, o.maxDiffLines) : lines) out.push(wrap(`        ${line}`, o.width, 2));
        if (cut > 0) out.push(fit(`        … ${cut} more diff line(s): ${hint}`, o.width));
      }
    }
    const rest = ranked.slice(outcomes.length);
    if (rest.length) {
      const hosts = rest.flatMap((x) => x.hosts);
      out.push(fit(`  … ${rest.length} more outcome(s) on ${hosts.length} host(s): ${hint}`, o.width));
    }
  }
  return out.length ? out.join("\n") + "\n" : "";
}
