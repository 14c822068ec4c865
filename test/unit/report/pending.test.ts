// The pending list before the apply prompt: a one-screen summary (scripts, diffs and distinct outcomes cut, with
// where to see the rest) and the details shown on request (everything); --diff text grouped across hosts.
import { describe, expect, it } from "vitest";
import { renderNotOffered, renderPendingChanges, SUMMARY_CUTS, type PendingHost } from "../../../src/report/pending.js";

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `node${String(i + 1).padStart(3, "0")}`);
const diffOf = (lines: number, tag = "") => ["--- /etc/sysctl.d/90-remedy.conf", "+++ /etc/sysctl.d/90-remedy.conf (remedy)", `@@ -1,${lines} +1,${lines} @@`, ...Array.from({ length: lines }, (_, i) => `-key${i} = old${tag}\n+key${i} = new${tag}`)].join("\n");

function fleet(n: number, o: { diff?: (h: string, i: number) => string | undefined; message?: (h: string, i: number) => string } = {}): PendingHost[] {
  return hosts(n).map((host, i) => ({
    host,
    steps: [{ id: "conf", name: "sysctl config written", status: "would_change", message: o.message?.(host, i) ?? "content differs", commands: ["copy 90-remedy.conf -> /etc/sysctl.d/90-remedy.conf"], ...(o.diff?.(host, i) ? { diff: o.diff(host, i) } : {}) }],
  }));
}

describe("pending changes before the prompt", () => {
  it("an identical diff on 100 hosts is shown once, in full when short", () => {
    const out = renderPendingChanges(fleet(100, { diff: () => diffOf(2) }), 80);
    expect(out).toContain("  ~ would change — same on 100 hosts: node[001:100]");
    expect(out.split("+key1 = new").length - 1).toBe(1);
    expect(out).toContain("      diff:\n        --- /etc/sysctl.d/90-remedy.conf\n");
    expect(out).not.toContain("more diff line");
  });

  it("different diffs are separate groups; the summary shows the outcomes of most hosts and counts the rest", () => {
    // 4 distinct diffs on 70/20/6/4 hosts
    const bucket = (i: number) => (i < 70 ? "a" : i < 90 ? "b" : i < 96 ? "c" : "d");
    const pending = fleet(100, { diff: (_h, i) => diffOf(1, bucket(i)) });
    const summary = renderPendingChanges(pending, 80);
    expect(summary).toContain("same on 70 hosts: node[001:070]");
    expect(summary).toContain("same on 20 hosts: node[071:090]");
    expect(summary).not.toContain("same on 6 hosts");
    expect(summary).not.toContain("new d");
    expect(summary).toContain("  … 2 more outcome(s) on 10 host(s): answer d at the prompt for details");
    const details = renderPendingChanges(pending, 80, { details: true });
    expect(details).toContain("Pending changes in full: 100 of 100 host(s) would change");
    expect(details).toContain("same on 4 hosts: node[097:100]");
    expect(details).toContain("+key0 = newd");
    expect(details).not.toContain("more outcome");
  });

  it("the summary cuts a long diff and says where the rest is; the details show every line", () => {
    const pending = fleet(3, { diff: () => diffOf(20) });
    const summary = renderPendingChanges(pending, 80);
    const total = diffOf(20).split("\n").length;
    expect(summary).toContain(`        … ${total - SUMMARY_CUTS.maxDiffLines} more diff line(s): answer d at the prompt for details`);
    expect(summary).not.toContain("+key19 = new");
    const details = renderPendingChanges(pending, 80, { details: true });
    expect(details).toContain("+key19 = new");
    expect(details).not.toContain("more diff line");
  });

  it("100 hosts that all differ still fit one screen (≤ 40 lines at 80 columns); the details list every host's outcome", () => {
    const pending = fleet(100, { message: (_h, i) => `kernel.value = ${i}`, diff: (_h, i) => diffOf(8, String(i)) });
    const summary = renderPendingChanges(pending, 80);
    expect(summary.split("\n").length).toBeLessThanOrEqual(40);
    expect(summary).toContain("  … 98 more outcome(s) on 98 host(s): answer d at the prompt for details");
    for (const line of summary.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(80);
    const details = renderPendingChanges(pending, 80, { details: true });
    for (let i = 0; i < 100; i++) expect(details).toContain(`kernel.value = ${i}\n`);
  });

  it("the hosts not offered are compressed per status (50 unreachable hosts are one short line)", () => {
    const down = hosts(50).map((host) => ({ host, status: "unreachable" }));
    const out = renderNotOffered([{ host: "web1", status: "would_fail" }, ...down], 80);
    expect(out).toBe("Not offered (would fail, failed or unreachable in the dry run): web1\n  (would_fail), node[001:050] (unreachable)\n\n");
    expect(renderNotOffered([], 80)).toBe("");
  });
});
