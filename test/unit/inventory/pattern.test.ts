import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.js";
import { loadInventory, resolvePattern, splitPattern, type LoadedInventory } from "../../../src/inventory/index.js";

const INI = `bastion

[kube_control_plane]
cp2
cp1

[etcd]
cp1
cp2
cp3

[kube_node]
node[01:04]
web1.example.com

[kube_node:vars]
x=1

[calico_rr]

[k8s_cluster:children]
kube_control_plane
kube_node
calico_rr
`;

let inv: LoadedInventory;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "remedy-pat-"));
  writeFileSync(join(dir, "hosts.ini"), INI);
  inv = await loadInventory(join(dir, "hosts.ini"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const r = (p: string, l?: string) => resolvePattern(inv, p, l);

describe("splitPattern", () => {
  it("splits on commas first, else on colons outside brackets", () => {
    expect(splitPattern("a:b:&c:!d")).toEqual(["a", "b", "&c", "!d"]);
    expect(splitPattern("a, b ,&c,!d")).toEqual(["a", "b", "&c", "!d"]);
    expect(splitPattern("web[1:3]:db")).toEqual(["web[1:3]", "db"]);
  });
});

describe("resolvePattern", () => {
  it("all and * give every host in inventory order", () => {
    const every = ["bastion", "cp2", "cp1", "cp3", "node01", "node02", "node03", "node04", "web1.example.com"];
    expect(r("all")).toEqual(every);
    expect(r("*")).toEqual(every);
  });
  it("a group gives its own hosts, then its children's", () => {
    expect(r("kube_control_plane")).toEqual(["cp2", "cp1"]);
    expect(r("k8s_cluster")).toEqual(["cp2", "cp1", "node01", "node02", "node03", "node04", "web1.example.com"]);
    expect(r("calico_rr")).toEqual([]);
    expect(r("ungrouped")).toEqual(["bastion"]);
  });
  it("a host name gives that host", () => {
    expect(r("node02")).toEqual(["node02"]);
    expect(r("web1.example.com")).toEqual(["web1.example.com"]);
  });
  it("union with ':' and ',' keeps first-seen order, deduplicated", () => {
    expect(r("etcd:kube_control_plane")).toEqual(["cp1", "cp2", "cp3"]);
    expect(r("kube_control_plane,etcd,node01")).toEqual(["cp2", "cp1", "cp3", "node01"]);
  });
  it("intersection with &", () => {
    expect(r("etcd:&k8s_cluster")).toEqual(["cp1", "cp2"]);
    expect(r("&kube_control_plane")).toEqual(["cp2", "cp1"]);
  });
  it("exclusion with !, applied after unions whatever the order", () => {
    expect(r("etcd:!kube_control_plane")).toEqual(["cp3"]);
    expect(r("!etcd:kube_control_plane")).toEqual([]);
    expect(r("!k8s_cluster")).toEqual(["bastion", "cp3"]);
    expect(r("k8s_cluster:!kube_node:&etcd")).toEqual(["cp2", "cp1"]);
  });
  it("globs match groups and hosts", () => {
    expect(r("node0*")).toEqual(["node01", "node02", "node03", "node04"]);
    // ansible-core reads a trailing [13] as a subscript of 'node0' (which names nothing), never as a glob class
    expect(() => r("node0[13]")).toThrow("'node0[13]' is a subscript of 'node0', as in ansible; to match host names use a glob like 'node0*' or a regex like '~node0[13]'");
    expect(() => r("node[1-3]")).toThrow(/'node' matches no host or group/);
    expect(r("node0[13]*")).toEqual(["node01", "node03"]); // not trailing: a glob class
    expect(r("kube_*")).toEqual(["cp2", "cp1", "node01", "node02", "node03", "node04", "web1.example.com"]);
    expect(r("*.example.com")).toEqual(["web1.example.com"]);
    expect(r("cp?")).toEqual(["cp2", "cp1", "cp3"]);
  });
  it("regexes with ~ match from the start of the name", () => {
    expect(r("~node0[13]")).toEqual(["node01", "node03"]);
    expect(r("~cp[23]$")).toEqual(["cp2", "cp3"]);
    expect(r("~kube_(node|control_plane)")).toEqual(["cp2", "cp1", "node01", "node02", "node03", "node04", "web1.example.com"]);
    expect(r("~.*example")).toEqual(["web1.example.com"]);
  });
  it("subscripts pick from a group's host list (inclusive ranges)", () => {
    expect(r("etcd[0]")).toEqual(["cp1"]);
    expect(r("etcd[-1]")).toEqual(["cp3"]);
    expect(r("kube_node[0:2]")).toEqual(["node01", "node02", "node03"]);
    expect(r("kube_node[3:]")).toEqual(["node04", "web1.example.com"]);
    expect(r("kube_control_plane[0]")).toEqual(["cp2"]);
    expect(r("kube_node[1-2]")).toEqual(["node02", "node03"]);
    expect(r("kube_node[1:3]")).toEqual(["node02", "node03", "node04"]);
    expect(r("kube_node[-1]")).toEqual(["web1.example.com"]);
    expect(r("kube_*[0]")).toEqual(["cp2"]);
    expect(() => r("etcd[7]")).toThrow(/out of range; 'etcd' has 3 host\(s\)/);
  });
  it("intersects the limit (-l) like ansible", () => {
    expect(r("k8s_cluster", "etcd")).toEqual(["cp2", "cp1"]);
    expect(r("all", "node01,node03,cp1")).toEqual(["cp1", "node01", "node03"]);
    expect(r("all", "node01:cp1")).toEqual(["cp1", "node01"]);
    expect(() => r("all", "node01,node03:cp1")).toThrow("a ':' does not separate terms; use ',' throughout");
    expect(r("all", "all:!kube_node")).toEqual(["bastion", "cp2", "cp1", "cp3"]);
    expect(r("kube_node", "etcd")).toEqual([]);
  });
  it("names that match nothing are an InputError with suggestions", () => {
    expect(() => r("kube_nodes")).toThrow(InputError);
    expect(() => r("kube_nodes")).toThrow("pattern 'kube_nodes': 'kube_nodes' matches no host or group in inventory");
    expect(() => r("kube_nodes")).toThrow("did you mean 'kube_node'");
    expect(() => r("etcd:!ectd")).toThrow("did you mean 'etcd'");
    expect(() => r("all", "nod01")).toThrow(/limit 'nod01'.*did you mean 'node01'/);
    expect(() => r("zzz*")).toThrow(/known groups: all, ungrouped, kube_control_plane/);
    expect(() => r("")).toThrow(InputError);
    expect(() => r("~(")).toThrow(/invalid regular expression/);
    expect(() => r("all", "@hosts.txt")).toThrow(/@file\) is not supported/);
  });
});
