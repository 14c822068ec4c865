import { describe, expect, it } from "vitest";
import { BOOT_ID_COMMAND, parseBootId, runReboot, type RebootOutcome } from "../../../src/engine/reboot.js";
import type { RebootAction } from "../../../src/model/playbook.js";
import { InputError, TransportError } from "../../../src/errors.js";
import { BOOT_A, BOOT_B, BOOT_C, FakeClock, FakeNode, T0, fakeCtx, ok, rebootStates, type NodeScript } from "../../fixtures/engine/fakes.js";

const spec = (over: Partial<RebootAction> = {}): RebootAction => ({
  kind: "reboot",
  timeoutSec: 600,
  testCommand: "whoami",
  stableSec: 0,
  command: 'shutdown -r now "Reboot initiated by remedy"',
  connectTimeoutSec: 10,
  ...over,
});

function setup(script: Partial<NodeScript> = {}) {
  const clock = new FakeClock();
  const node = new FakeNode(clock, script);
  const f = fakeCtx({ clock, node });
  return { clock, node, ...f };
}

function failure(out: RebootOutcome) {
  if (out.ok) throw new Error(`expected a failure, got ${JSON.stringify(out)}`);
  return out;
}

describe("parseBootId", () => {
  it.each([
    [ok(`${BOOT_A}\n`), { ok: true, id: BOOT_A }],
    [ok(`${BOOT_A.toUpperCase()}\n`), { ok: true, id: BOOT_A }],
    [ok(""), { ok: false, error: "got empty output" }],
    [ok("\n"), { ok: false, error: "got empty output" }],
    [ok("garbage\n"), { ok: false, error: 'got "garbage", not a UUID' }],
    [ok(`${BOOT_A}${BOOT_B}`), { ok: false }],
    [{ exitCode: 1, stdout: "", stderr: "cat: /proc/sys/kernel/random/boot_id: No such file or directory", durationMs: 1 }, { ok: false }],
    [{ exitCode: null, stdout: "", stderr: "", durationMs: 1, timedOut: true }, { ok: false }],
  ])("%j → %j", (r, want) => {
    expect(parseBootId(r)).toMatchObject(want);
  });
});

