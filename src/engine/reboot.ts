// Built-in `reboot`: read boot id → trigger → wait for the connection to drop / the boot id to change →
// test command → stability window. The state machine of ansible's reboot action plugin, minus its flaws:
// - a probe that errors (garbage boot id, failed read) is never taken for "rebooted" or for "not yet";
// - one deadline (spec.timeoutSec) bounds the whole thing, stability window included (ansible waits ~2×);
// - the outcome is a typed union whose reason says what was observed, not just "timed out".
// Transport failures before the reboot is triggered propagate (the host is unreachable); after it they are data.
import type { RebootAction } from "../model/playbook.js";
import type { Phase } from "../model/events.js";
import type { ExecResult, Transport } from "../transport/transport.js";
import { InputError, TransportError } from "../errors.js";
import type { HostContext } from "./context.js";
import { excerpt } from "./decide.js";
import { pollUntil, type ProbeResult } from "./wait.js";

export const BOOT_ID_COMMAND = "cat /proc/sys/kernel/random/boot_id";
export const DEFAULT_REBOOT_COMMAND = 'shutdown -r now "Reboot initiated by remedy"';
/** the trigger only has to start the shutdown; a longer wait means the connection is hanging on the way down */
export const TRIGGER_TIMEOUT_MS = 30_000;
const STABILITY_POLL_MS = 1_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type RebootState = "reading_boot_id" | "triggering" | "waiting_down" | "waiting_up" | "testing" | "stabilising" | "done" | "failed";

const DOING: Record<RebootState, string> = {
  reading_boot_id: "reading the boot id",
  triggering: "triggering the reboot",
  waiting_down: "waiting for the host to go down",
  waiting_up: "waiting for the host to come back",
  testing: "running the test command",
  stabilising: "in the stability window",
  done: "done",
  failed: "failing",
};

export type RebootFailureReason =
  /** the boot id could not be read (before the reboot, or the host answers after it but the read fails) */
  | "boot_id_unreadable"
  /** the reboot command exited non-zero on a live connection */
  | "not_rebooted"
  /** the host answered at the deadline with the boot id it had before */
  | "same_boot_id"
  /** the host went down (or stopped answering) and did not answer again before the deadline */
  | "never_came_back"
  /** new boot id, but the test command never succeeded or printed something else than expected */
  | "test_failed"
  /** came back, then went away / rebooted again within the stability window */
  | "unstable"
  /** the run was aborted (Ctrl-C) */
  | "interrupted";

export type RebootOutcome =
  | {
      ok: true;
      bootIdBefore: string;
      bootIdAfter: string;
      /** ms from the trigger until the connection was seen to drop; null when the drop was never observed */
      downAfterMs: number | null;
      /** ms from the trigger until the new boot id was read */
      upAfterMs: number;
      /** trimmed stdout of the test command */
      testOutput: string;
    }
  | { ok: false; reason: RebootFailureReason; message: string; bootIdBefore?: string };

export interface RebootOptions {
  /** expected trimmed stdout of the test command, already interpolated; overrides spec.expect */
  expect?: string;
  /** phase for the `command` events of the trigger and the test command (default "apply") */
  phase?: Phase;
}

/** Pure: what a boot id read says. Empty output or anything but a UUID is an error, never "changed". */
export function parseBootId(r: ExecResult): { ok: true; id: string } | { ok: false; error: string } {
  if (r.timedOut) return { ok: false, error: `\`${BOOT_ID_COMMAND}\` timed out` };
  if (r.exitCode !== 0) {
    const out = excerpt(r.stderr || r.stdout, 200);
    return { ok: false, error: `\`${BOOT_ID_COMMAND}\` ${r.exitCode === null ? `ended by ${r.signal ?? "a signal"}` : `exited ${r.exitCode}`}${out ? `: ${out}` : ""}` };
  }
  const id = r.stdout.trim();
  if (!UUID.test(id)) return { ok: false, error: id ? `got ${JSON.stringify(excerpt(id, 80))}, not a UUID` : "got empty output" };
  return { ok: true, id: id.toLowerCase() };
}

