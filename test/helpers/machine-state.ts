// Issue 3 acceptance 4: applying the shipped playbooks to lab nodes leaves THIS machine untouched:
// sysctls, interface offloads, /boot, /etc/sysctl.d, loaded modules, boot id (test/e2e/playbooks/lab.test.ts).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";

function offloads(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const dev of readdirSync("/sys/class/net")) {
    try {
      // ethtool is installed by .ci/run; the features of each real interface are what the playbooks touch in a node
      out[dev] = execFileSync("ethtool", ["-k", dev], { encoding: "utf8" });
    } catch (e) {
      out[dev] = `ethtool unavailable: ${(e as Error).message.split("\n")[0]}`;
    }
  }
  return out;
}

/** What the lab must never change on this machine, read from the machine itself. */
export function machineSnapshot() {
  const sysctl = (k: string) => readFileSync(`/proc/sys/${k}`, "utf8");
  return {
    sysctls: ["fs/pipe-user-pages-soft", "net/ipv4/ip_forward", "kernel/hostname", "kernel/osrelease", "kernel/random/boot_id"].map(sysctl),
    sysctlD: readdirSync("/etc/sysctl.d").sort(),
    sysctlConf: existsSync("/etc/sysctl.conf") ? readFileSync("/etc/sysctl.conf", "utf8") : null,
    boot: existsSync("/boot") ? readdirSync("/boot").sort() : [],
    // /proc/modules is absent in some containers; lsmod-equivalent when present
    modules: existsSync("/proc/modules") ? readFileSync("/proc/modules", "utf8").split("\n").map((l) => l.split(" ")[0]).sort() : readdirSync("/sys/module").sort(),
    offloads: offloads(),
    modprobeD: existsSync("/etc/modprobe.d") ? readdirSync("/etc/modprobe.d").sort() : [],
  };
}
