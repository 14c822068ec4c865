// Built-in `cordon` / `drain` / `uncordon`: kubectl on the controller or a delegate host.
// drain: kubectl evicts through the Eviction API, so PodDisruptionBudgets are respected; we never pass
// --disable-eviction or --force, and the timeout is always finite (kubectl treats --timeout=0s as "forever").
// A non-zero kubectl exit is data (returned); only transport failures throw.
import type { KubeAction } from "../model/playbook.js";
import type { Phase } from "../model/events.js";
import type { ExecResult } from "../transport/transport.js";
import { InputError, TransportError } from "../errors.js";
import { shellJoin } from "../transport/quote.js";
import type { HostContext } from "./context.js";
import { excerpt } from "./decide.js";
import { kubectlArgs } from "./render.js";

export const DEFAULT_KUBE_TIMEOUT_SEC = 300;
/** the transport timeout exceeds kubectl's own so kubectl can report its timeout itself */
export const KUBE_EXEC_MARGIN_SEC = 30;
/** Kubernetes node names are DNS-1123 subdomains; this also keeps a name from being read as a kubectl flag */
const NODE_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export interface KubeResult extends ExecResult {
  /** the exact command line run */
  command: string;
  /** where it ran */
  delegate: string;
}

export interface KubeOptions {
  /** phase for the `command` event (default "apply") */
  phase?: Phase;
}

/** Pure: the effective timeout (finite, > 0) and the command line. Throws InputError on a bad node name. */
export function kubeCommand(action: Pick<KubeAction, "kind" | "timeoutSec">, nodeName: string): { command: string; timeoutSec: number } {
  if (!NODE_NAME.test(nodeName)) {
    throw new InputError(
      `${action.kind}: ${JSON.stringify(nodeName)} is not a valid Kubernetes node name (lowercase letters, digits, '-' and '.'); set \`node:\` on the step to the name \`kubectl get nodes\` shows`,
    );
  }
  const t = action.timeoutSec;
  const timeoutSec = Number.isFinite(t) && t > 0 ? Math.ceil(t) : DEFAULT_KUBE_TIMEOUT_SEC;
  return { command: shellJoin(kubectlArgs(action.kind, nodeName, timeoutSec)), timeoutSec };
}

export async function kubeAction(ctx: HostContext, action: KubeAction, nodeName: string, opts: KubeOptions = {}): Promise<KubeResult> {
  const { command, timeoutSec } = kubeCommand(action, nodeName);
  const delegate = action.delegateTo ?? "localhost";
  // uncordon is the cleanup that runs in rescue after Ctrl-C: it must not be cancelled by the same signal
  const signal = action.kind === "uncordon" ? undefined : ctx.signal;
  const t0 = ctx.clock.now();
  let r: ExecResult;
  try {
    // no become: kubectl must use the delegate user's kubeconfig, which sudo would hide
    const transport = await ctx.delegate(delegate);
    r = await transport.exec(command, { timeoutMs: (timeoutSec + KUBE_EXEC_MARGIN_SEC) * 1000, signal });
  } catch (e) {
    if (e instanceof TransportError) {
      const where = delegate === "localhost" ? "the controller" : delegate;
      throw new TransportError(e.host, e.kind, `${action.kind} ${nodeName}: cannot run kubectl on ${where}: ${e.message}`, { cause: e });
    }
    throw e;
  }
  ctx.emit({
    type: "command",
    host: ctx.host,
    step: ctx.step,
    phase: opts.phase ?? "apply",
    record: {
      command: delegate === "localhost" ? command : `${command}  # on ${delegate}`,
      exitCode: r.exitCode,
      signal: r.signal,
      timedOut: r.timedOut,
      durationMs: r.durationMs || ctx.clock.now() - t0,
      stdout: excerpt(r.stdout, 2000),
      stderr: excerpt(r.stderr, 2000),
    },
  });
  return { ...r, command, delegate };
}
