// What an action would do, as one line: shown in dry runs and recorded in plan files.
import type { Action } from "../model/playbook.js";
import { shellJoin } from "../transport/quote.js";

export function kubectlArgs(kind: "cordon" | "drain" | "uncordon", node: string, timeoutSec: number): string[] {
  if (kind === "drain") return ["kubectl", "drain", node, "--ignore-daemonsets", "--delete-emptydir-data", `--timeout=${timeoutSec}s`];
  return ["kubectl", kind, node];
}

/** `text` is the already-interpolated command for run actions. */
export function describeAction(a: Action, opts: { host: string; text?: string; sha256?: string }): string {
  switch (a.kind) {
    case "run":
      return opts.text ?? a.run;
    case "copy":
      return `${a.template ? "template" : "copy"} ${a.src ?? "<inline>"} -> ${a.dest}${a.mode ? ` mode ${a.mode}` : ""}${a.owner ? ` owner ${a.owner}` : ""}${opts.sha256 ? ` sha256 ${opts.sha256.slice(0, 12)}` : ""}`;
    case "reboot":
      return `reboot: ${a.command}; wait up to ${a.timeoutSec}s for a new boot id, then ${a.testCommand}${a.expect ? ` == ${a.expect}` : ""}${a.stableSec ? `, stay up ${a.stableSec}s` : ""}`;
    case "cordon":
    case "drain":
    case "uncordon":
      return `${shellJoin(kubectlArgs(a.kind, a.node ?? opts.host, a.timeoutSec))} (on ${a.delegateTo ?? "localhost"})`;
    case "fail":
      return `fail: ${a.message}`;
    case "artifact":
      return `artifact ${a.name} -> ${a.dest} (built on ${a.builder}, key ${a.key.join(" ")})`;
  }
}
