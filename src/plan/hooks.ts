// Where plan files meet a run: `plan` writes one, `apply --plan` checks and enforces one; every apply
// takes the per-node run lock and appends to the node's audit log. The logic lives in session.ts.
import type { Io } from "../cli/io.js";
import type { RunFlags } from "../cli/options.js";
import type { Loaded } from "../cli/commands/run.js";
import type { Mode } from "../model/events.js";
import { systemClock } from "../engine/context.js";
import { InventoryConnector, type ConnectOptions } from "../cli/connect.js";
import { makePlanHooks, type PlanHooks } from "./session.js";

export type { PlanHooks } from "./session.js";

export async function planHooks(mode: Mode, flags: RunFlags, loaded: Loaded, io: Io): Promise<PlanHooks> {
  return makePlanHooks(mode, flags, loaded, io, {
    // -u/--private-key/-b and ansible.cfg settings (resolved by the CLI) reach the lock connections too
    connector: () => new InventoryConnector(loaded.inventory, { knownHosts: flags.knownHosts, sshConfig: flags.sshConfig, ...(flags as { connect?: ConnectOptions }).connect }),
    clock: systemClock,
  });
}
