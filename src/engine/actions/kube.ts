// `cordon` / `drain` / `uncordon` via kubectl on the controller or a delegate; tracked for the rescue uncordon.
import type { Action } from "../../model/playbook.js";
import { interpolate } from "../../playbook/index.js";
import { actionFailure } from "../decide.js";
import { kubeAction } from "../kube.js";
import { failed, ok, type ActionKind } from "./types.js";

type Kube = Extract<Action, { kind: "cordon" | "drain" | "uncordon" }>;

export const kubeActionKind: ActionKind<Kube> = {
  mutating: true,
  async run(a, env) {
    const node = a.node ? interpolate(a.node, env.scope, "plain") : env.host;
    const delegateTo = a.delegateTo ? interpolate(a.delegateTo, env.scope, "plain") : undefined;
    // kubectl drain cordons before it evicts: a drain that fails, times out or is interrupted leaves the
    // node cordoned, so it is tracked before kubectl runs and rescue uncordons it either way
    if (a.kind !== "uncordon") env.tracker.markCordoned(env.host, node, delegateTo ?? "localhost", a.kind === "drain" ? a.leaveCordonedOnFailure ?? false : false);
    const r = await kubeAction(env.ctx, { ...a, node, delegateTo }, node);
    if (r.exitCode !== 0) return failed(`${a.kind} ${node}: ${actionFailure([0], r, a.timeoutSec)}`);
    if (a.kind === "uncordon") env.tracker.markUncordoned(env.host);
    return ok;
  },
};
