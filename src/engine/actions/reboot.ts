// `reboot`: the state machine in ../reboot.ts; a proven reboot updates the host's boot id.
import type { Action } from "../../model/playbook.js";
import { interpolate } from "../../playbook/index.js";
import { runReboot } from "../reboot.js";
import { failed, ok, type ActionKind } from "./types.js";

export const rebootAction: ActionKind<Extract<Action, { kind: "reboot" }>> = {
  mutating: true,
  async run(a, env) {
    const expect = a.expect !== undefined ? interpolate(a.expect, env.scope, "plain") : undefined;
    const spec = { ...a, command: interpolate(a.command, env.scope, "shell"), testCommand: interpolate(a.testCommand, env.scope, "shell") };
    const out = await runReboot(env.ctx, spec, { expect });
    if (!out.ok) return failed(`reboot: ${out.message}`);
    env.facts.boot_id = out.bootIdAfter;
    return ok;
  },
};
