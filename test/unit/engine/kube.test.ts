import { describe, expect, it } from "vitest";
import { DEFAULT_KUBE_TIMEOUT_SEC, KUBE_EXEC_MARGIN_SEC, kubeAction, kubeCommand } from "../../../src/engine/kube.js";
import { CordonTracker } from "../../../src/engine/cordon-tracker.js";
import type { KubeAction } from "../../../src/model/playbook.js";
import { InputError, TransportError } from "../../../src/errors.js";
import { FakeClock, RecordingTransport, fakeCtx, ok } from "../../fixtures/engine/fakes.js";

const action = (kind: KubeAction["kind"], over: Partial<KubeAction> = {}): KubeAction => ({ kind, timeoutSec: 300, ...over });

function setup(answer?: ConstructorParameters<typeof RecordingTransport>[1]) {
  const local = new RecordingTransport("localhost", answer);
  const cp1 = new RecordingTransport("cp1", answer);
  const f = fakeCtx({ clock: new FakeClock(), delegates: { localhost: local, cp1 }, host: "worker-1" });
  return { local, cp1, ...f };
}

describe("kubeCommand", () => {
  it.each([
    ["cordon", "worker-1", 300, "kubectl cordon worker-1"],
    ["uncordon", "worker-1", 300, "kubectl uncordon worker-1"],
    ["drain", "worker-1", 300, "kubectl drain worker-1 --ignore-daemonsets --delete-emptydir-data --timeout=300s"],
    ["drain", "ip-10-0-1-7.ec2.internal", 120, "kubectl drain ip-10-0-1-7.ec2.internal --ignore-daemonsets --delete-emptydir-data --timeout=120s"],
    // kubectl treats --timeout=0s as "wait forever": never let that through
    ["drain", "worker-1", 0, `kubectl drain worker-1 --ignore-daemonsets --delete-emptydir-data --timeout=${DEFAULT_KUBE_TIMEOUT_SEC}s`],
    ["drain", "worker-1", Number.POSITIVE_INFINITY, `kubectl drain worker-1 --ignore-daemonsets --delete-emptydir-data --timeout=${DEFAULT_KUBE_TIMEOUT_SEC}s`],
    ["drain", "worker-1", 12.5, "kubectl drain worker-1 --ignore-daemonsets --delete-emptydir-data --timeout=13s"],
  ] as const)("%s %s (timeout %s) → %s", (kind, node, timeoutSec, want) => {
    expect(kubeCommand({ kind, timeoutSec }, node).command).toBe(want);
  });

  it("never bypasses PodDisruptionBudgets or forces", () => {
    const { command } = kubeCommand({ kind: "drain", timeoutSec: 300 }, "worker-1");
    expect(command).not.toMatch(/--disable-eviction|--force|--grace-period|--timeout=0s/);
  });

  it.each(["--all", "-l role=db", "worker 1", "worker;reboot", "$(id)", "Worker-1", "", "node_1", "-worker", "worker-"])(
    "rejects %j as a node name (no flag or shell injection)",
    (node) => {
      expect(() => kubeCommand({ kind: "drain", timeoutSec: 300 }, node)).toThrow(InputError);
    },
  );

  it("the bad-name message says how to fix it", () => {
    expect(() => kubeCommand({ kind: "cordon", timeoutSec: 300 }, "Worker-1")).toThrow(/set `node:` on the step/);
  });
});

