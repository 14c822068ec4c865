// One sample of gathered facts (a CentOS 7.6 node) for tests; override what a test cares about.
import type { Facts } from "../../src/model/facts.js";

export function sampleFacts(over: Partial<Facts> = {}): Facts {
  return {
    hostname: "node1",
    os_id: "centos",
    os_version: "7.6.1810",
    os_major: 7,
    os_family: "rhel",
    kernel: "3.10.0-957.el7.x86_64",
    boot_id: "11111111-2222-3333-4444-555555555555",
    arch: "x86_64",
    init: "systemd",
    pkg_mgr: "yum",
    default_iface: "eth0",
    container_runtime: "docker",
    cgroup_version: 1,
    ...over,
  };
}
