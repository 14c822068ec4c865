// remedy panic-listen: collect netconsole kernel-panic messages by UDP, one JSONL record per panic, optionally
// annotating the Kubernetes node (seed 004). Runs until interrupted.
import { Option, type Command } from "commander";
import { resolve } from "node:path";
import type { Io } from "../io.js";
import type { ExecOptions, ExecResult } from "../../transport/transport.js";
import { ExitCode } from "../exit-codes.js";
import { intFlag } from "../options.js";
import { InputError } from "../../errors.js";
import { loadInventory, resolvePattern } from "../../inventory/index.js";
import { LocalTransport } from "../../transport/local.js";
import { InventoryConnector } from "../connect.js";
import { connectDefaults, settingsFor } from "../run-settings.js";
import { DEFAULT_PANIC_PORT, inventoryIpMap, startPanicListener, type GrouperLimits, type PanicRecord } from "../../diagnose/panic/index.js";

export interface PanicListenOptions {
  port: number;
  bind: string;
  /** JSONL file, appended */
  outFile: string;
  /** sender IP → inventory host */
  hosts: ReadonlyMap<string, string>;
  /** runs `kubectl annotate node ...` when set (controller or delegate transport) */
  annotate?: (command: string, opts?: ExecOptions) => Promise<ExecResult>;
  print: (s: string) => void;
  warn: (s: string) => void;
  /** the listener stops when this aborts */
  signal: AbortSignal;
  limits?: Partial<GrouperLimits>;
  /** called once listening (tests: the real port when port 0 was asked) */
  onListening?: (addr: { address: string; port: number }) => void;
  onRecord?: (r: PanicRecord) => void;
}

/** Listens until `signal` aborts, then flushes open records and returns. Stopping by signal is the normal end: 0. */
export async function panicListenCommand(o: PanicListenOptions): Promise<{ exitCode: number }> {
  const l = await startPanicListener({
    port: o.port,
    bind: o.bind,
    hosts: o.hosts,
    outFile: o.outFile,
    print: o.print,
    warn: o.warn,
    annotate: o.annotate,
    limits: o.limits,
  });
  if (o.onRecord) l.onRecord(o.onRecord);
  o.warn(`panic-listen: listening on udp ${l.address}:${l.port} (${o.hosts.size} known addresses), appending to ${o.outFile}\n`);
  o.onListening?.({ address: l.address, port: l.port });
  try {
    if (!o.signal.aborted) await new Promise<void>((res) => o.signal.addEventListener("abort", () => res(), { once: true }));
  } finally {
    await l.close();
  }
  const s = l.stats();
  o.warn(`panic-listen: stopped after ${s.packets} packets, ${s.records} panic records\n`);
  return { exitCode: ExitCode.Ok };
}

interface Flags {
  port: string;
  bind: string;
  out: string;
  annotate?: boolean;
  inventory?: string;
  limit?: string;
  kubectlOn?: string;
  /** older spelling of --kubectl-on */
  kubeHost?: string;
  knownHosts?: string;
  sshConfig?: string;
}

export function registerPanicListen(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("panic-listen")
    .description("collect kernel panics sent by netconsole (UDP) into a JSONL file, one record per panic; optionally annotate the node")
    .option("-p, --port <n>", "UDP port (netconsole's default target port)", String(DEFAULT_PANIC_PORT))
    .option("--bind <address>", "local address to listen on", "0.0.0.0")
    .option("-o, --out <file>", "JSONL file records are appended to", "panics.jsonl")
    .option("-i, --inventory <path>", "inventory: maps sender IPs (ansible_host) to host names; default $REMEDY_INVENTORY, $ANSIBLE_INVENTORY or ansible.cfg's inventory")
    .option("-l, --limit <pattern>", "only map these inventory hosts")
    .option("--annotate", `kubectl annotate node <host> remedy.io/kernel-panic=<reason> --overwrite`)
    .option("--kubectl-on <host>", "inventory host that runs kubectl for --annotate (default: this machine)")
    .addOption(new Option("--kube-host <host>", "same as --kubectl-on").hideHelp())
    .option("--known-hosts <file>", "known_hosts file to verify host keys against")
    .option("--ssh-config <file>", "ssh config file (default ~/.ssh/config)")
    .action(async (f: Flags) => {
      const port = intFlag("port", f.port, 0, 65535) ?? DEFAULT_PANIC_PORT;
      const kubectlOn = f.kubectlOn ?? f.kubeHost;
      // the same default inventory as check/apply; without one, packets are recorded under their sender IP
      const settings = settingsFor({ inventory: f.inventory }, io);
      const inventory = settings.get("inventory");
      if (kubectlOn && !inventory.value) throw new InputError("--kubectl-on needs an inventory to connect to that host: pass -i <file>, set REMEDY_INVENTORY, or set `inventory =` under [defaults] in ansible.cfg");
      let hosts = new Map<string, string>();
      let connector: InventoryConnector | undefined;
      let kubeHost: string | undefined;
      if (inventory.value) {
        io.err(`panic-listen: inventory ${inventory.value} (${inventory.source})\n`);
        const inv = await loadInventory(inventory.value);
        const r = await inventoryIpMap(inv, resolvePattern(inv, f.limit ?? "all"));
        for (const u of r.unresolved) io.err(`panic-listen: ${u.host}: cannot resolve ${u.address} (${u.error}); its packets are recorded under their IP\n`);
        for (const s of r.shared) io.err(`panic-listen: ${s.ip} is the address of ${s.hosts.join(", ")}; recorded as ${s.hosts[0]}\n`);
        hosts = r.map;
        if (kubectlOn) {
          kubeHost = resolvePattern(inv, kubectlOn)[0]; // unknown host → InputError before listening
          if (!kubeHost) throw new InputError(`--kubectl-on ${JSON.stringify(kubectlOn)} matches no inventory host`);
          connector = new InventoryConnector(inv, { knownHosts: f.knownHosts, sshConfig: f.sshConfig, ...connectDefaults(settings) });
        }
      }
      const local = new LocalTransport("localhost");
      const annotate = f.annotate
        ? async (cmd: string, opts?: ExecOptions) => (connector && kubeHost ? (await connector.get(kubeHost, io.signal)).exec(cmd, opts) : local.exec(cmd, opts))
        : undefined;
      try {
        const r = await panicListenCommand({
          port,
          bind: f.bind,
          outFile: resolve(io.cwd, f.out),
          hosts,
          annotate,
          print: io.out,
          warn: io.err,
          signal: io.signal,
        });
        setCode(r.exitCode);
      } finally {
        await connector?.closeAll();
      }
    });
}
