// diagnose's table: each recommendation as a runnable `remedy plan ...` line (hosts grouped per playbook),
// and the columns explained.
import { describe, expect, it } from "vitest";
import { planCommand, renderTable, type HostDiagnosis } from "../../../src/diagnose/index.js";

const f = (id: string, recommend: string, then?: string[]) => ({ id, severity: "critical" as const, title: id, evidence: { line: "x", count: 2, source: "kernel" as const }, recommend, ...(then ? { then } : {}) });
const ds: HostDiagnosis[] = [
  { host: "el9-node01", status: "ok", kernel: "6.1.0", os: "Rocky 9.1", clean: false, missingSections: [], findings: [f("skb-segment-bug", "ethtool-offload.yml", ["kernel-upgrade.yml"])] },
  { host: "el9-node02", status: "ok", kernel: "6.1.0", os: "Rocky 9.1", clean: false, missingSections: [], findings: [f("skb-segment-bug", "ethtool-offload.yml", ["kernel-upgrade.yml"])] },
  { host: "el7-node01", status: "ok", kernel: "3.10", os: "CentOS 7", clean: false, missingSections: [], findings: [f("netdev-refcnt-leak", "kpatch-route.yml")] },
  { host: "el7-node02", status: "ok", kernel: "3.10", os: "CentOS 7", clean: true, missingSections: [], findings: [] },
];

describe("diagnose table", () => {
  it("prints one remedy plan command per playbook with the hosts that need it", () => {
    const t = renderTable(ds, { inventory: "/var/lib/remedy-lab/inventory.ini", playbooksDir: "playbooks" });
    const cmds = t.split("\n").filter((l) => l.startsWith("  remedy plan "));
    expect(cmds).toEqual([
      "  remedy plan playbooks/ethtool-offload.yml -i /var/lib/remedy-lab/inventory.ini -l el9-node01,el9-node02 -o ethtool-offload.plan.json",
      "  remedy plan playbooks/kernel-upgrade.yml -i /var/lib/remedy-lab/inventory.ini -l el9-node01,el9-node02 -o kernel-upgrade.plan.json",
      "  remedy plan playbooks/kpatch-route.yml -i /var/lib/remedy-lab/inventory.ini -l el7-node01 -o kpatch-route.plan.json",
    ]);
    expect(t).toMatch(/^el9-node01\s+critical\s+skb-segment-bug\s+2\s+ethtool-offload\.yml then kernel-upgrade\.yml$/m);
    expect(t).toContain("COUNT = matching log lines (incidents) or items found in the node's current state (state findings)");
    expect(t).toContain("RECOMMEND = the playbook that fixes it");
  });

  it("quotes what the shell would split", () => {
    expect(planCommand("x.yml", ["a"], { inventory: "/my inv/hosts.ini", playbooksDir: "/opt/it's/playbooks" })).toBe(
      "remedy plan '/opt/it'\\''s/playbooks/x.yml' -i '/my inv/hosts.ini' -l a -o x.plan.json",
    );
  });

  it("a finding whose fix is in place now shows RECOMMEND - and prints no command", () => {
    const { recommend: _none, ...done } = f("pleg-runc-hang", "runc-upgrade.yml");
    const t = renderTable([{ host: "el7-node09", status: "ok", kernel: "3.10", os: "CentOS 7", clean: false, missingSections: [], findings: [done] }], { inventory: "i" });
    expect(t).toMatch(/^el7-node09\s+critical\s+pleg-runc-hang\s+2\s+-$/m);
    expect(t.split("\n").filter((l) => l.startsWith("  remedy plan "))).toEqual([]);
  });

  it("a clean fleet prints no command", () => {
    expect(renderTable([ds[3]!], { inventory: "i" }).split("\n").filter((l) => l.startsWith("  remedy plan "))).toEqual([]);
  });
});
