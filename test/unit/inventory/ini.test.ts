import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadInventory } from "../../../src/inventory/index.js";
import { parseIniValue, shellSplit } from "../../../src/inventory/values.js";
import { tree } from "./tree.js";

const load = (text: string, name = "hosts.ini") => loadInventory(join(tree({ [name]: text }), name));

describe("INI values", () => {
  it.each([
    ["22", 22],
    ["-3", -3],
    ["1.5", 1.5],
    ["0022", "0022"],
    ["10.0.0.1", "10.0.0.1"],
    ["True", true],
    ["true", true],
    ["False", false],
    ["false", false],
    ["None", null],
    ["yes", "yes"],
    ['"22"', "22"],
    ["'a b'", "a b"],
    ["['a', 'b']", ["a", "b"]],
    ["{'k': 1}", { k: 1 }],
    ["[oops", "[oops"],
  ])("parses %s", (raw, want) => {
    expect(parseIniValue(raw)).toEqual(want);
  });

  it("splits host lines like shlex, dropping quotes and comments", () => {
    expect(shellSplit(`node1 a="x y" b='1 2' c=d\\ e # comment`).map((t) => t.text)).toEqual(["node1", "a=x y", "b=1 2", "c=d e"]);
    expect(shellSplit("node1   a=1").map((t) => t.col)).toEqual([1, 9]);
  });
});

describe("INI inventories", () => {
  it("reads groups, inline host vars, ports, :vars and :children", async () => {
    const inv = await load(`# comment
; also a comment
bastion ansible_host=203.0.113.5

[kube_control_plane]
cp1 ansible_host=10.0.0.1 ansible_port=2222 ip=10.0.0.1 become=True
cp2:2200

[kube_node]
node[01:03] pool="gpu"   # trailing comment

[kube_node:vars]
ansible_user = rocky
flag=true ; comment
args='-o StrictHostKeyChecking=no'

[k8s_cluster:children]
kube_control_plane
kube_node   # comment
`);
    expect([...inv.hosts.keys()]).toEqual(["bastion", "cp1", "cp2", "node01", "node02", "node03"]);
    expect(inv.hosts.get("cp1")?.vars).toEqual({ ansible_host: "10.0.0.1", ansible_port: 2222, ip: "10.0.0.1", become: true });
    expect(inv.hosts.get("cp2")?.vars).toEqual({ ansible_port: 2200 });
    expect(inv.hosts.get("node02")?.vars).toEqual({ pool: "gpu" });
    expect(inv.groups.get("kube_node")?.vars).toEqual({ ansible_user: "rocky", flag: true, args: "-o StrictHostKeyChecking=no" });
    expect(inv.groups.get("k8s_cluster")?.children).toEqual(["kube_control_plane", "kube_node"]);
    expect(inv.groups.get("all")?.children).toEqual(["ungrouped", "k8s_cluster"]);
    expect(inv.groups.get("ungrouped")?.hosts).toEqual(["bastion"]);
    expect(inv.hosts.get("bastion")?.groups).toEqual(["ungrouped"]);
  });

  it("merges a host listed in several groups and in [all]", async () => {
    const inv = await load(`[all]
node1 ansible_host=10.0.0.1
node2

[etcd]
node1 etcd_member_name=etcd1

[kube_node]
node1
node2 ansible_host=10.0.0.2
`);
    // k8s_cluster is derived from kube_node (see kubespray.test.ts)
    expect(inv.hosts.get("node1")?.groups).toEqual(["all", "etcd", "kube_node", "k8s_cluster"]);
    expect(inv.hosts.get("node1")?.vars).toEqual({ ansible_host: "10.0.0.1", etcd_member_name: "etcd1" });
    expect(inv.groups.get("ungrouped")?.hosts).toEqual([]);
    expect(inv.groups.get("all")?.hosts).toEqual(["node1", "node2"]);
  });

  it("lets a :children section declare a group and accepts empty groups", async () => {
    const inv = await load(`[k8s_cluster:children]
kube_node
calico_rr

[kube_node]
n1

[calico_rr]
`);
    expect(inv.groups.get("calico_rr")).toEqual({ name: "calico_rr", hosts: [], children: [], vars: {} });
    expect(inv.groups.get("all")?.children).toEqual(["ungrouped", "k8s_cluster"]);
  });

  it("drops a host from an explicit [ungrouped] once it is in a real group", async () => {
    const inv = await load("[ungrouped]\nn1\nn2\n\n[web]\nn2\n");
    expect(inv.groups.get("ungrouped")?.hosts).toEqual(["n1"]);
    expect(inv.hosts.get("n2")?.groups).toEqual(["web"]);
  });

  it("detects INI by content when the file has no extension", async () => {
    const inv = await load("[web]\nw1\n", "hosts");
    expect(inv.groups.get("web")?.hosts).toEqual(["w1"]);
  });
});
