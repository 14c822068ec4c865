// `copy` / `template`: atomic upload. A missing directory, a full disk or a permission problem is this
// step's failure (the connection is still up); only a lost connection makes the host unreachable.
import type { Action } from "../../model/playbook.js";
import { TransportError, errorMessage } from "../../errors.js";
import { interpolate } from "../../playbook/index.js";
import { describeAction } from "../render.js";
import { copyContent } from "../step-values.js";
import { failed, ok, type ActionKind } from "./types.js";

export const copyAction: ActionKind<Extract<Action, { kind: "copy" }>> = {
  mutating: true,
  async run(a, env) {
    const body = await copyContent(a, env.scope, env.playbook);
    const dest = interpolate(a.dest, env.scope, "plain");
    const t = env.ctx.transport();
    let put;
    try {
      put = await t.put(body, dest, { mode: a.mode ? Number.parseInt(a.mode, 8) : undefined, owner: a.owner, group: a.group, backup: a.backup, become: env.playbook.become });
    } catch (e) {
      if (e instanceof TransportError && e.host === env.host && !t.connected) throw e;
      return failed(`${describeAction(a, { host: env.host })}: ${errorMessage(e)}`);
    }
    env.emit({ type: "command", host: env.host, step: env.step.id, phase: env.phase, record: { command: describeAction(a, { host: env.host, sha256: put.sha256 }), exitCode: 0, durationMs: 0, stdout: put.changed ? `written ${put.bytes} bytes${put.backupPath ? `, backup ${put.backupPath}` : ""}` : "unchanged", stderr: "" } });
    return ok;
  },
};
