// `fail`: stop the step with a message (a guard). In a dry run, a step that would reach it is would_fail.
import type { Action } from "../../model/playbook.js";
import { interpolate } from "../../playbook/index.js";
import { failed, type ActionKind } from "./types.js";

export const failAction: ActionKind<Extract<Action, { kind: "fail" }>> = {
  mutating: false,
  async run(a, env) {
    return failed(interpolate(a.message, env.scope, "plain"));
  },
};
