// remedy unlock: remove the run lock on hosts whose run died (the lock names who held it; we print that).
import type { Command } from "commander";
import type { Io } from "../io.js";
import { ExitCode } from "../exit-codes.js";
import type { Connector } from "../../engine/connector.js";
import { errorMessage } from "../../errors.js";
import { loadInventory, resolvePattern } from "../../inventory/index.js";
import type { Inventory } from "../../model/inventory.js";
import { describeOwner } from "../../plan/lock.js";
import { forceUnlockScript, parseOutput } from "../../plan/remote.js";
import { layoutFrom } from "../../plan/gate.js";
import { resolveRunFlags, type ConnectDefaults } from "../run-settings.js";

export interface UnlockFlags {
  /** -i; else $REMEDY_INVENTORY, $ANSIBLE_INVENTORY or ansible.cfg's inventory, as for check/apply */
  inventory?: string;
  limit: string;
  become?: boolean;
  knownHosts?: string;
  sshConfig?: string;
}

export async function unlockCommand(flags: UnlockFlags, io: Io, connectorFor: (inv: Inventory, connect: ConnectDefaults) => Connector): Promise<number> {
  const { inventory: path, connect } = resolveRunFlags({ inventory: flags.inventory }, io);
  const inventory = await loadInventory(path);
  const hosts = resolvePattern(inventory, flags.limit);
  const connector = connectorFor(inventory, connect);
  const layout = layoutFrom(io.env);
  let unreachable = 0;
  try {
    for (const h of hosts) {
      try {
        const t = await connector.get(h, io.signal);
        const r = await t.exec(forceUnlockScript(layout), { timeoutMs: 30_000, become: flags.become });
        const out = parseOutput(r.stdout);
        const result = out.top.get("result");
        if (result === "removed") io.out(`${h}: removed the run lock held by ${describeOwner(out.owner)}\n`);
        else if (result === "none") io.out(`${h}: not locked\n`);
        else io.err(`${h}: could not remove the lock: ${r.stderr.trim() || `exit ${r.exitCode}`}\n`);
      } catch (e) {
        unreachable++;
        io.err(`${h}: unreachable: ${errorMessage(e)}\n`);
      }
    }
  } finally {
    await connector.closeAll();
  }
  return unreachable ? ExitCode.Unreachable : ExitCode.Ok;
}

export function registerUnlock(program: Command, io: Io, setCode: (c: number) => void, connectorFor: (inv: Inventory, f: UnlockFlags, connect: ConnectDefaults) => Connector): void {
  program
    .command("unlock")
    .description("remove the remedy run lock (/var/lib/remedy/lock.d) on hosts whose run died")
    .option("-i, --inventory <path>", "inventory file or directory; default $REMEDY_INVENTORY, $ANSIBLE_INVENTORY or ansible.cfg's inventory")
    .requiredOption("-l, --limit <pattern>", "hosts to unlock (ansible pattern; `all` for every host)")
    .option("-b, --become", "use sudo on the hosts")
    .option("--known-hosts <file>", "known_hosts file")
    .option("--ssh-config <file>", "ssh config file")
    .action(async (flags: UnlockFlags) => setCode(await unlockCommand(flags, io, (inv, connect) => connectorFor(inv, flags, connect))));
}
