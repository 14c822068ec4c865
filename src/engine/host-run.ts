// One host's lifecycle, as explicit phases, each host moving on its own:
//   connect → lock (apply) → facts + batched checks → plan fingerprint (apply --plan) → steps → end
// (rescue uncordon, applied marker, lock release). Everything goes through the run's one connection to
// the host (a reboot reconnects). Only losing that connection makes a host unreachable.
import type { Vars } from "../model/inventory.js";
import type { HostStatus } from "../model/events.js";
import type { HostPhase, HostResult } from "../model/outcome.js";
import type { Transport } from "../transport/transport.js";
import { TransportError, errorMessage } from "../errors.js";
import { secretBinding, type Scope } from "../playbook/index.js";
import { withSecretEnv } from "../transport/secret-env.js";
import { excerpt } from "./decide.js";
import type { Connector } from "./connector.js";
import type { HostContext } from "./context.js";
import { now, type HostOptions } from "./host-options.js";
import { kubeAction } from "./kube.js";
import { gatherFacts } from "./host-facts.js";
import { HostLost, runSteps } from "./host-steps.js";

export type { HostResult, StepRecord, ApprovedHost } from "../model/outcome.js";
export { checkDigest } from "./host-steps.js";

export interface HostRunOptions extends HostOptions {
  vars: Vars;
  /** vars secret whatever their name (decrypted vault values) */
  secretVars?: ReadonlySet<string>;
  groups: Record<string, string[]>;
  connector: Connector;
  fingerprint?: { boot_id: string; kernel: string };
  /** keep the lock at the end (apply --plan's check pass hands it over to the apply pass) */
  keepLock?: boolean;
  /** --resume: read what the killed run left in this node's audit log, and report it */
  earlierRun?: (t: Transport) => Promise<string[]>;
  /** resume: an earlier, killed run left this host's node cordoned (seeded in the tracker); uncordon it at the end */
  inheritedCordon?: boolean;
}

