// Action kind → its module.
import type { Action } from "../../model/playbook.js";
import type { ActionKind } from "./types.js";
import { runAction } from "./run.js";
import { copyAction } from "./copy.js";
import { rebootAction } from "./reboot.js";
import { kubeActionKind } from "./kube.js";
import { artifactAction } from "./artifact.js";
import { failAction } from "./fail.js";

export function actionKind(a: Action): ActionKind {
  const table: { [K in Action["kind"]]: ActionKind<Extract<Action, { kind: K }>> } = {
    run: runAction,
    copy: copyAction,
    reboot: rebootAction,
    cordon: kubeActionKind,
    drain: kubeActionKind,
    uncordon: kubeActionKind,
    artifact: artifactAction,
    fail: failAction,
  };
  return table[a.kind] as ActionKind;
}

export type { ActionEnv, ActionResult, ActionKind } from "./types.js";
