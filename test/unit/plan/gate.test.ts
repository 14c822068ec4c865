// NodeGate: the node's bookkeeping of one apply (lock, audit lines as they happen, marker + release), by a real bash.
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeGate, layoutFrom } from "../../../src/plan/gate.js";
import { LocalBash } from "./local-bash.js";

function gate(planId?: string, redact = (s: string) => s, at?: { stateDir: string; auditFile: string }) {
  const dir = mkdtempSync(join(tmpdir(), "remedy-gate-"));
  const layout = at ?? { stateDir: join(dir, "state"), auditFile: join(dir, "log/audit.jsonl") };
  const warnings: string[] = [];
  const g = new NodeGate({
    layout,
    owner: { runId: "run-1", controller: "alice@ctl", since: "2026-12-06T10:00:00.000Z", planId },
    audit: { creator: { who: "alice@ctl" }, runId: "run-1", planId, playbook: { path: "pb.yml", sha256: "c".repeat(64) } },
    become: false,
    waitMs: 0,
    sleep: async () => undefined,
    now: () => Date.now(),
    redact,
    onWarning: (m) => warnings.push(m),
  });
  const lines = () => readFileSync(layout.auditFile, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  return { g, layout, warnings, lines };
}

describe("NodeGate", () => {
  it("lock → audit lines appended one by one → end: marker written, lock released", async () => {
    const t = new LocalBash("n1");
    const { g, layout, lines } = gate("plan-9", (s) => s.replace(/s3cret/g, "***"));
    expect(await g.lock("n1", t)).toEqual({ ok: true });
    expect(g.held()).toEqual(["n1"]);
    expect(await g.lock("n1", t)).toEqual({ ok: true }); // re-entrant: no second round trip
    expect(t.log).toHaveLength(1);
    const step = { id: "s", name: "set" };
    expect(await g.audit("n1", t, { step, event: "intent", phase: "apply", action: "echo s3cret > /x" })).toBe(true);
    expect(lines()).toHaveLength(1); // on the node before the action runs
    await g.audit("n1", t, { step, event: "result", phase: "apply", action: "echo s3cret > /x", ok: true });
    await g.audit("n1", t, { step, event: "step", result: "changed" });
    expect(lines().map((l) => [l.event, l.action ?? l.result, l.run_id, l.plan_id])).toEqual([
      ["intent", "echo *** > /x", "run-1", "plan-9"],
      ["result", "echo *** > /x", "run-1", "plan-9"],
      ["step", "changed", "run-1", "plan-9"],
    ]);
    expect(await g.end("n1", t, { host: "n1", status: "changed", steps: [] })).toEqual([]);
    expect(existsSync(join(layout.stateDir, "lock.d"))).toBe(false);
    expect(readdirSync(join(layout.stateDir, "applied"))).toEqual(["plan-9"]);
    expect(g.held()).toEqual([]);
  });

  it("a failed host is not marked applied; its lock is still released", async () => {
    const t = new LocalBash("n1");
    const { g, layout } = gate("plan-9");
    await g.lock("n1", t);
    await g.end("n1", t, { host: "n1", status: "failed", steps: [] });
    expect(existsSync(join(layout.stateDir, "applied"))).toBe(false);
    expect(existsSync(join(layout.stateDir, "lock.d"))).toBe(false);
  });

  it("an audit log that cannot be written is a warning, not a crash", async () => {
    const t = new LocalBash("n1");
    const { g: bad, warnings } = gate(undefined, undefined, { stateDir: "/proc/remedy-no", auditFile: "/proc/remedy-no/audit.jsonl" });
    expect(await bad.audit("n1", t, { step: { id: "s", name: "s" }, event: "intent", action: "x" })).toBe(false);
    expect(warnings.join("\n")).toMatch(/could not append to the audit log \/proc\/remedy-no\/audit.jsonl/);
  });

  it("layoutFrom: the target paths can be redirected (tests, development machines)", () => {
    expect(layoutFrom({})).toEqual({ stateDir: "/var/lib/remedy", auditFile: "/var/log/remedy/audit.jsonl" });
    expect(layoutFrom({ REMEDY_TARGET_STATE_DIR: "/run/r", REMEDY_TARGET_AUDIT_LOG: "/run/r/a.jsonl" })).toEqual({ stateDir: "/run/r", auditFile: "/run/r/a.jsonl" });
  });
});
