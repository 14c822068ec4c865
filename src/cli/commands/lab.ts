// remedy lab up/down/status/fault: the simulated fleet behind real sshd (src/lab/).
import type { Command } from "commander";
import type { Io } from "../io.js";
import { intFlag } from "../options.js";
import { DEFAULT_LAB_DIR } from "../../lab/paths.js";
// lab modules load only when a lab command runs: check/apply never pay for them
const lab = {
  up: async () => (await import("../../lab/up.js")).labUp,
  down: async () => (await import("../../lab/down.js")).labDown,
  status: async () => (await import("../../lab/down.js")).labStatus,
  control: async () => import("../../lab/control.js"),
  checkFault: async () => (await import("../../lab/faults.js")).checkFault,
};
import { InputError } from "../../errors.js";

export function registerLab(program: Command, io: Io, setCode: (c: number) => void): void {
  const labCmd = program.command("lab").description("simulated CentOS 7 / Rocky 9 nodes behind real sshd (needs root)");
  labCmd
    .command("up")
    .description("start lab nodes and write an inventory, known_hosts and client key for them")
    .option("--el7 <n>", "CentOS 7.6 nodes", "2")
    .option("--el9 <n>", "Rocky 9.1 nodes", "2")
    .option("--dir <dir>", "lab directory (root-owned, not under /tmp)", DEFAULT_LAB_DIR)
    .option("--fault <node=fault>", "start a node with a fault, e.g. el7-node02=reboot=never (repeatable)", (v: string, p: string[]) => [...p, v], [] as string[])
    .option("--variant <node:key=value>", "start a node as a variant, e.g. el7-node01:firmware=uefi, el9-node01:iface=ens18 (repeatable)", (v: string, p: string[]) => [...p, v], [] as string[])
    .action(async (f: { el7: string; el9: string; dir: string; fault: string[]; variant: string[] }) => {
      const el7 = intFlag("el7", f.el7, 0, 2000) ?? 0;
      const el9 = intFlag("el9", f.el9, 0, 2000) ?? 0;
      if (el7 + el9 === 0) throw new InputError("lab up: ask for at least one node (--el7 N / --el9 N)");
      const faults: Record<string, string[]> = {};
      for (const spec of f.fault) {
        const i = spec.indexOf("=");
        if (i <= 0) throw new InputError(`--fault ${JSON.stringify(spec)}: expected <node>=<fault>, e.g. el7-node02=reboot=never`);
        (faults[spec.slice(0, i)] ??= []).push((await lab.checkFault())(spec.slice(i + 1)));
      }
      const t0 = Date.now();
      const variants: Record<string, string[]> = {};
      for (const spec of f.variant) {
        const i = spec.indexOf(":");
        if (i <= 0) throw new InputError(`--variant ${JSON.stringify(spec)}: expected <node>:<key>=<value>, e.g. el7-node01:firmware=uefi`);
        (variants[spec.slice(0, i)] ??= []).push(spec.slice(i + 1));
      }
      const info = await (await lab.up())({ dir: f.dir, el7, el9, faults, variants });
      io.out(`lab up: ${info.nodes.length} nodes in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
      io.out(`inventory:   ${info.inventoryPath}\n`);
      io.out(`try:         remedy check playbooks/ethtool-offload.yml -i ${f.dir}/inventory.ini\n`);
      setCode(0);
    });
  labCmd
    .command("down")
    .option("--dir <dir>", "lab directory", DEFAULT_LAB_DIR)
    .action(async (f: { dir: string }) => {
      await (await lab.down())(f.dir);
      io.out(`lab down: ${f.dir} removed\n`);
      setCode(0);
    });
  labCmd
    .command("status")
    .option("--dir <dir>", "lab directory", DEFAULT_LAB_DIR)
    .option("--json", "JSON output")
    .action(async (f: { dir: string; json?: boolean }) => {
      const s = (await lab.status())(f.dir);
      if (f.json) io.out(JSON.stringify(s, null, 2) + "\n");
      else {
        for (const n of s.nodes) io.out(`${n.name.padEnd(14)} ${n.os}  ${`${n.ip}:${n.port}`.padEnd(20)} ${String(n.state).padEnd(12)} ${n.faults.join(" ")}\n`);
        io.out(`${s.nodes.length} nodes (${s.nodes.filter((n) => n.up).length} up), supervisor ${s.supervisorPid ? `pid ${s.supervisorPid}` : "NOT running"}\n`);
      }
      setCode(0);
    });
  labCmd
    .command("fault")
    .description("set (or --clear) a fault on a running node, e.g. remedy lab fault el9-node01 reboot=never")
    .argument("<node>")
    .argument("[fault]")
    .option("--clear [key]", "remove a fault (all when no key)")
    .option("--dir <dir>", "lab directory", DEFAULT_LAB_DIR)
    .action(async (node: string, fault: string | undefined, f: { dir: string; clear?: string | boolean }) => {
      const c = await lab.control();
      if (f.clear !== undefined) await c.clearFault(f.dir, node, typeof f.clear === "string" ? f.clear : undefined);
      else if (fault) await c.setFault(f.dir, node, (await lab.checkFault())(fault));
      else throw new InputError("lab fault: name a fault (e.g. reboot=never) or pass --clear");
      setCode(0);
    });
}
