import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.js";
import { hostVars, loadInventory, resolvePattern } from "../../../src/inventory/index.js";
import { tree } from "./tree.js";

describe("loadInventory on a directory", () => {
  it("merges every inventory file (sorted, recursively), skipping vars dirs and non-inventory files", async () => {
    const root = tree({
      "01-hosts.ini": "[kube_control_plane]\ncp1\n[kube_node]\nn1\n",
      "02-more.yml": "kube_node:\n  hosts:\n    n2:\n      ansible_host: 10.0.0.2\n",
      "03-cluster": "[k8s_cluster:children]\nkube_control_plane\nkube_node\n\n[k8s_cluster:vars]\nkube_version=v1.29.5\n",
      "sub/04.yaml": "etcd:\n  hosts:\n    cp1:\n",
      "README.md": "# not an inventory\n",
      "ansible.cfg": "[defaults]\n",
      ".hidden.ini": "garbage [[[\n",
      "backup.ini~": "garbage [[[\n",
      "group_vars/k8s_cluster.yml": "cluster_name: lab\n",
      "host_vars/n2/main.yml": "ansible_user: rocky\n",
    });
    const inv = await loadInventory(root);
    expect([...inv.hosts.keys()]).toEqual(["cp1", "n1", "n2"]);
    expect(inv.groups.get("kube_node")?.hosts).toEqual(["n1", "n2"]);
    expect(resolvePattern(inv, "k8s_cluster:&etcd")).toEqual(["cp1"]);
    expect(hostVars(inv, "n2")).toMatchObject({ ansible_host: "10.0.0.2", ansible_user: "rocky", cluster_name: "lab", kube_version: "v1.29.5" });
    expect(inv.files.map((f) => f.slice(root.length + 1))).toEqual([
      "01-hosts.ini",
      "02-more.yml",
      "03-cluster",
      "group_vars/k8s_cluster.yml",
      "host_vars/n2/main.yml",
      "sub/04.yaml",
    ]);
    expect(inv.source).toBe(root);
  });

  it("reports errors with the file they are in", async () => {
    const root = tree({ "a.ini": "[web]\nw1\n", "b.yml": "web:\n  hosts: [w2]\n" });
    await expect(loadInventory(root)).rejects.toThrow(`${join(root, "b.yml")}:2:10: 'hosts' of group 'web' must be a mapping`);
  });

  it("rejects a missing path and an empty directory", async () => {
    const root = tree({ "notes.md": "x" });
    await expect(loadInventory(join(root, "nope.ini"))).rejects.toThrow(InputError);
    await expect(loadInventory(join(root, "nope.ini"))).rejects.toThrow(/nope\.ini: inventory not found/);
    await expect(loadInventory(root)).rejects.toThrow(/holds no inventory file/);
  });

  it("rejects vault-encrypted files", async () => {
    const root = tree({ "hosts.ini": "[web]\nw1\n", "group_vars/web.yml": "$ANSIBLE_VAULT;1.1;AES256\n6162\n" });
    await expect(loadInventory(join(root, "hosts.ini"))).rejects.toThrow(/web\.yml:1:1: this file is encrypted with ansible-vault/);
  });
});

describe("inventory sha256", () => {
  it("is stable, independent of location, and covers group_vars/host_vars", async () => {
    const files = { "hosts.ini": "[web]\nw1\n", "group_vars/web.yml": "port: 80\n" };
    const a = await loadInventory(join(tree(files), "hosts.ini"));
    const rootB = tree(files);
    const b = await loadInventory(join(rootB, "hosts.ini"));
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(b.sha256).toBe(a.sha256);
    expect((await loadInventory(join(rootB, "hosts.ini"))).sha256).toBe(a.sha256);
    writeFileSync(join(rootB, "group_vars/web.yml"), "port: 81\n");
    expect((await loadInventory(join(rootB, "hosts.ini"))).sha256).not.toBe(a.sha256);
    const renamed = await loadInventory(join(tree({ "inventory.ini": files["hosts.ini"], "group_vars/web.yml": files["group_vars/web.yml"] }), "inventory.ini"));
    expect(renamed.sha256).not.toBe(a.sha256);
  });
});