export async function runHost(o: HostRunOptions): Promise<HostResult> {
  const { host, emit } = o;
  const result: HostResult = { host, status: "ok", steps: [] };
  let current: HostPhase = "connect";
  const phase = (p: HostPhase) => {
    current = p;
    emit({ type: "host_phase", host, phase: p, time: now() });
  };
  emit({ type: "host_start", host, time: now() });

  phase("connect");
  let transport: Transport;
  // secret vars reach commands as "$REMEDY_SECRET_<name>", their values on stdin (never on the node's ps)
  const secrets = secretBinding(o.vars, o.playbook.inputs, o.secretVars);
  // (filled in as commands are rendered; no secret names, no wrapper: the run's connection itself)
  const bind = (t: Transport) => (secrets.names.size ? withSecretEnv(t, secrets.env) : t);
  try {
    transport = bind(await o.connector.get(host, o.signal));
  } catch (e) {
    return finish(result, "unreachable", errorMessage(e), "connect");
  }
  const hostLost = (e: unknown) => e instanceof TransportError && e.host === host && !transport.connected;
  const ctx = (step: string): HostContext => ({
    host,
    transport: () => transport,
    reconnect: async () => (transport = bind(await o.connector.reconnect(host, o.signal))),
    delegate: (h) => (h === host ? Promise.resolve(transport) : o.connector.get(h, o.signal)),
    clock: o.clock,
    signal: o.signal,
    emit,
    step,
    become: o.playbook.become,
  });

  let status: HostStatus = "ok";
  let message: string | undefined;
  let endedIn: HostPhase | undefined;
  let locked = false;
  try {
    if (o.gate) {
      phase("lock");
      const l = await o.gate.lock(host, transport);
      if (!l.ok) return finish(result, "failed", l.message, "lock");
      locked = true;
    }
    if (o.earlierRun) {
      const lines = await o.earlierRun(transport);
      for (const l of lines) emit({ type: "warning", host, message: `the interrupted run did: ${l}`, time: now() });
    }

    phase("facts");
    const f = await gatherFacts({ ...o, secrets }, transport);
    if (!f.ok) {
      [status, message, endedIn] = ["failed", f.reason, "facts"];
      return await end();
    }
    result.facts = f.facts;
    const fp = o.fingerprint;
    if (fp) phase("plan_check");
    if (fp && (fp.boot_id !== f.facts.boot_id || fp.kernel !== f.facts.kernel)) {
      const reason = `${host} rebooted since the plan's check pass (boot id or kernel changed); nothing applied here, re-plan`;
      result.refusal = { kind: "stale", host, reasons: [reason] };
      [status, message, endedIn] = ["failed", reason, "plan_check"];
      return await end();
    }

    phase("steps");
    const scope: Scope = { vars: o.vars, facts: f.facts, host, groups: o.groups, registered: {}, secrets };
    const s = await runSteps({ ...o, scope, facts: f.facts, prefetched: f.prefetched, ctx, hostLost, into: result.steps });
    if (s.refusal) result.refusal = s.refusal;
    if (s.stoppedBy) {
      status = s.stoppedBy.status === "would_fail" ? "would_fail" : "failed";
      message = s.stoppedBy.message ? `step "${s.stoppedBy.name}": ${s.stoppedBy.message}` : undefined;
      endedIn = "steps";
    } else status = s.anyChanged ? "changed" : s.anyPending ? "would_change" : "ok";
  } catch (e) {
    const lost = e instanceof HostLost || hostLost(e);
    status = lost ? "unreachable" : "failed";
    message = errorMessage(e);
    endedIn = current;
  }
  return end();

  async function end(): Promise<HostResult> {
    phase("end");
    if (status === "failed" || status === "unreachable" || o.signal.aborted) await rescue("after the failure");
    else if (o.inheritedCordon) await rescue("left cordoned by the interrupted earlier run");
    if (o.gate && locked && !o.keepLock) {
      const r = { ...result, status, message };
      try {
        for (const w of await o.gate.end(host, transport, r)) emit({ type: "warning", host, message: w, time: now() });
      } catch {
        try {
          transport = bind(await o.connector.reconnect(host)); // e.g. the host rebooted or the connection dropped
          for (const w of await o.gate.end(host, transport, r)) emit({ type: "warning", host, message: w, time: now() });
        } catch (e) {
          emit({ type: "warning", host, message: `could not release the run lock (${errorMessage(e)}); remove it with \`remedy unlock -i INVENTORY -l ${host}\``, time: now() });
        }
      }
    }
    return finish(result, status, message, endedIn);
  }

  /** After a failure or Ctrl-C: uncordon what this run cordoned on this host, unless told to leave it. */
  async function rescue(why: string): Promise<void> {
    const pending = o.tracker.pendingFor(host);
    if (!pending || pending.leave) return;
    try {
      const r = await kubeAction(ctx("rescue"), { kind: "uncordon", delegateTo: pending.delegate, timeoutSec: 60 }, pending.node);
      if (r.exitCode === 0) {
        o.tracker.markUncordoned(host);
        emit({ type: "warning", host, message: `uncordoned ${pending.node} ${why} (rescue)`, time: now() });
      } else emit({ type: "warning", host, message: `could not uncordon ${pending.node}: ${excerpt(r.stderr)}`, time: now() });
    } catch (e) {
      emit({ type: "warning", host, message: `could not uncordon ${pending.node}: ${errorMessage(e)}`, time: now() });
    }
  }

  function finish(r: HostResult, st: HostStatus, msg: string | undefined, where: HostPhase | undefined): HostResult {
    r.status = st;
    r.message = msg;
    if (where && st !== "ok" && st !== "changed" && st !== "would_change") r.endedIn = where;
    emit({ type: "host_end", host: r.host, status: st, message: msg, time: now() });
    return r;
  }
}