describe("runReboot", () => {
  it("normal reboot: drop, new boot id, test command matches the target kernel, stays up", async () => {
    const { ctx, events, node, clock } = setup({ dropAfterMs: 2_000, downForMs: 40_000 });
    const out = await runReboot(ctx, spec({ testCommand: "uname -r", expect: "5.14.0-999", stableSec: 5 }), { expect: "5.14.0-427.el9" });
    expect(out).toMatchObject({ ok: true, bootIdBefore: BOOT_A, bootIdAfter: BOOT_B, testOutput: "5.14.0-427.el9" });
    if (!out.ok) return;
    expect(out.downAfterMs).toBeGreaterThanOrEqual(2_000);
    expect(out.downAfterMs).toBeLessThan(40_000);
    expect(out.upAfterMs).toBeGreaterThanOrEqual(42_000);
    expect(out.upAfterMs).toBeLessThan(42_000 + 13_000); // backoff capped at 12 s
    expect(rebootStates(events)).toEqual(["reading_boot_id", "triggering", "waiting_down", "waiting_up", "testing", "stabilising", "done"]);
    // the trigger ran with become and a short timeout; the boot id read without become
    const trigger = node.log.find((l) => l.cmd.startsWith("shutdown"));
    expect(trigger?.opts?.become).toBe(true);
    expect(trigger?.opts?.timeoutMs).toBeLessThanOrEqual(30_000);
    expect(node.log[0]).toMatchObject({ cmd: BOOT_ID_COMMAND });
    expect(node.log[0]?.opts?.become).toBeFalsy();
    // stability window: boot id polled about once a second for 5 s, on the new connection
    const stable = node.log.filter((l) => l.cmd === BOOT_ID_COMMAND && l.at > T0 + out.upAfterMs);
    expect(stable.length).toBeGreaterThanOrEqual(5);
    expect(clock.now() - T0).toBeLessThan(600_000);
    // trigger and test command are recorded as command events
    const cmds = events.flatMap((e) => (e.type === "command" ? [e.record.command] : []));
    expect(cmds).toEqual(['shutdown -r now "Reboot initiated by remedy"', "uname -r"]);
  });

  it("treats the connection dropping under the reboot command as success", async () => {
    const { ctx, events } = setup({ dropAfterMs: 0, downForMs: 20_000 });
    const out = await runReboot(ctx, spec());
    expect(out).toMatchObject({ ok: true, bootIdAfter: BOOT_B, testOutput: "root", downAfterMs: 0 });
    expect(rebootStates(events)).toEqual(["reading_boot_id", "triggering", "waiting_up", "testing", "done"]);
  });

  it("reboot ignored: the host answers throughout with the same boot id → same_boot_id, within one timeout", async () => {
    const { ctx, clock, node } = setup({ onShutdown: "ignore" });
    const out = failure(await runReboot(ctx, spec({ timeoutSec: 300 })));
    expect(out.reason).toBe("same_boot_id");
    expect(out.message).toMatch(/^host answered throughout with the same boot id: the reboot was refused or ignored/);
    expect(out.message).toContain("last probe: boot id unchanged (host did not reboot)");
    expect(out.message).toContain("timed out after 300 s");
    // one deadline for the whole thing, not twice it
    expect(clock.now() - T0).toBeLessThanOrEqual(300_000);
    expect(clock.now() - T0).toBeGreaterThanOrEqual(290_000);
    expect(node.commands().filter((c) => c.startsWith("shutdown"))).toHaveLength(1);
  });

  it("went down and came back with the same boot id (sshd restart, no reboot) → same_boot_id, says so", async () => {
    const { ctx } = setup({
      exec: (cmd, n) => (cmd === BOOT_ID_COMMAND && n.bootAt(n.clock.now()) === 1 ? ok(`${BOOT_A}\n`) : undefined),
    });
    const out = failure(await runReboot(ctx, spec({ timeoutSec: 120 })));
    expect(out.reason).toBe("same_boot_id");
    expect(out.message).toMatch(/^the connection dropped but the host came back with the same boot id/);
  });

  it("reboot command exits non-zero on a live connection → not_rebooted with its stderr, no waiting", async () => {
    const { ctx, clock, events } = setup({ onShutdown: "refuse" });
    const out = failure(await runReboot(ctx, spec()));
    expect(out.reason).toBe("not_rebooted");
    expect(out.message).toContain("exited 1: Failed to talk to init daemon.");
    expect(out.message).toContain("was not rebooted");
    expect(clock.now()).toBe(T0);
    expect(rebootStates(events)).toEqual(["reading_boot_id", "triggering", "failed"]);
  });

  it("never comes back → never_came_back after the one timeout; the message says the host went down", async () => {
    const { ctx, clock, reconnects } = setup({ dropAfterMs: 1_000, downForMs: Infinity });
    const out = failure(await runReboot(ctx, spec({ timeoutSec: 600 })));
    expect(out.reason).toBe("never_came_back");
    expect(out.message).toMatch(/^the host went down \d+ s after the reboot command and never came back \(timed out after 600 s waiting for a new boot id; last probe: connect ECONNREFUSED 10\.0\.0\.1:22 \(host still down\)\)$/);
    expect(clock.now() - T0).toBeLessThanOrEqual(600_000);
    expect(reconnects()).toBeGreaterThan(40); // kept trying with backoff ≤ 12 s
    expect(reconnects()).toBeLessThan(200);
  });

  it("comes back then dies within the stability window → unstable", async () => {
    const { ctx, events } = setup({ downForMs: 30_000, afterUp: { inMs: 8_000, then: "die" } });
    const out = failure(await runReboot(ctx, spec({ stableSec: 60 })));
    expect(out.reason).toBe("unstable");
    expect(out.message).toMatch(new RegExp(`^the host came back \\(boot id ${BOOT_B}\\) but (the connection dropped|went away).* \\d+ s into the 60 s stability window$`));
    expect(rebootStates(events)).toEqual(["reading_boot_id", "triggering", "waiting_down", "waiting_up", "testing", "stabilising", "failed"]);
  });

  it("reboots again within the stability window → unstable", async () => {
    // the second boot lasts 20 s (long enough to be seen: backoff ≤ 12 s), then a third boot id appears
    const { ctx } = setup({ downForMs: 30_000, afterUp: { inMs: 20_000, then: "reboot" } });
    const out = failure(await runReboot(ctx, spec({ stableSec: 60 })));
    expect(out.reason).toBe("unstable");
    expect(out.message).toContain(`came back (boot id ${BOOT_B})`);
  });

  it("a boot id seen only after a second reboot still counts as changed (the host did reboot)", async () => {
    const { ctx } = setup({ downForMs: 30_000, afterUp: { inMs: 1, then: "reboot" } });
    const out = await runReboot(ctx, spec());
    expect(out).toMatchObject({ ok: true, bootIdAfter: BOOT_C });
  });

  it("garbage boot id before the reboot → boot_id_unreadable and nothing is triggered", async () => {
    const { ctx, node } = setup({ bootIdOutput: () => ok("") });
    const out = failure(await runReboot(ctx, spec()));
    expect(out.reason).toBe("boot_id_unreadable");
    expect(out.message).toContain("got empty output");
    expect(node.commands()).toEqual([BOOT_ID_COMMAND]);
  });

  it("garbage boot id after the reboot is never taken for 'changed' → boot_id_unreadable at the deadline", async () => {
    const { ctx } = setup({ bootIdOutput: (id, boot) => (boot === 0 ? ok(`${id}\n`) : ok("garbage\n")) });
    const out = failure(await runReboot(ctx, spec({ timeoutSec: 200 })));
    expect(out.reason).toBe("boot_id_unreadable");
    expect(out.message).toContain('last probe failed: boot id unreadable: got "garbage", not a UUID');
  });

  it("wrong kernel after the reboot → test_failed at once (no waiting for the deadline), names both", async () => {
    const { ctx, clock } = setup({ kernels: ["5.14.0-362.el9", "5.14.0-362.el9"] });
    const out = failure(await runReboot(ctx, spec({ testCommand: "uname -r" }), { expect: "5.14.0-427.el9" }));
    expect(out.reason).toBe("test_failed");
    expect(out.message).toContain(`new boot id ${BOOT_B}`);
    expect(out.message).toContain('printed "5.14.0-362.el9", expected "5.14.0-427.el9"');
    expect(clock.now() - T0).toBeLessThan(120_000);
  });

  it("retries a failing test command while the host settles", async () => {
    let fails = 2;
    const { ctx } = setup({ exec: (cmd) => (cmd === "systemctl is-system-running" ? (fails-- > 0 ? { exitCode: 1, stdout: "starting\n", stderr: "", durationMs: 1 } : ok("running\n")) : undefined) });
    const out = await runReboot(ctx, spec({ testCommand: "systemctl is-system-running", expect: "running" }));
    expect(out).toMatchObject({ ok: true, testOutput: "running" });
  });

  it("a test command that never succeeds → test_failed with its last exit", async () => {
    const { ctx } = setup({ exec: (cmd) => (cmd === "false" ? { exitCode: 1, stdout: "", stderr: "nope", durationMs: 1 } : undefined) });
    const out = failure(await runReboot(ctx, spec({ testCommand: "false", timeoutSec: 120 })));
    expect(out.reason).toBe("test_failed");
    expect(out.message).toContain("last probe: `false` exited 1: nope");
  });

  it("Ctrl-C while waiting for the host → interrupted, says the reboot was already triggered", async () => {
    const { ctx, clock, controller, events } = setup({ downForMs: Infinity });
    clock.at(20_000, () => controller.abort(new Error("SIGINT")));
    const out = failure(await runReboot(ctx, spec()));
    expect(out.reason).toBe("interrupted");
    expect(out.message).toMatch(/^interrupted waiting for the host to come back; the reboot was already triggered/);
    expect(clock.now() - T0).toBeLessThan(40_000);
    expect(rebootStates(events).at(-1)).toBe("failed");
  });

  it("aborted before it starts → interrupted, nothing run", async () => {
    const { ctx, controller, node } = setup();
    controller.abort();
    const out = failure(await runReboot(ctx, spec()));
    expect(out.reason).toBe("interrupted");
    expect(out.message).toContain("the host was not rebooted");
    expect(node.commands()).toEqual([]);
  });

  it("Ctrl-C during the stability window → interrupted", async () => {
    const { ctx, clock, controller } = setup({ downForMs: 10_000 });
    clock.at(90_000, () => controller.abort());
    const out = failure(await runReboot(ctx, spec({ stableSec: 300 })));
    expect(out.reason).toBe("interrupted");
    expect(out.message).toContain("interrupted in the stability window");
  });

  it("an unreachable host before the reboot is a transport error (the engine marks it unreachable)", async () => {
    const { ctx } = setup();
    ctx.transport = () => ({
      host: "node1",
      connected: false,
      connect: async () => undefined,
      exec: async () => {
        throw new TransportError("node1", "closed", "connection closed");
      },
      put: async () => {
        throw new Error("unused");
      },
      get: async () => {
        throw new Error("unused");
      },
      close: async () => undefined,
    });
    await expect(runReboot(ctx, spec())).rejects.toBeInstanceOf(TransportError);
  });

  it("a changed host key after the reboot stops at once with a transport error (waiting would not fix it)", async () => {
    const { ctx, clock, node, events } = setup({ downForMs: 20_000 });
    const connect = node.connect.bind(node);
    node.connect = () => {
      if (node.bootAt(clock.now()) === 1) throw new TransportError("node1", "hostkey", "host key for node1 changed (known_hosts line 3)");
      return connect();
    };
    const err = await runReboot(ctx, spec()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).kind).toBe("hostkey");
    expect((err as TransportError).message).toBe("reboot: the host came back but the connection was refused: host key for node1 changed (known_hosts line 3)");
    expect(clock.now() - T0).toBeLessThan(60_000);
    expect(rebootStates(events).at(-1)).toBe("failed");
  });

  it("refuses a stability window that does not fit in the timeout, before touching the host", async () => {
    const { ctx, node } = setup();
    await expect(runReboot(ctx, spec({ timeoutSec: 60, stableSec: 60 }))).rejects.toBeInstanceOf(InputError);
    expect(node.commands()).toEqual([]);
  });

  it("keeps the whole reboot, stability window included, inside one timeout", async () => {
    // slow boot: up after 500 s; with stable 120 s the wait must give up at 480 s so the total stays ≤ 600 s
    const { ctx, clock } = setup({ downForMs: 500_000 });
    const out = failure(await runReboot(ctx, spec({ timeoutSec: 600, stableSec: 120 })));
    expect(out.reason).toBe("never_came_back");
    expect(clock.now() - T0).toBeLessThanOrEqual(480_000);
    expect(BOOT_C).not.toBe(BOOT_B);
  });
});
