import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain .mjs module without types
import { floorScript, knownHostsKey, parseFloorOutput, parseKnownHosts, parseLabInventory } from "../../../bench/lib/floor-core.mjs";
// @ts-expect-error plain .mjs module without types
import { parseFloorLines } from "../../../bench/lib/parse.mjs";
// @ts-expect-error plain .mjs module without types
import { TurnCounter, proxiedLabFiles } from "../../../bench/lib/latency-proxy.mjs";
// @ts-expect-error plain .mjs module without types
import { PROBES } from "../../../bench/lib/probes.mjs";
// @ts-expect-error plain .mjs module without types
import { aggregate, ratios } from "../../../bench/lib/stats.mjs";
// @ts-expect-error plain .mjs module without types
import { renderMarkdown } from "../../../bench/lib/report.mjs";

const INVENTORY = `# remedy lab inventory (kubespray groups); generated
[all]
el7-node01 ansible_host=127.77.19.137 ansible_port=2222 ansible_user=root ansible_ssh_private_key_file=/lab/keys/client remedy_known_hosts=/lab/known_hosts
el9-node01 ansible_host=127.77.19.138 ansible_port=2222 ansible_user=root ansible_ssh_private_key_file=/lab/keys/client remedy_known_hosts=/lab/known_hosts

[kube_node]
el7-node01
el9-node01
`;
const KNOWN = "[127.77.19.137]:2222 ssh-ed25519 AAAAone\n[127.77.19.138]:2222 ssh-ed25519 AAAAtwo\n";

describe("floor tool (pure parts)", () => {
  it("reads the lab inventory's [all] hosts and the known_hosts keys", () => {
    expect(parseLabInventory(INVENTORY)).toEqual([
      { name: "el7-node01", host: "127.77.19.137", port: 2222, user: "root", key: "/lab/keys/client" },
      { name: "el9-node01", host: "127.77.19.138", port: 2222, user: "root", key: "/lab/keys/client" },
    ]);
    const k = parseKnownHosts(KNOWN);
    expect(k.get(knownHostsKey("127.77.19.138", 2222))).toEqual({ type: "ssh-ed25519", base64: "AAAAtwo" });
    expect(knownHostsKey("10.0.0.1", 22)).toBe("10.0.0.1");
  });

  it("its one script runs every probe with its own exit code and stdout (run by /bin/sh here)", () => {
    const probes = [
      { name: "a", cmd: "printf 'x\\ny'", exits: [0] },
      { name: "b", cmd: "echo hidden >&2; exit_with() { return $1; }; exit_with 1", exits: [0, 1] },
      { name: "c", cmd: "echo 'text with FLOOR-t-E 0 0 inside'", exits: [0] },
      { name: "d", cmd: "false", exits: [0] },
    ];
    const r = spawnSync("/bin/sh", ["-c", floorScript("FLOOR-t", probes)], { encoding: "utf8" });
    const got = parseFloorOutput(r.stdout, "FLOOR-t", probes);
    expect(got).toEqual([
      { name: "a", ok: true, exit: 0, stdout: "x\ny" },
      { name: "b", ok: true, exit: 1, stdout: "" },
      { name: "c", ok: true, exit: 0, stdout: "text with FLOOR-t-E 0 0 inside\n" },
      { name: "d", ok: false, exit: 1, stdout: "" },
    ]);
  });

  it("a torn output (connection lost mid-script) leaves the missing probes undefined", () => {
    const r = spawnSync("/bin/sh", ["-c", floorScript("FLOOR-t")], { encoding: "utf8" });
    const cut = r.stdout.indexOf("\nFLOOR-t-B 3\n");
    const got = parseFloorOutput(r.stdout.slice(0, cut), "FLOOR-t");
    expect(got.slice(0, 3).every((p: unknown) => p !== undefined)).toBe(true);
    expect(got.slice(3).every((p: unknown) => p === undefined)).toBe(true);
  });

  it("its JSON lines parse into the shape every tool is verified with", () => {
    const probes = PROBES.map((p: { name: string }) => ({ name: p.name, ok: true, exit: 0, stdout: "x" }));
    const p = parseFloorLines(`${JSON.stringify({ host: "a", probes })}\n${JSON.stringify({ host: "b", error: "client-timeout: Timed out" })}\n`);
    expect(p.hostStatus.get("a")).toBe("ok");
    expect(p.hosts.get("a")).toHaveLength(8);
    expect(p.hostStatus.get("b")).toBe("unreachable");
    expect(p.hosts.get("b").every((x: unknown) => x === undefined)).toBe(true);
  });
});

