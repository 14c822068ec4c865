// remedy demo: a lab up, each shipped playbook checked then applied, a summary, the lab down.
import type { Command } from "commander";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Io } from "../io.js";
import { intFlag } from "../options.js";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));

/** playbook → extra vars the demo needs on the lab (runc-upgrade first: it makes the pipe workaround removable) */
export const DEMO_PLAYBOOKS: Array<{ file: string; vars: string[] }> = [
  { file: "ethtool-offload.yml", vars: [] },
  { file: "runc-upgrade.yml", vars: [] },
  { file: "sysctl-revert.yml", vars: [] },
  { file: "runc-nokmem.yml", vars: [] },
  { file: "kpatch-route.yml", vars: [] },
  { file: "netconsole.yml", vars: ["netconsole_target=127.0.0.1"] },
  { file: "kernel-upgrade.yml", vars: [] },
];

/** Node variants (src/lab/variants.ts) that give every shipped playbook work on the default 2+2 lab. */
export const DEMO_VARIANTS: Record<string, string[]> = {
  "el7-node01": ["firmware=uefi", "kpatch=rpm", "kpatch_transition=3"], // kernel-upgrade on UEFI; kpatch 0.6.1, slow transition
  "el7-node02": ["runc=rc93", "pipe_workaround=1", "iface=ens18"], // runc-upgrade, then sysctl-revert; offloads on ens18
  "el9-node01": ["firmware=uefi", "iface=ens18"],
  "el9-node02": ["pipe_workaround=1"],
};

/** `runCli` is passed in (not imported) so the demo does not import the program that registers it. */
export function registerDemo(program: Command, io: Io, setCode: (c: number) => void, runCli: (argv: string[], io: Io) => Promise<number>): void {
  program
    .command("demo")
    .description("start a lab, dry-run and apply the shipped playbooks, print the summary, stop the lab (needs root)")
    .option("--el7 <n>", "CentOS 7 nodes", "2")
    .option("--el9 <n>", "Rocky 9 nodes", "2")
    .option("--dir <dir>", "lab directory", "/var/lib/remedy-lab-demo")
    .option("--keep", "leave the lab running afterwards")
    .action(async (f: { el7: string; el9: string; dir: string; keep?: boolean }) => {
      const el7 = intFlag("el7", f.el7, 0, 500) ?? 2;
      const el9 = intFlag("el9", f.el9, 0, 500) ?? 2;
      io.out(`== starting a lab of ${el7} CentOS 7 + ${el9} Rocky 9 nodes in ${f.dir}\n`);
      const { labUp } = await import("../../lab/up.js");
      const { labDown } = await import("../../lab/down.js");
      const variants = Object.fromEntries(Object.entries(DEMO_VARIANTS).filter(([n]) => Number(n.slice(-2)) <= (n.startsWith("el7") ? el7 : el9)));
      const lab = await labUp({ dir: f.dir, el7, el9, startIndex: 3000, variants });
      const results: string[] = [];
      let worst = 0;
      try {
        for (const p of DEMO_PLAYBOOKS) {
          const file = join(REPO, "playbooks", p.file);
          if (!existsSync(file)) continue;
          const common = ["-i", lab.inventoryPath, "--known-hosts", lab.knownHostsPath, ...p.vars.flatMap((v) => ["-e", v])];
          io.out(`\n== remedy check playbooks/${p.file}\n`);
          const check = await runCli(["check", file, ...common], io);
          io.out(`\n== remedy apply playbooks/${p.file} --yes\n`);
          const apply = await runCli(["apply", file, ...common, "--yes"], io);
          io.out(`\n== remedy check playbooks/${p.file} (again: must be clean)\n`);
          const again = await runCli(["check", file, ...common], io);
          results.push(`${p.file.padEnd(22)} check=${check}  apply=${apply}  re-check=${again}`);
          if (apply !== 0 || again !== 0) worst = 1;
          if (io.signal.aborted) break;
        }
      } finally {
        if (!f.keep) await labDown(f.dir);
      }
      io.out(`\n== demo summary (exit codes: check 2 = changes pending, apply 0 = applied and verified, re-check 0 = compliant)\n${results.join("\n")}\n`);
      if (f.keep) io.out(`lab left running: remedy lab down --dir ${f.dir}\n`);
      setCode(io.signal.aborted ? 130 : worst);
    });
}
