// `artifact`: build once per key (shared across hosts), then upload to this host.
import type { Action } from "../../model/playbook.js";
import { TransportError, errorMessage } from "../../errors.js";
import { failed, ok, type ActionKind } from "./types.js";

export const artifactAction: ActionKind<Extract<Action, { kind: "artifact" }>> = {
  mutating: true,
  async run(a, env) {
    if (!env.artifacts) return failed(`artifact ${a.name}: no artifact service configured`);
    const t = env.ctx.transport();
    try {
      await env.artifacts.deliver(env.ctx, a, env.scope, t);
    } catch (e) {
      // this host's connection dropped: unreachable; a failed build or upload is a step failure (rollback runs)
      if (e instanceof TransportError && e.host === env.host && !t.connected) throw e;
      return failed(errorMessage(e));
    }
    return ok;
  },
};
