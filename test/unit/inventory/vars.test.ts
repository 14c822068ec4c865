import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Inventory } from "../../../src/model/inventory.js";
import { groupsView, hostVars, loadInventory } from "../../../src/inventory/index.js";
import { tree } from "./tree.js";

describe("hostVars precedence", () => {
  it("all < parent groups < child groups < host vars; same depth by name", async () => {
    const root = tree({
      "hosts.ini": `[all:vars]
v_all=all
v_parent=all
v_child=all
v_host=all

[k8s_cluster:children]
kube_node

[k8s_cluster:vars]
v_parent=k8s_cluster
v_child=k8s_cluster
v_host=k8s_cluster

[kube_node]
n1 v_host=host

[kube_node:vars]
v_child=kube_node
v_host=kube_node
same=kube_node

[a_first]
n1

[a_first:vars]
same=a_first
`,
    });
    const vars = hostVars(await loadInventory(join(root, "hosts.ini")), "n1");
    expect(vars).toMatchObject({ v_all: "all", v_parent: "k8s_cluster", v_child: "kube_node", v_host: "host" });
    // a_first (depth 1) is shallower than kube_node (depth 2), so kube_node wins
    expect(vars.same).toBe("kube_node");
    expect(vars.inventory_hostname).toBe("n1");
    expect(vars.inventory_hostname_short).toBe("n1");
    expect(vars.group_names).toEqual(["a_first", "k8s_cluster", "kube_node"]);
  });

  it("breaks ties between groups of the same depth by name, then ansible_group_priority", async () => {
    const root = tree({
      "hosts.ini": "[b]\nh\n[a]\nh\n[c]\nh\n[a:vars]\nx=a\n[b:vars]\nx=b\n[c:vars]\ny=c\nansible_group_priority=0\n[a:vars]\ny=a\n",
    });
    const vars = hostVars(await loadInventory(join(root, "hosts.ini")), "h");
    expect(vars.x).toBe("b");
    // c has the lowest priority, so a (priority 1) overrides it although 'c' sorts later
    expect(vars.y).toBe("a");
  });

  it("ranks group_vars/ and host_vars/ files above inventory-file vars, like ansible", async () => {
    const root = tree({
      "inv/hosts.ini": "[kube_node]\nn1 from_host_line=ini both_host=ini\nn2\n\n[kube_node:vars]\ngrp=ini\nonly_ini=1\n\n[all:vars]\nall_ini=1\nleak=all_ini\n",
      "inv/group_vars/all.yml": "leak: group_vars_all\nall_file: 1\n",
      "inv/group_vars/kube_node/10-main.yml": "grp: file10\nfrom_dir: a\n",
      "inv/group_vars/kube_node/20-more.yaml": "grp: file20\n",
      "inv/group_vars/kube_node/notes.md": "grp: ignored\n",
      "inv/host_vars/n1.yml": "both_host: host_vars\n",
      "inv/host_vars/n2.json": '{"ansible_host": "10.0.0.2"}',
      "inv/group_vars/ghost.yml": "x: 1\n",
    });
    const inv = await loadInventory(join(root, "inv/hosts.ini"));
    const n1 = hostVars(inv, "n1");
    expect(n1).toMatchObject({ grp: "file20", only_ini: 1, from_dir: "a", all_ini: 1, all_file: 1, from_host_line: "ini", both_host: "host_vars" });
    // group_vars/all outranks even a child group's inventory-file vars (ansible's documented order)
    const root2 = tree({ "hosts.ini": "[web]\nw1\n[web:vars]\nport=80\n", "group_vars/all.yml": "port: 8080\n" });
    expect(hostVars(await loadInventory(join(root2, "hosts.ini")), "w1").port).toBe(8080);
    expect(n1.leak).toBe("group_vars_all");
    expect(hostVars(inv, "n2").ansible_host).toBe("10.0.0.2");
    expect(inv.groups.get("kube_node")?.vars).toEqual({ grp: "file20", only_ini: 1, from_dir: "a" });
    expect(inv.hosts.get("n1")?.vars).toEqual({ from_host_line: "ini", both_host: "host_vars" });
    expect(inv.warnings.join("\n")).toMatch(/group_vars\/ghost\.yml: no group named 'ghost'/);
    expect(inv.files.map((f) => f.slice(root.length + 1))).toEqual([
      "inv/group_vars/all.yml",
      "inv/group_vars/kube_node/10-main.yml",
      "inv/group_vars/kube_node/20-more.yaml",
      "inv/host_vars/n1.yml",
      "inv/host_vars/n2.json",
      "inv/hosts.ini",
    ]);
  });

  it("prefers group_vars/NAME over NAME.yml when both exist (first match wins, like ansible)", async () => {
    const root = tree({ "hosts.ini": "[web]\nw1\n", "group_vars/web/a.yml": "x: dir\n", "group_vars/web.yml": "x: file\ny: file\n" });
    const vars = hostVars(await loadInventory(join(root, "hosts.ini")), "w1");
    expect(vars.x).toBe("dir");
    expect(vars.y).toBeUndefined();
  });

  it("works on a hand-built Inventory without load layers", () => {
    const inv: Inventory = {
      source: "mem",
      sha256: "",
      hosts: new Map([["h", { name: "h", vars: { a: "host" }, groups: ["g"] }]]),
      groups: new Map([
        ["all", { name: "all", hosts: [], children: ["g"], vars: { a: "all", b: "all" } }],
        ["g", { name: "g", hosts: ["h"], children: [], vars: { b: "g" } }],
      ]),
    };
    expect(hostVars(inv, "h")).toMatchObject({ a: "host", b: "g", group_names: ["g"] });
    expect(() => hostVars(inv, "hh")).toThrow(/unknown host 'hh'.*did you mean 'h'/);
  });
});

describe("groupsView", () => {
  it("maps every group to its hosts incl. descendants", async () => {
    const root = tree({ "hosts.ini": "lonely\n[kube_control_plane]\ncp2\ncp1\n[kube_node]\nn1\n[k8s_cluster:children]\nkube_control_plane\nkube_node\n[calico_rr]\n" });
    const view = groupsView(await loadInventory(join(root, "hosts.ini")));
    expect(view).toEqual({
      all: ["lonely", "cp2", "cp1", "n1"],
      ungrouped: ["lonely"],
      kube_control_plane: ["cp2", "cp1"],
      kube_node: ["n1"],
      k8s_cluster: ["cp2", "cp1", "n1"],
      calico_rr: [],
    });
    expect(view.kube_control_plane?.[0]).toBe("cp2");
  });
});