describe("latency mode (pure parts)", () => {
  it("counts a turn for each client flight that follows server data", () => {
    const t = new TurnCounter();
    for (const d of ["c", "s", "s", "c", "c", "s", "c", "s"]) t.chunk(d);
    expect(t.turns).toBe(3);
    const u = new TurnCounter();
    for (const d of ["s", "c", "s"]) u.chunk(d); // the server speaks first (SSH banner)
    expect(u.turns).toBe(1);
  });

  it("rewrites the inventory and known_hosts to reach each node through its proxy port, same keys", () => {
    const nodes = [{ name: "el7-node01", port: 2222 }, { name: "el9-node01", port: 2222 }];
    const f = proxiedLabFiles(INVENTORY, KNOWN, nodes, 1000, "/lab/latency/known_hosts");
    expect(f.inventory).toContain("el7-node01 ansible_host=127.77.19.137 ansible_port=3222 ansible_user=root ansible_ssh_private_key_file=/lab/keys/client remedy_known_hosts=/lab/latency/known_hosts");
    expect(f.inventory).toContain("[kube_node]\nel7-node01\n");
    expect(f.known).toBe("[127.77.19.137]:3222 ssh-ed25519 AAAAone\n[127.77.19.138]:3222 ssh-ed25519 AAAAtwo\n");
    expect(proxiedLabFiles("", "10.0.0.1 ssh-ed25519 AAAA\n", [], 1000, "x").known).toBe("[10.0.0.1]:1022 ssh-ed25519 AAAA\n");
  });
});

describe("ratios against the floor", () => {
  const MB = 2 ** 20;
  const run = (hosts: number, tool: string, wallMs: number, cpuMs: number) => ({
    hosts, tool, repeat: 1, status: "ok", wallMs, cpuMs, sshdCpuMs: 1, peakRssBytes: 100 * MB, peakPssBytes: 50 * MB, hostsVerified: hosts, problems: [],
  });
  it("remedy/floor next to the ansible ratio, with the 1.3 target", () => {
    const rows = aggregate([run(100, "remedy", 2000, 900), run(100, "floor", 1600, 400), run(100, "ansible-raw", 20000, 25000), run(300, "remedy", 7000, 2000), run(300, "floor", 5000, 900)]);
    const q = ratios(rows, { speed: 10, memory: 1 / 3, floor: 1.3 });
    const at100 = q.find((x: { hosts: number }) => x.hosts === 100);
    expect(at100.vsFloor).toBeCloseTo(1.25);
    expect(at100.floorMet).toBe(true);
    expect(at100.floorSpeed).toBeCloseTo(12.5);
    expect(at100.cpu).toBeCloseTo(900 / 25000);
    const at300 = q.find((x: { hosts: number }) => x.hosts === 300);
    expect(at300.vsFloor).toBeCloseTo(1.4);
    expect(at300.floorMet).toBe(false);
    const md = renderMarkdown({ rows, ratios: q, meta: { date: "d", machine: "m", repeat: 1, targets: { speed: 10, memory: 1 / 3, floor: 1.3, cpu: 1 / 20 } } });
    expect(md).toContain("| 100 | 2.00 | 1.60 | 1.25 | ansible-raw | 20.0 | 10.0× | 12.5× | 0.04 | 1.00 | 1.00 | ansible: no, floor: yes |");
    expect(md).toContain("| 300 | 7.00 | 5.00 | 1.40 | none ran |");
  });
});

describe("latency mode: remedy with twice the steps", () => {
  it("doubles bench/probes.yml into 16 distinct, valid steps (the first 8 unchanged)", async () => {
    const { readFileSync } = await import("node:fs");
    const { parse } = await import("yaml");
    // @ts-expect-error plain .mjs module without types
    const { doubledProbes } = await import("../../../bench/run.mjs");
    const orig = parse(readFileSync("bench/probes.yml", "utf8"));
    const pb = parse(doubledProbes(readFileSync("bench/probes.yml", "utf8")));
    expect(pb.steps).toHaveLength(16);
    expect(pb.steps.slice(0, 8)).toEqual(orig.steps);
    expect(new Set(pb.steps.map((s: { name: string }) => s.name)).size).toBe(16);
    expect(new Set(pb.steps.map((s: { check: { run: string } }) => s.check.run)).size).toBe(16);
    expect(pb.steps[8].check.run).toBe("true again; uname -r");
  });
});
