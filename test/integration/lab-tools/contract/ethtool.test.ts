// ethtool: the real ethtool 6.1 (netlink, the path EL9's ethtool takes) on a veth pair named eth0 inside a network
// namespace this test creates and deletes, against the EL9 simulator. veth and the lab's virtio-like NIC have
// different feature sets, so the invocations use features both have with the same changeability: rx-lro fixed off,
// rx-gro changeable.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeFactory, type TestNode } from "../node-root.js";
import { host, requireTool, sameBehaviour } from "./contract.js";

const NS = `remedy-ct-${process.pid}`;
let factory: NodeFactory;
let node: TestNode;

beforeAll(async () => {
  requireTool("ethtool", "ethtool");
  const r = await host(`ip netns add ${NS} && ip -n ${NS} link add eth0 type veth peer name peer0 && ip -n ${NS} link set eth0 up`);
  if (r.code !== 0) throw new Error(`cannot create the test network namespace: ${r.stderr}`);
  factory = new NodeFactory();
  node = await factory.node("el9");
});
afterAll(async () => {
  await host(`ip netns del ${NS}`);
  await factory?.close();
});

async function both(cmd: string) {
  return { real: await host(cmd, { netns: NS }), sim: await node.run(cmd) };
}

describe("ethtool contract (netlink, EL9)", () => {
  const cases: Array<[string, string]> = [
    ["-K of a fixed feature", "ethtool -K eth0 gro on >/dev/null 2>&1; ethtool -K eth0 lro on"],
    ["-K to the current value is silent", "ethtool -K eth0 gro on >/dev/null 2>&1; ethtool -K eth0 gro on"],
    ["-K that changes one feature and misses another", "ethtool -K eth0 gro on >/dev/null 2>&1; ethtool -K eth0 gro off lro on"],
    ["-K with long group name", "ethtool -K eth0 generic-receive-offload on; ethtool -k eth0 | grep '^generic-receive-offload:'"],
    ["-K of an unknown feature", "ethtool -K eth0 bogus on"],
    ["-K on an unknown device", "ethtool -K nosuch gro off"],
    ["-k on an unknown device", "ethtool -k nosuch"],
    ["-K with a bad value", "ethtool -K eth0 gro maybe"],
    ["-K without a value", "ethtool -K eth0 gro"],
  ];
  for (const [what, cmd] of cases) {
    it(what, async () => {
      const { real, sim } = await both(cmd);
      sameBehaviour(what, real, sim);
    });
  }

  it("-k format: header, legacy groups in order, TAB members, suffixes", async () => {
    const { real, sim } = await both("ethtool -k eth0");
    expect(sim.code).toBe(real.code);
    const line = /^(\t?[a-z0-9_-]+: (on|off)( \[(fixed|requested (on|off))\])?|Features for eth0:)$/;
    for (const [who, r] of [["real", real], ["sim", sim]] as const) {
      const bad = r.stdout.trimEnd().split("\n").filter((l) => !line.test(l));
      expect(bad, `${who}: lines not in ethtool -k format`).toEqual([]);
    }
    const groups = (s: string) => s.split("\n").filter((l) => /^[a-z-]+: /.test(l)).map((l) => l.split(":")[0]!).filter((g) => LEGACY.includes(g));
    expect(groups(sim.stdout)).toEqual(groups(real.stdout));
  });
});

const LEGACY = ["rx-checksumming", "tx-checksumming", "scatter-gather", "tcp-segmentation-offload", "udp-fragmentation-offload",
  "generic-segmentation-offload", "generic-receive-offload", "large-receive-offload", "rx-vlan-offload", "tx-vlan-offload", "ntuple-filters", "receive-hashing"];
