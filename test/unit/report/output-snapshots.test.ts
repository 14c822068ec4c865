// Plain output at 1, 4 and 100 hosts, widths 80 and 160: grouping across hosts, indented continuation
// lines, the summary fitting the width, the pending list before the prompt fitting one screen.
import { describe, expect, it } from "vitest";
import type { RunEvent, RunSummary, StepStatus } from "../../../src/model/events.js";
import { HumanReporter } from "../../../src/report/plain.js";
import { renderSummary } from "../../../src/report/summary.js";
import { renderPendingChanges, type PendingHost } from "../../../src/report/pending.js";
import { compressHosts } from "../../../src/report/hostlist.js";

const T = "2026-12-01T00:00:00.000Z";
const SCRIPT = ["set -e", "f=/etc/sysconfig/network-scripts/ifcfg-eth0", 'grep -q ETHTOOL_OPTS "$f" || echo \'ETHTOOL_OPTS="-K eth0 gro off gso off"\' >> "$f"', "ethtool -K eth0 gro off gso off", "nmcli con reload", "systemctl restart kubelet", "sleep 1", "ethtool -k eth0 | grep -q 'generic-receive-offload: off'"].join("\n");

function fleet(n: number): string[] {
  return Array.from({ length: n }, (_, i) => (i % 4 === 3 ? `el9-node${String(i + 1).padStart(3, "0")}` : `el7-node${String(i + 1).padStart(3, "0")}`));
}

/** A check run: offload step would change everywhere (same 8-line script), sysctl ok except every 10th, host 2 unreachable when n ≥ 4. */
function checkRun(hosts: string[]): { events: RunEvent[]; summary: RunSummary; pending: PendingHost[] } {
  const events: RunEvent[] = [{ type: "run_start", runId: "r", mode: "check", playbook: "playbooks/ethtool-offload.yml", hosts, time: T }];
  const summary: RunSummary = { mode: "check", hosts: [], totals: { ok: 0, changed: 0, would_change: 0, failed: 0, unreachable: 0, skipped: 0, untouched: 0 }, interrupted: false };
  const pending: PendingHost[] = [];
  hosts.forEach((host, i) => {
    if (hosts.length >= 4 && i === 1) {
      events.push({ type: "host_end", host, status: "unreachable", message: `connect ECONNREFUSED 127.77.0.${i + 1}:2222 (is sshd running on the node?)\nlast attempt after 3 tries`, time: T });
      summary.hosts.push({ host, status: "unreachable", ok: 0, changed: 0, would_change: 0, failed: 0, skipped: 0, message: "connect ECONNREFUSED" });
      summary.totals.unreachable++;
      return;
    }
    const steps: PendingHost["steps"] = [
      { id: "offload", name: "GRO/GSO offload off on eth0", status: "would_change", message: "generic-receive-offload: on\ngeneric-segmentation-offload: on", commands: [SCRIPT] },
      { id: "sysctl", name: "net.ipv4.tcp_sack is 0", status: (i % 10 === 9 ? "would_change" : "ok") as StepStatus, message: i % 10 === 9 ? `${host}: tcp_sack = 1` : undefined, commands: i % 10 === 9 ? ["sysctl -w net.ipv4.tcp_sack=0"] : [] },
    ];
    for (const st of steps) events.push({ type: "step_end", host, step: st.id, name: st.name, status: st.status, message: st.message, commands: st.commands, durationMs: 3, time: T });
    events.push({ type: "host_end", host, status: "would_change", time: T });
    const wc = steps.filter((s) => s.status === "would_change").length;
    summary.hosts.push({ host, status: "would_change", ok: 2 - wc, changed: 0, would_change: wc, failed: 0, skipped: 0 });
    summary.totals.would_change += wc;
    summary.totals.ok += 2 - wc;
    pending.push({ host, steps });
  });
  return { events, summary, pending };
}

function render(n: number, width: number): string {
  const { events, summary } = checkRun(fleet(n));
  let out = "";
  let now = 0;
  const r = new HumanReporter({ verbose: false, width, tty: false, now: () => now, write: (s) => void (out += s), progressEveryMs: 10_000 });
  events.forEach((e) => {
    now += 250; // a host every quarter second: a progress line every 10 s
    r.handle(e);
  });
  out += r.close();
  out += "\n" + renderSummary(summary, { width });
  return out;
}

describe.each([1, 4, 100])("plain output at %i host(s)", (n) => {
  it.each([80, 160])("width %i", async (width) => {
    const out = render(n, width);
    await expect(out).toMatchFileSnapshot(`./__snapshots__/plain-${n}-hosts-${width}.txt`);
    for (const line of out.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(width);
    // the same 8-line script once, whatever the number of hosts
    expect(out.split("ethtool -K eth0 gro off gso off").length - 1).toBe(1);
    const changing = n >= 4 ? fleet(n).filter((_, i) => i !== 1) : fleet(n);
    const head = `  ~ would change — ${changing.length > 1 ? "same on " : ""}${changing.length} host${changing.length > 1 ? "s" : ""}: `;
    const line = out.split("\n").find((l) => l.startsWith(head))!;
    expect(line, out).toBeDefined();
    expect(compressHosts(changing).startsWith(line.slice(head.length).replace(/…$/, ""))).toBe(true);
    // continuation lines stay under their text
    expect(out).toMatch(/^ {6}generic-receive-offload: on\n {6}generic-segmentation-offload: on$/m);
    expect(out).toMatch(/^ {8}\$ set -e\n {10}f=\/etc\/sysconfig/m);
    if (n >= 4) expect(out).toMatch(/^⊘ \[el7-node002\] UNREACHABLE: connect ECONNREFUSED [^\n]*\n( {4}[^\n]*\n)? {4}last attempt after 3 tries$/m);
  });
});

describe("summary and pending list at 100 hosts", () => {
  it("the summary groups identical rows; the pending list fits one screen (≤ 40 lines at 80 columns)", () => {
    const { summary, pending } = checkRun(fleet(100));
    const table = renderSummary(summary, { width: 80 });
    expect(table.split("\n").length).toBeLessThan(12);
    expect(table).toMatch(/^HOSTS +STATUS/m);
    const list = renderPendingChanges(pending, 80);
    expect(list.split("\n").length).toBeLessThanOrEqual(40);
    expect(list).toContain("Pending changes: 99 of 99 host(s) would change");
    expect(list).toContain("… ");
    expect(list).toContain("tcp_sack = 1");
    expect(list).not.toContain("el7-node010: tcp_sack"); // the host's own name reads <host>
  });

  it("up to 12 hosts the summary keeps one row per host", () => {
    const { summary } = checkRun(fleet(4));
    expect(renderSummary(summary, { width: 160 }).split("\n").filter((l) => /^el[79]-node/.test(l))).toHaveLength(4);
  });

  it("compressHosts writes ansible-style ranges", () => {
    expect(compressHosts(["n01", "n02", "n03", "n05", "web", "n04", "x9.example.com", "x10.example.com"])).toBe("n[01:05],web,x9.example.com,x10.example.com");
    expect(compressHosts(["a1", "a3", "a2", "a7"])).toBe("a[1:3,7]");
  });
});
