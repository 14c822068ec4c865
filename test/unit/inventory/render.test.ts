import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isSecretName, loadInventory, redact, renderInventory, resolvePattern } from "../../../src/inventory/index.js";
import { tree } from "./tree.js";

const repo = join(import.meta.dirname, "../../..");

describe("renderInventory --graph", () => {
  it("draws groups (sorted) then hosts, like ansible-inventory --graph", async () => {
    const inv = await loadInventory(join(repo, "inventory/example.ini"));
    const out = renderInventory(inv, resolvePattern(inv, "all"), { graph: true, json: false });
    expect(out.split("\n").slice(0, 9)).toEqual([
      "@all:",
      "  |--@etcd:",
      "  |  |--cp1",
      "  |  |--cp2",
      "  |  |--cp3",
      "  |--@k8s_cluster:",
      "  |  |--@calico_rr:",
      "  |  |--@kube_control_plane:",
      "  |  |  |--cp1",
    ]);
    expect(out).toContain("  |  |--@kube_node:\n  |  |  |--node01\n");
    expect(out.trimEnd().endsWith("  |--@ungrouped:")).toBe(true);
  });

  it("with a limit shows only selected hosts and the groups that hold them", async () => {
    const inv = await loadInventory(join(repo, "inventory/example.ini"));
    const out = renderInventory(inv, resolvePattern(inv, "all", "node0[12]*:cp1" /* a trailing [..] would be a subscript, as in ansible */), { graph: true, json: false });
    expect(out).toBe(
      ["@all:", "  |--@etcd:", "  |  |--cp1", "  |--@k8s_cluster:", "  |  |--@kube_control_plane:", "  |  |  |--cp1", "  |  |--@kube_node:", "  |  |  |--node01", "  |  |  |--node02", ""].join("\n"),
    );
  });
});

describe("renderInventory --json", () => {
  it("has _meta.hostvars and per-group hosts/children/vars like ansible-inventory --list", async () => {
    const root = tree({
      "hosts.ini": "bastion\n[web]\nw1 ansible_host=10.0.0.1\n[web:vars]\nport=80\n[prod:children]\nweb\n[empty]\n",
    });
    const inv = await loadInventory(join(root, "hosts.ini"));
    const json = JSON.parse(renderInventory(inv, resolvePattern(inv, "all"), { graph: false, json: true }));
    expect(json).toEqual({
      _meta: { hostvars: { bastion: {}, w1: { ansible_host: "10.0.0.1", port: 80 } } },
      all: { children: ["ungrouped", "prod", "empty"] },
      ungrouped: { hosts: ["bastion"] },
      web: { hosts: ["w1"], vars: { port: 80 } },
      prod: { children: ["web"] },
      empty: {},
    });
  });
});

describe("redaction", () => {
  it("recognises secret-looking names", () => {
    for (const n of ["ansible_become_pass", "ansible_ssh_pass", "ansible_password", "db_password_file", "api_token", "client_secret", "vault_SECRET_key", "registry_api_key"]) {
      expect(isSecretName(n), n).toBe(true);
    }
    for (const n of ["ansible_user", "ansible_host", "ansible_port", "passive_mode", "kube_version"]) expect(isSecretName(n), n).toBe(false);
  });

  it("never prints secret values in any output form, at any depth", async () => {
    const root = tree({
      "hosts.ini": "[web]\nw1 ansible_become_pass=hunter2 ansible_user=rocky\n[web:vars]\ndb_password='s3cr3t'\n",
      "group_vars/all.yml": "registry:\n  url: r.example\n  token: tok-123\nusers:\n  - name: a\n    password: pw-in-list\n",
    });
    const inv = await loadInventory(join(root, "hosts.ini"));
    const hosts = resolvePattern(inv, "all");
    for (const opts of [{ graph: false, json: true }, { graph: false, json: false }, { graph: true, json: false }]) {
      const out = renderInventory(inv, hosts, opts);
      for (const secret of ["hunter2", "s3cr3t", "tok-123", "pw-in-list"]) expect(out, JSON.stringify(opts)).not.toContain(secret);
    }
    const json = JSON.parse(renderInventory(inv, hosts, { graph: false, json: true }));
    expect(json._meta.hostvars.w1).toMatchObject({ ansible_become_pass: "<redacted>", ansible_user: "rocky", db_password: "<redacted>", registry: { url: "r.example", token: "<redacted>" } });
    expect(json.web.vars.db_password).toBe("<redacted>");
    const listing = renderInventory(inv, hosts, { graph: false, json: false });
    expect(listing).toContain("ansible_become_pass: <redacted>");
    expect(listing).toContain("ansible_user: rocky");
    // the inventory itself keeps the real value for the engine
    expect(inv.hosts.get("w1")?.vars.ansible_become_pass).toBe("hunter2");
    expect(redact({ a: [{ secret: 1 }], b: null })).toEqual({ a: [{ secret: "<redacted>" }], b: null });
  });
});