export async function runReboot(ctx: HostContext, spec: RebootAction, opts: RebootOptions = {}): Promise<RebootOutcome> {
  const { clock, signal } = ctx;
  const phase = opts.phase ?? "apply";
  const command = spec.command || DEFAULT_REBOOT_COMMAND;
  const expect = opts.expect ?? spec.expect;
  const budgetMs = spec.timeoutSec * 1000;
  const stableMs = Math.max(0, spec.stableSec) * 1000;
  if (!(budgetMs > 0) || !(stableMs < budgetMs)) {
    throw new InputError(
      `step ${ctx.step}: reboot needs timeout > stable_sec (got timeout ${spec.timeoutSec} s, stable_sec ${spec.stableSec} s): the stability window is part of the one reboot timeout; raise the timeout`,
    );
  }
  const start = clock.now();
  const finalDeadline = start + budgetMs;
  // the stability window is reserved inside the one budget, so waiting/testing must finish earlier
  const waitDeadline = finalDeadline - stableMs;
  const probeTimeoutMs = Math.max(1000, (spec.connectTimeoutSec || 10) * 1000);
  const boundedBy = (deadline: number, ms: number) => Math.max(1000, Math.min(ms, deadline - clock.now()));

  let state: RebootState = "reading_boot_id";
  let triggered = false;
  let bootIdBefore: string | undefined;
  const emitState = (s: RebootState, detail?: string) => {
    state = s;
    ctx.emit({ type: "reboot", host: ctx.host, step: ctx.step, state: s, detail, time: new Date(clock.now()).toISOString() });
  };
  const fail = (reason: RebootFailureReason, message: string): RebootOutcome => {
    emitState("failed", `${reason}: ${message}`);
    return { ok: false, reason, message, bootIdBefore };
  };
  const interrupted = (): RebootOutcome =>
    fail("interrupted", `interrupted ${DOING[state]}${triggered ? "; the reboot was already triggered: check the host before re-running" : "; the host was not rebooted"}`);
  const record = (cmd: string, r: ExecResult) =>
    ctx.emit({
      type: "command",
      host: ctx.host,
      step: ctx.step,
      phase,
      record: { command: cmd, exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, durationMs: r.durationMs, stdout: excerpt(r.stdout, 2000), stderr: excerpt(r.stderr, 2000) },
    });
  const secs = (ms: number) => `${Math.round(ms / 1000)} s`;

  // 1. boot id before
  emitState("reading_boot_id");
  if (signal.aborted) return interrupted();
  let r0: ExecResult;
  try {
    r0 = await ctx.transport().exec(BOOT_ID_COMMAND, { timeoutMs: probeTimeoutMs, signal });
  } catch (e) {
    if (signal.aborted) return interrupted();
    throw e; // unreachable before anything happened: the engine reports the host unreachable
  }
  if (signal.aborted) return interrupted();
  const before = parseBootId(r0);
  if (!before.ok) return fail("boot_id_unreadable", `cannot read the boot id before rebooting (${before.error}); without it a reboot cannot be confirmed, so none was triggered`);
  bootIdBefore = before.id;

  // 2. trigger
  emitState("triggering", command);
  const tTrigger = clock.now();
  // mutated from probe closures: kept in an object so TS does not narrow them at their initial values
  const seen: { downAt: number | null; last: "old_id" | "down" | "error" } = { downAt: null, last: "old_id" };
  let needReconnect = false;
  const markDown = (why: string) => {
    needReconnect = true;
    if (seen.downAt !== null) return;
    seen.downAt = clock.now();
    emitState("waiting_up", `${why} ${secs(seen.downAt - tTrigger)} after the reboot command`);
  };
  triggered = true;
  try {
    const r = await ctx.transport().exec(command, { timeoutMs: boundedBy(waitDeadline, TRIGGER_TIMEOUT_MS), become: ctx.become, signal });
    record(command, r);
    if (signal.aborted) return interrupted();
    if (r.exitCode !== 0 && !r.timedOut && r.exitCode !== null) {
      triggered = false;
      const out = excerpt(r.stderr || r.stdout, 400);
      return fail("not_rebooted", `the reboot command \`${command}\` exited ${r.exitCode}${out ? `: ${out}` : ""}; the host was not rebooted`);
    }
    // exit 0, or killed/timed out while the system goes down: the boot id will tell
    if (r.exitCode !== 0) needReconnect = true;
    emitState("waiting_down", r.exitCode === 0 ? "reboot command accepted" : `reboot command did not return (${r.timedOut ? "timed out" : `ended by ${r.signal ?? "a signal"}`})`);
  } catch (e) {
    if (signal.aborted) return interrupted();
    if (!(e instanceof TransportError)) throw e;
    // the connection dropping under the reboot command is what a reboot looks like (ansible: rc 0)
    record(command, { exitCode: null, stdout: "", stderr: `connection dropped (${e.kind}): ${e.message}`, durationMs: clock.now() - tTrigger });
    markDown("connection dropped");
  }

  // 3. wait for a new boot id
  // a changed host key or refused credentials will not fix themselves by waiting: stop and say so
  const fatal = (e: TransportError) => {
    if (e.kind !== "hostkey" && e.kind !== "auth") return;
    emitState("failed", `${e.kind}: ${e.message}`);
    throw new TransportError(e.host, e.kind, `reboot: the host came back but the connection was refused: ${e.message}`, { cause: e });
  };
  const current = async (): Promise<Transport> => {
    const t = needReconnect || !ctx.transport().connected ? await ctx.reconnect() : ctx.transport();
    needReconnect = false;
    return t;
  };
  const probeBootId = async (): Promise<ProbeResult<string>> => {
    try {
      const t = await current();
      const r = await t.exec(BOOT_ID_COMMAND, { timeoutMs: boundedBy(waitDeadline, probeTimeoutMs), signal });
      if (r.timedOut) {
        seen.last = "down";
        markDown("stopped answering");
        return { kind: "not_yet", detail: "boot id read timed out (host going down or hung)" };
      }
      const p = parseBootId(r);
      if (!p.ok) {
        seen.last = "error";
        return { kind: "probe_error", error: `boot id unreadable: ${p.error}` };
      }
      if (p.id === before.id) {
        seen.last = "old_id";
        return { kind: "not_yet", detail: seen.downAt === null ? "boot id unchanged (host did not reboot)" : "boot id unchanged after the connection dropped (host back without rebooting?)" };
      }
      return { kind: "done", value: p.id };
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      fatal(e);
      seen.last = "down";
      markDown("connection lost");
      return { kind: "not_yet", detail: `${e.message} (host still down)` };
    }
  };
  const waited = await pollUntil(probeBootId, { clock, deadline: waitDeadline, signal, what: "a new boot id" });
  if (waited.kind === "aborted") return interrupted();
  if (waited.kind === "timeout") {
    if (seen.last === "error") return fail("boot_id_unreadable", `${waited.message}: the host answers but its boot id cannot be read`);
    if (seen.last === "old_id") {
      return fail(
        "same_boot_id",
        seen.downAt === null
          ? `host answered throughout with the same boot id: the reboot was refused or ignored (${waited.message})`
          : `the connection dropped but the host came back with the same boot id: it did not reboot (${waited.message})`,
      );
    }
    return fail(
      "never_came_back",
      seen.downAt === null
        ? `the host stopped answering after the reboot command and never came back (${waited.message})`
        : `the host went down ${secs(seen.downAt - tTrigger)} after the reboot command and never came back (${waited.message})`,
    );
  }
  const bootIdAfter = waited.value;
  const upAt = clock.now();

  // 4. test command (retried while the host settles; a wrong answer with exit 0 fails at once: another
  //    wait would not change the kernel it booted)
  emitState("testing", `boot id ${before.id} → ${bootIdAfter}; running ${spec.testCommand}`);
  const probeTest = async (): Promise<ProbeResult<ExecResult>> => {
    try {
      const t = await current();
      const r = await t.exec(spec.testCommand, { timeoutMs: boundedBy(waitDeadline, Number.POSITIVE_INFINITY), become: ctx.become, signal });
      record(spec.testCommand, r);
      if (r.exitCode === 0) return { kind: "done", value: r };
      if (r.timedOut) needReconnect = true;
      const out = excerpt(r.stderr || r.stdout, 200);
      return { kind: "not_yet", detail: `\`${spec.testCommand}\` ${r.timedOut ? "timed out" : r.exitCode === null ? `ended by ${r.signal ?? "a signal"}` : `exited ${r.exitCode}`}${out ? `: ${out}` : ""}` };
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      fatal(e);
      needReconnect = true;
      return { kind: "not_yet", detail: `${e.message} (host not reachable yet)` };
    }
  };
  const tested = await pollUntil(probeTest, { clock, deadline: waitDeadline, signal, what: `\`${spec.testCommand}\` to succeed` });
  if (tested.kind === "aborted") return interrupted();
  if (tested.kind === "timeout") return fail("test_failed", `the host rebooted (new boot id ${bootIdAfter}) but ${tested.message}`);
  const testOutput = tested.value.stdout.trim();
  if (expect !== undefined && testOutput !== expect.trim()) {
    return fail("test_failed", `the host rebooted (new boot id ${bootIdAfter}) but \`${spec.testCommand}\` printed ${JSON.stringify(excerpt(testOutput, 200))}, expected ${JSON.stringify(expect.trim())}`);
  }

  // 5. stability window: every ~1 s the same connection must answer with the same boot id
  if (stableMs > 0) {
    emitState("stabilising", `must stay up with boot id ${bootIdAfter} for ${spec.stableSec} s`);
    const t0 = clock.now();
    const end = t0 + stableMs;
    const unstable = (what: string) => fail("unstable", `the host came back (boot id ${bootIdAfter}) but ${what} ${secs(clock.now() - t0)} into the ${spec.stableSec} s stability window`);
    while (clock.now() < end) {
      try {
        await clock.sleep(Math.min(STABILITY_POLL_MS, end - clock.now()), signal);
      } catch (e) {
        if (signal.aborted) return interrupted();
        throw e;
      }
      const t = ctx.transport();
      if (!t.connected) return unstable("the connection dropped");
      let r: ExecResult;
      try {
        r = await t.exec(BOOT_ID_COMMAND, { timeoutMs: boundedBy(finalDeadline, probeTimeoutMs), signal });
      } catch (e) {
        if (signal.aborted) return interrupted();
        if (!(e instanceof TransportError)) throw e;
        return unstable(`went away (${e.message})`);
      }
      if (signal.aborted) return interrupted();
      if (r.timedOut) return unstable("stopped answering");
      const p = parseBootId(r);
      if (!p.ok) return unstable(`its boot id became unreadable (${p.error})`);
      if (p.id !== bootIdAfter) return unstable(`rebooted again (boot id ${bootIdAfter} → ${p.id})`);
    }
  }

  emitState("done", `boot id ${before.id} → ${bootIdAfter} in ${secs(clock.now() - start)}`);
  return { ok: true, bootIdBefore: before.id, bootIdAfter, downAfterMs: seen.downAt === null ? null : seen.downAt - tTrigger, upAfterMs: upAt - tTrigger, testOutput };
}
