import { describe, expect, it } from "vitest";
import { parseFacts, FACTS_COMMAND } from "../../../src/engine/facts.js";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

describe("facts", () => {
  it("parses an EL7 node", () => {
    const f = parseFacts(
      "hostname=el7-node01\nos_id=centos\nos_version=7\nos_like=rhel fedora\nos_release=CentOS Linux release 7.6.1810 (Core)\nkernel=3.10.0-957.el7.x86_64\narch=x86_64\nboot_id=0b6e1c4e-3d8a-4a57-9d1e-2c8d3f1a9b10\ninit=systemd\npkg_mgr=yum\ndefault_iface=eth0\ncontainer_runtime=docker\ncgroup_version=1\n",
    );
    expect(f).toMatchObject({ os_id: "centos", os_version: "7.6.1810", os_major: 7, os_family: "rhel", kernel: "3.10.0-957.el7.x86_64", default_iface: "eth0", cgroup_version: 1, pkg_mgr: "yum" });
  });
  it("parses an EL9 node", () => {
    const f = parseFacts("os_id=rocky\nos_version=9.1\nos_like=rhel centos fedora\nos_release=Rocky Linux release 9.1 (Blue Onyx)\nkernel=6.1.1-1.el9.elrepo.x86_64\ncgroup_version=2\ncontainer_runtime=containerd\n");
    expect(f).toMatchObject({ os_major: 9, os_version: "9.1", cgroup_version: 2, container_runtime: "containerd" });
  });
  it("the fact script runs in one sh invocation and yields every key", () => {
    const out = execFileSync("/bin/sh", ["-c", FACTS_COMMAND], { encoding: "utf8" });
    for (const k of ["hostname", "os_id", "kernel", "arch", "boot_id", "init", "pkg_mgr", "default_iface", "container_runtime", "cgroup_version"]) {
      expect(out).toMatch(new RegExp(`^${k}=`, "m"));
    }
    expect(parseFacts(out).boot_id).toMatch(/^[0-9a-f-]{36}$/);
  });
  it("reads os-release values bare, double- or single-quoted, without sourcing the file, under sh and bash", () => {
    const dir = mkdtempSync(join(tmpdir(), "facts-"));
    writeFileSync(join(dir, "os-release"), `NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID='9.1'\nPRETTY=$(touch ${dir}/sourced)\n`);
    const script = FACTS_COMMAND.replaceAll("/etc/os-release", join(dir, "os-release"));
    for (const sh of ["/bin/sh", "/bin/bash"]) {
      const f = parseFacts(execFileSync(sh, ["-c", script], { encoding: "utf8" }));
      expect({ sh, id: f.os_id, v: f.os_version, family: f.os_family }).toEqual({ sh, id: "rocky", v: "9.1", family: "rhel" });
    }
    expect(existsSync(join(dir, "sourced"))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});
