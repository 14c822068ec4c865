// Facts: one shell script, one round trip, parsed by a pure function (pyinfra: command + parser).
import type { Facts } from "../model/facts.js";

// Shell builtins wherever possible: one `uname` is the only program started (process spawns, not the
// shell, are what a fact round trip costs on a busy node).
export const FACTS_COMMAND = [
  // builtins only where the shell can (kernel files, bash's HOSTTYPE): every process costs on a busy node
  `h=; k=; a=\${HOSTTYPE-}; read -r h 2>/dev/null </proc/sys/kernel/hostname; read -r k 2>/dev/null </proc/sys/kernel/osrelease`,
  `if [ -z "$h" ] || [ -z "$k" ] || [ -z "$a" ]; then set -- $(uname -n -r -m 2>/dev/null); h=$1; k=$2; a=$3; fi`,
  `printf 'hostname=%s\\nkernel=%s\\narch=%s\\n' "$h" "$k" "$a"`,
  `o1=; o2=; o3=; if [ -r /etc/os-release ]; then while IFS='=' read -r f v; do v=\${v#[\\"\\']}; v=\${v%[\\"\\']}; case $f in ID) o1=$v ;; VERSION_ID) o2=$v ;; ID_LIKE) o3=$v ;; esac; done </etc/os-release; fi`,
  `printf 'os_id=%s\\nos_version=%s\\nos_like=%s\\n' "$o1" "$o2" "$o3"`,
  `l=; [ -r /etc/redhat-release ] && IFS= read -r l </etc/redhat-release; printf 'os_release=%s\\n' "$l"`,
  `b=; [ -r /proc/sys/kernel/random/boot_id ] && read -r b </proc/sys/kernel/random/boot_id; printf 'boot_id=%s\\n' "$b"`,
  `if [ -d /run/systemd/system ] || [ -e /usr/lib/systemd/systemd ]; then echo init=systemd; else echo init=other; fi`,
  `if command -v dnf >/dev/null 2>&1; then echo pkg_mgr=dnf; elif command -v yum >/dev/null 2>&1; then echo pkg_mgr=yum; elif command -v apt-get >/dev/null 2>&1; then echo pkg_mgr=apt; else echo pkg_mgr=unknown; fi`,
  `i=; if [ -r /proc/net/route ]; then while read -r dev dst rest; do if [ "$dst" = 00000000 ]; then i=$dev; break; fi; done </proc/net/route; fi; printf 'default_iface=%s\\n' "$i"`,
  `if command -v docker >/dev/null 2>&1; then echo container_runtime=docker; elif command -v containerd >/dev/null 2>&1 || [ -e /usr/bin/containerd ]; then echo container_runtime=containerd; else echo container_runtime=none; fi`,
  `if [ -f /sys/fs/cgroup/cgroup.controllers ]; then echo cgroup_version=2; else echo cgroup_version=1; fi`,
].join("; ");

export function parseFacts(stdout: string): Facts {
  const kv = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) kv.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  const get = (k: string) => kv.get(k) ?? "";
  const version = get("os_version") || (get("os_release").match(/release (\S+)/)?.[1] ?? "");
  const fullRelease = get("os_release").match(/release (\d+(?:\.\d+)*)/)?.[1];
  return {
    hostname: get("hostname"),
    os_id: get("os_id").toLowerCase(),
    // prefer the precise redhat-release version (7.6.1810) over os-release VERSION_ID (7)
    os_version: fullRelease && fullRelease.startsWith(version) ? fullRelease : version,
    os_major: Number.parseInt(version, 10) || 0,
    os_family: /rhel|centos|fedora|rocky|almalinux/.test(`${get("os_id")} ${get("os_like")}`) ? "rhel" : get("os_id") || "unknown",
    kernel: get("kernel"),
    boot_id: get("boot_id"),
    arch: get("arch"),
    init: get("init") || "other",
    pkg_mgr: get("pkg_mgr") || "unknown",
    default_iface: get("default_iface"),
    container_runtime: get("container_runtime") || "none",
    cgroup_version: Number(get("cgroup_version")) === 2 ? 2 : 1,
  };
}
