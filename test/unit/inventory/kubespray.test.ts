import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { groupsView, hostVars, loadInventory, renderInventory, resolvePattern } from "../../../src/inventory/index.js";
import { tree } from "./tree.js";

describe("kubespray groups", () => {
  it("derives k8s_cluster for a current kubespray inventory that does not define it", async () => {
    const root = tree({
      "inventory.ini": `[kube_control_plane]
node1 ansible_host=10.0.0.1 etcd_member_name=etcd1

[etcd:children]
kube_control_plane

[kube_node]
node2 ansible_host=10.0.0.2
node3 ansible_host=10.0.0.3
`,
      "group_vars/k8s_cluster/k8s-cluster.yml": "kube_network_plugin: calico\n",
      "group_vars/all/all.yml": "bin_dir: /usr/local/bin\n",
    });
    const inv = await loadInventory(join(root, "inventory.ini"));
    expect(resolvePattern(inv, "k8s_cluster")).toEqual(["node1", "node2", "node3"]);
    expect(resolvePattern(inv, "etcd")).toEqual(["node1"]);
    expect(groupsView(inv).k8s_cluster).toEqual(["node1", "node2", "node3"]);
    expect(hostVars(inv, "node3")).toMatchObject({ kube_network_plugin: "calico", bin_dir: "/usr/local/bin" });
    expect(hostVars(inv, "node3").group_names).toEqual(["k8s_cluster", "kube_node"]);
    expect(renderInventory(inv, resolvePattern(inv, "all"), { graph: true, json: false })).toContain("  |--@k8s_cluster:\n  |  |--node1\n  |  |--node2\n  |  |--node3\n");
  });

  it("maps the old dashed group names like kubespray's dynamic_groups role", async () => {
    const root = tree({
      "hosts.ini": "[kube-master]\nm1\n\n[kube-node]\nw1\n\n[calico-rr]\n\n[k8s-cluster:children]\nkube-master\nkube-node\ncalico-rr\n",
    });
    const inv = await loadInventory(join(root, "hosts.ini"));
    expect(resolvePattern(inv, "kube_control_plane")).toEqual(["m1"]);
    expect(resolvePattern(inv, "kube_node")).toEqual(["w1"]);
    expect(resolvePattern(inv, "k8s_cluster")).toEqual(["m1", "w1"]);
    expect(inv.groups.has("calico_rr")).toBe(false);
  });

  it("leaves an inventory that already defines k8s_cluster as it is", async () => {
    const inv = await loadInventory(join(import.meta.dirname, "../../../inventory/example.ini"));
    expect(inv.groups.get("k8s_cluster")).toMatchObject({ hosts: [], children: ["kube_control_plane", "kube_node", "calico_rr"] });
  });

  it("does nothing for inventories without kubespray groups", async () => {
    const inv = await loadInventory(join(tree({ "h.ini": "[web]\nw1\n" }), "h.ini"));
    expect([...inv.groups.keys()]).toEqual(["all", "ungrouped", "web"]);
  });
});
