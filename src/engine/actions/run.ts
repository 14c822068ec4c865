// `run`: a shell command; its exit code (ok_exit) decides.
import type { Action } from "../../model/playbook.js";
import { interpolate } from "../../playbook/index.js";
import { actionFailure } from "../decide.js";
import { registered } from "../registered.js";
import { failed, ok, type ActionKind } from "./types.js";

export const runAction: ActionKind<Extract<Action, { kind: "run" }>> = {
  mutating: true,
  async run(a, env) {
    const cmd = interpolate(a.run, env.scope, "shell");
    const timeout = a.timeoutSec ?? env.step.timeoutSec;
    const r = await env.exec(cmd, timeout);
    if (a.register) env.scope.registered[a.register] = registered(r, {});
    const f = actionFailure(a.okExit, r, timeout);
    return f ? failed(`\`${cmd}\` ${f}`) : ok;
  },
};
