// remedy diagnose: read-only; one collection round trip per host, then signatures and risky configurations → playbooks.
import type { Command } from "commander";
import type { Io } from "../io.js";
import { intFlag } from "../options.js";
import { ExitCode } from "../exit-codes.js";
import { loadInventory, resolvePattern } from "../../inventory/index.js";
import { InventoryConnector } from "../connect.js";
import { diagnoseExitCode, diagnoseHosts, renderJsonLines, renderTable } from "../../diagnose/index.js";
import { registerPanicListen } from "./panic-listen.js";
import { resolveRunFlags } from "../run-settings.js";
import { isAbsolute, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The shipped playbooks, as a path from the working directory when it is below it (shorter commands). */
function shippedPlaybooks(cwd: string): string {
  const dir = fileURLToPath(new URL("../../../playbooks", import.meta.url));
  const rel = relative(cwd, dir);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : dir;
}

export interface DiagnoseFlags {
  inventory?: string;
  limit?: string;
  json?: boolean;
  forks: string;
  knownHosts?: string;
  sshConfig?: string;
  timeout?: string;
}

export async function diagnoseCommand(flags: DiagnoseFlags, io: Io): Promise<number> {
  const forks = intFlag("forks", flags.forks, 1, 1000) ?? 50;
  const timeoutSec = intFlag("timeout", flags.timeout, 1, 3600) ?? 60;
  const { inventory, connect } = resolveRunFlags({ inventory: flags.inventory }, io); // -i, else $REMEDY_INVENTORY / ansible.cfg
  const inv = await loadInventory(inventory);
  const hosts = resolvePattern(inv, flags.limit ?? "all");
  const connector = new InventoryConnector(inv, { knownHosts: flags.knownHosts, sshConfig: flags.sshConfig, ...connect });
  try {
    const ds = await diagnoseHosts({
      hosts,
      forks,
      signal: io.signal,
      timeoutMs: timeoutSec * 1000,
      connect: (h, s) => connector.get(h, s),
      onHost: flags.json ? (d) => io.out(renderJsonLines([d])) : undefined,
    });
    if (!flags.json) io.out(renderTable(ds, { inventory: inventory, playbooksDir: shippedPlaybooks(io.cwd) }));
    if (io.signal.aborted) {
      io.err(`diagnose: interrupted; ${ds.length} of ${hosts.length} hosts diagnosed\n`);
      return ExitCode.Interrupted;
    }
    return diagnoseExitCode(ds);
  } finally {
    await connector.closeAll();
  }
}

/** Registers `diagnose` and `panic-listen` (extra.ts has one line for both). */
export function registerDiagnose(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("diagnose")
    .description("read-only: look for known kernel/runtime problems on each host and name the playbook that fixes them")
    .option("-i, --inventory <path>", "inventory file or directory; default $REMEDY_INVENTORY, $ANSIBLE_INVENTORY or ansible.cfg's inventory")
    .option("-l, --limit <pattern>", "host pattern")
    .option("--json", "one JSON object per host")
    .option("-f, --forks <n>", "hosts diagnosed in parallel", "50")
    .option("--timeout <seconds>", "per-host collection timeout", "60")
    .option("--known-hosts <file>", "known_hosts file to verify host keys against")
    .option("--ssh-config <file>", "ssh config file (default ~/.ssh/config)")
    .action(async (flags: DiagnoseFlags) => setCode(await diagnoseCommand(flags, io)));
  // guard: a second registration would make commander throw for every command
  if (!program.commands.some((c) => c.name() === "panic-listen")) registerPanicListen(program, io, setCode);
}
