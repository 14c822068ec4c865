// Facts gathered once per host, in one round trip (src/engine/facts.ts).
export interface Facts {
  hostname: string;
  os_id: string; // centos, rocky, ...
  os_version: string; // 7.6.1810, 9.1
  os_major: number;
  os_family: string; // rhel
  kernel: string; // uname -r
  boot_id: string;
  arch: string;
  init: string; // systemd | other
  pkg_mgr: string; // yum | dnf | apt | unknown
  default_iface: string;
  container_runtime: string; // docker | containerd | none
  cgroup_version: number; // 1 | 2
}
