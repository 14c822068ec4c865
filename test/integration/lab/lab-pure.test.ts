import { describe, expect, it } from "vitest";
import { indexSpan, nodeIps, planNodes } from "../../../src/lab/addresses.js";
import { checkFault, interpretFaults, withFault, withoutFault } from "../../../src/lab/faults.js";
import { mountsUnder, parseMountPoints } from "../../../src/lab/mounts.js";
import { panicLines } from "../../../src/lab/panic.js";
import { knownHostsLine, renderInventory } from "../../../src/lab/render.js";

describe("lab addresses", () => {
  it("skips .0 and .255 and crosses into the next /24", () => {
    const ips = nodeIps(3, 253);
    expect(ips).toEqual(["127.77.0.253", "127.77.0.254", "127.77.1.1"]);
    expect(indexSpan(3, 253)).toBe(5);
    expect(nodeIps(1)).toEqual(["127.77.0.1"]);
  });
  it("names el7 nodes first, then el9", () => {
    const p = planNodes(2, 1, 2222);
    expect(p.map((n) => `${n.name}@${n.ip}`)).toEqual(["el7-node01@127.77.0.1", "el7-node02@127.77.0.2", "el9-node01@127.77.0.3"]);
  });
});

describe("lab faults", () => {
  it("parses every fault kind", () => {
    const f = interpretFaults(["unreachable", "slow_ms=250", "reboot=die-after:3", "hostkey=changed", "panic=10.0.0.1:6666", "disk=full", "hang=yum"]);
    expect(f).toMatchObject({ unreachable: true, slowMs: 250, reboot: { kind: "die-after", seconds: 3 }, hostkeyChanged: true, panic: { ip: "10.0.0.1", port: 6666 }, diskFull: true, hang: "yum" });
    expect(interpretFaults([]).reboot).toEqual({ kind: "normal" });
  });
  it("rejects malformed faults with the accepted forms", () => {
    expect(() => checkFault("reboot=sometimes")).toThrow(/reboot=never/);
    expect(() => checkFault("slow=5")).toThrow(/unknown key/);
    expect(checkFault(" slow_ms=5 ")).toBe("slow_ms=5");
  });
  it("adds by key (replacing) and removes by key", () => {
    expect(withFault(["slow_ms=5", "unreachable"], "slow_ms=9")).toEqual(["unreachable", "slow_ms=9"]);
    expect(withoutFault(["slow_ms=5", "unreachable"], "slow_ms")).toEqual(["unreachable"]);
    expect(withoutFault(["slow_ms=5"])).toEqual([]);
  });
});

describe("lab mounts", () => {
  const info = [
    "22 27 0:21 / /proc rw - proc proc rw",
    "40 27 254:0 /lab/base /var/lib/lab/nodes/a/root/opt/lab/base ro - ext4 /dev/vda rw",
    "41 27 0:50 / /var/lib/lab/nodes/a/diskfull rw - tmpfs lab-diskfull rw",
    "42 27 0:51 / /var/lib/lab/nodes/a/root/etc rw - overlay lab-diskfull rw",
    "43 27 0:52 / /var/lib/lab2/x rw - tmpfs t rw",
    "44 27 0:53 / /var/lib/lab/with\\040space rw - tmpfs t rw",
  ].join("\n");
  it("lists mounts under a dir deepest first, not a sibling with the same prefix", () => {
    const m = mountsUnder("/var/lib/lab", info);
    expect(m[0]).toBe("/var/lib/lab/nodes/a/root/opt/lab/base");
    expect(m).toContain("/var/lib/lab/with space");
    expect(m).not.toContain("/var/lib/lab2/x");
    expect(parseMountPoints(info)).toHaveLength(6);
  });
});

describe("lab renderers", () => {
  it("known_hosts uses [ip]:port for non-22 ports", () => {
    expect(knownHostsLine("127.77.0.1", 2222, "ssh-ed25519 AAAAC3 el7-node01\n")).toBe("[127.77.0.1]:2222 ssh-ed25519 AAAAC3");
  });
  it("inventory: first node of each OS is control plane and etcd", () => {
    const inv = renderInventory(planNodes(2, 2, 2222), { clientKey: "/l/client_key", knownHosts: "/l/known_hosts" });
    expect(inv).toMatch(/\[kube_control_plane\]\nel7-node01\nel9-node01\n/);
    expect(inv).toMatch(/\[etcd\]\nel7-node01\nel9-node01\n/);
    expect(inv).toMatch(/\[kube_node\]\nel7-node01\nel7-node02\nel9-node01\nel9-node02\n/);
    expect(inv).toContain("el9-node02 ansible_host=127.77.0.4 ansible_port=2222 ansible_user=root ansible_ssh_private_key_file=/l/client_key remedy_known_hosts=/l/known_hosts");
  });
  it("panic lines look like netconsole output and end in the panic", () => {
    const lines = panicLines(123.456789, "n1");
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines[1]).toMatch(/^\[\s+123\.\d{6}\] kernel BUG at net\/core\/skbuff\.c:4044!\n$/);
    expect(lines.at(-1)).toMatch(/Kernel panic - not syncing: Fatal exception/);
  });
});