describe("kubeAction", () => {
  it("cordons on the controller by default, without become, with the exec timeout above kubectl's", async () => {
    const { ctx, local, delegations, events } = setup();
    const r = await kubeAction(ctx, action("cordon", { timeoutSec: 60 }), "worker-1");
    expect(r).toMatchObject({ exitCode: 0, command: "kubectl cordon worker-1", delegate: "localhost" });
    expect(delegations).toEqual(["localhost"]);
    expect(local.calls).toHaveLength(1);
    expect(local.calls[0]?.opts?.timeoutMs).toBe((60 + KUBE_EXEC_MARGIN_SEC) * 1000);
    expect(local.calls[0]?.opts?.become).toBeFalsy();
    const cmd = events.find((e) => e.type === "command");
    expect(cmd).toMatchObject({ type: "command", host: "worker-1", phase: "apply", record: { command: "kubectl cordon worker-1", exitCode: 0 } });
  });

  it("drains on a delegate host with a finite timeout and the run's abort signal", async () => {
    const { ctx, cp1, local, events } = setup();
    const r = await kubeAction(ctx, action("drain", { delegateTo: "cp1", timeoutSec: 0 }), "worker-1", { phase: "rollback" });
    expect(r.delegate).toBe("cp1");
    expect(local.calls).toHaveLength(0);
    expect(cp1.calls[0]?.command).toBe("kubectl drain worker-1 --ignore-daemonsets --delete-emptydir-data --timeout=300s");
    expect(cp1.calls[0]?.opts?.timeoutMs).toBe((300 + KUBE_EXEC_MARGIN_SEC) * 1000);
    expect(cp1.calls[0]?.opts?.signal).toBe(ctx.signal);
    expect(events.find((e) => e.type === "command")).toMatchObject({ phase: "rollback", record: { command: expect.stringContaining("# on cp1") } });
  });

  it("returns a refused eviction (PDB) as data, not an exception", async () => {
    const stderr = 'error when evicting pods/"db-0" -n "prod" (will retry after 5s): Cannot evict pod as it would violate the pod\'s disruption budget.\nerror: timed out waiting for the condition\n';
    const { ctx } = setup(() => ({ exitCode: 1, stdout: "node/worker-1 cordoned\n", stderr, durationMs: 300_000 }));
    const r = await kubeAction(ctx, action("drain"), "worker-1");
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("disruption budget");
  });

  it("uncordon (the rescue after Ctrl-C) is not cancelled by the already-aborted run signal", async () => {
    const { ctx, local, controller } = setup((_cmd, opts) => (opts?.signal?.aborted ? { exitCode: null, signal: "SIGTERM", stdout: "", stderr: "", durationMs: 0 } : ok("node/worker-1 uncordoned\n")));
    controller.abort();
    const r = await kubeAction(ctx, { kind: "uncordon", timeoutSec: 60 }, "worker-1");
    expect(r.exitCode).toBe(0);
    expect(local.calls[0]?.opts?.signal).toBeUndefined();
  });

  it("a bad node name fails before anything runs", async () => {
    const { ctx, local, delegations } = setup();
    await expect(kubeAction(ctx, action("drain"), "--all-namespaces")).rejects.toBeInstanceOf(InputError);
    expect(local.calls).toHaveLength(0);
    expect(delegations).toEqual([]);
  });

  it("an unreachable delegate is a transport error that names the delegate and the node", async () => {
    const { ctx } = setup();
    const err = await kubeAction(ctx, action("cordon", { delegateTo: "cp9" }), "worker-1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).message).toBe("cordon worker-1: cannot run kubectl on cp9: no route to cp9");
    expect((err as TransportError).host).toBe("cp9");
  });
});

describe("CordonTracker", () => {
  it("remembers what this run cordoned until it is uncordoned", () => {
    const t = new CordonTracker();
    expect(t.pending()).toEqual([]);
    t.markCordoned("worker-1", "worker-1", "localhost");
    t.markCordoned("worker-2", "ip-10-0-0-2", "cp1", true);
    expect(t.pendingFor("worker-1")).toEqual({ host: "worker-1", node: "worker-1", delegate: "localhost", leave: false });
    expect(t.pendingFor("worker-2")?.leave).toBe(true);
    expect(t.pending().map((p) => p.node)).toEqual(["worker-1", "ip-10-0-0-2"]);
    t.markUncordoned("worker-1");
    expect(t.pendingFor("worker-1")).toBeUndefined();
    expect(t.pending().map((p) => p.host)).toEqual(["worker-2"]);
    t.markUncordoned("never-cordoned"); // harmless
    expect(t.pending()).toHaveLength(1);
  });

  it("a drain after a cordon of the same host updates the entry (one node per host)", () => {
    const t = new CordonTracker();
    t.markCordoned("worker-1", "worker-1", "localhost");
    t.markCordoned("worker-1", "worker-1", "cp1", true);
    expect(t.pending()).toEqual([{ host: "worker-1", node: "worker-1", delegate: "cp1", leave: true }]);
  });
});
