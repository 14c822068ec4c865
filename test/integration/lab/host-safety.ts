// What the lab must never change on this machine: compared before and after each lab test file.
import { readdirSync, readFileSync } from "node:fs";

export interface HostSnapshot {
  pipeUserPagesSoft: string;
  ipForward: string;
  sysctlD: string[];
  hostname: string;
}

export function hostSnapshot(): HostSnapshot {
  return {
    pipeUserPagesSoft: readFileSync("/proc/sys/fs/pipe-user-pages-soft", "utf8"),
    ipForward: readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8"),
    sysctlD: readdirSync("/etc/sysctl.d").sort(),
    hostname: readFileSync("/proc/sys/kernel/hostname", "utf8"),
  };
}
