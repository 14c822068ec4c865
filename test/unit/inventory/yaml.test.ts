import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { groupsView, hostVars, loadInventory } from "../../../src/inventory/index.js";
import { tree } from "./tree.js";

const load = (text: string, name = "hosts.yml") => loadInventory(join(tree({ [name]: text }), name));
const repo = join(import.meta.dirname, "../../..");

describe("YAML inventories", () => {
  it("reads nested children, host vars, ranges, ports and YAML types", async () => {
    const inv = await load(`all:
  vars:
    ansible_user: rocky
  hosts:
    bastion:
      ansible_host: 203.0.113.5
  children:
    k8s_cluster:
      children:
        kube_control_plane:
          hosts:
            cp[1:2]:2222:
              ansible_become: yes
        kube_node:
          hosts:
            node[a:b]:
            "1.10":
    etcd:
      hosts: cp1
`);
    expect([...inv.hosts.keys()]).toEqual(["bastion", "cp1", "cp2", "nodea", "nodeb", "1.10"]);
    expect(inv.hosts.get("cp1")?.vars).toEqual({ ansible_port: 2222, ansible_become: true });
    expect(inv.groups.get("etcd")?.hosts).toEqual(["cp1"]);
    expect(inv.groups.get("ungrouped")?.hosts).toEqual(["bastion"]);
    expect(inv.groups.get("all")?.children).toEqual(["ungrouped", "k8s_cluster", "etcd"]);
    expect(inv.groups.get("k8s_cluster")?.children).toEqual(["kube_control_plane", "kube_node"]);
  });

  it("accepts top-level groups besides all, empty groups and anchors", async () => {
    const inv = await load(`common: &c
  vars:
    ntp: pool.ntp.org
web:
  hosts:
    w1:
  vars: { port: 80 }
db: *c
empty:
`);
    expect(inv.groups.get("db")?.vars).toEqual({ ntp: "pool.ntp.org" });
    expect(inv.groups.get("web")?.vars).toEqual({ port: 80 });
    expect(inv.groups.get("empty")?.hosts).toEqual([]);
    expect(inv.groups.get("all")?.children).toEqual(["ungrouped", "common", "web", "db", "empty"]);
  });

  it("treats an empty file as an empty inventory", async () => {
    const inv = await load("# nothing yet\n");
    expect(inv.hosts.size).toBe(0);
    expect([...inv.groups.keys()]).toEqual(["all", "ungrouped"]);
  });

  it("describes the shipped example.ini and example.yml identically", async () => {
    const ini = await loadInventory(join(repo, "inventory/example.ini"));
    const yml = await loadInventory(join(repo, "inventory/example.yml"));
    expect([...yml.hosts.keys()].sort()).toEqual([...ini.hosts.keys()].sort());
    expect(ini.hosts.size).toBe(10);
    const sorted = (v: Record<string, string[]>) => Object.fromEntries(Object.entries(v).map(([k, hs]) => [k, [...hs].sort()]));
    expect(sorted(groupsView(yml))).toEqual(sorted(groupsView(ini)));
    for (const h of ini.hosts.keys()) expect(hostVars(yml, h), h).toEqual(hostVars(ini, h));
    for (const [name, g] of ini.groups) {
      expect([...(yml.groups.get(name)?.children ?? [])].sort(), name).toEqual([...g.children].sort());
      expect(yml.groups.get(name)?.vars, name).toEqual(g.vars);
    }
    expect(hostVars(ini, "node07")).toMatchObject({ ansible_host: "10.0.1.7", ansible_port: 2222, node_pool: "gpu", kube_version: "v1.29.5" });
    expect(groupsView(ini).kube_control_plane).toEqual(["cp1", "cp2", "cp3"]);
  });
});
