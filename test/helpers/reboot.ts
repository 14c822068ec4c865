// Reboot lab nodes as an operator would (`reboot` over ssh) and wait until each answers again with a new boot id:
// the node's boot (sysctl.d, ifcfg, enabled services) has run by then, since the lab starts sshd after it.
import type { TestLab } from "./lab.js";
import { waitFor } from "./wait.js";

export async function rebootAndWait(lab: TestLab, nodes: string[], timeoutMs = 60_000): Promise<void> {
  const bootId = async (n: string) => (await lab.exec(n, "cat /proc/sys/kernel/random/boot_id")).stdout.trim();
  const before = await Promise.all(nodes.map(bootId));
  for (const n of nodes) await lab.ssh(n, "reboot");
  await Promise.all(
    nodes.map((n, i) =>
      waitFor(
        `${n} to answer with a boot id other than ${before[i]}`,
        async () => {
          const r = await lab.ssh(n, "cat /proc/sys/kernel/random/boot_id");
          return r.code === 0 && r.stdout.trim() !== before[i] ? true : undefined;
        },
        timeoutMs,
      ),
    ),
  );
}
