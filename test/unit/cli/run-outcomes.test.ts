// The CLI's side of a run: tag filters checked before connecting, and the typed summary → exit code.
import { describe, expect, it } from "vitest";
import { checkTags } from "../../../src/cli/commands/run.js";
import { exitCodeForRun } from "../../../src/cli/exit-codes.js";
import type { HostSummary, RunSummary } from "../../../src/model/events.js";
import type { Playbook } from "../../../src/model/playbook.js";
import { InputError } from "../../../src/errors.js";

const pb = { file: "pb.yml", steps: [{ tags: ["kernel", "reboot"] }, { tags: ["kernel"] }, { tags: [] }] } as unknown as Playbook;

describe("tag filters", () => {
  it("-t that matches no step is invalid input naming the known tags", () => {
    expect(() => checkTags(pb, "--tags", ["kernal"])).toThrow(InputError);
    expect(() => checkTags(pb, "--tags", ["kernal"])).toThrow("pb.yml: --tags kernal: no step has this tag; known tags: kernel, reboot");
    expect(() => checkTags(pb, "--tags", ["kernel", "nosuch"])).not.toThrow();
    expect(() => checkTags(pb, "--tags", undefined)).not.toThrow();
  });
  it("--skip-tags naming a tag no step has is refused (it would skip nothing)", () => {
    expect(() => checkTags(pb, "--skip-tags", ["rebot"])).toThrow("--skip-tags rebot: no step has this tag; known tags: kernel, reboot");
    expect(() => checkTags(pb, "--skip-tags", ["reboot"])).not.toThrow();
  });
  it("a playbook without tags says so", () => {
    expect(() => checkTags({ file: "p", steps: [{ tags: [] }] } as unknown as Playbook, "--tags", ["x"])).toThrow("(none: this playbook's steps have no tags)");
  });
});

const row = (status: HostSummary["status"], over: Partial<HostSummary> = {}): HostSummary => ({ host: "h", status, ok: 0, changed: 0, would_change: 0, would_fail: 0, failed: 0, skipped: 0, ...over });
function summary(mode: RunSummary["mode"], rows: HostSummary[], over: Partial<RunSummary> = {}): RunSummary {
  const count = (s: string) => rows.filter((r) => r.status === s).length;
  return {
    mode,
    hosts: rows,
    totals: { ok: 0, changed: 0, would_change: rows.reduce((n, r) => n + r.would_change, 0), would_fail: 0, failed: count("failed"), unreachable: count("unreachable"), skipped: 0, untouched: count("untouched"), would_fail_hosts: count("would_fail") },
    interrupted: false,
    ...over,
  };
}

describe("typed summary → exit code", () => {
  it.each<[string, RunSummary, number]>([
    ["check, all compliant", summary("check", [row("ok")]), 0],
    ["check, changes pending", summary("check", [row("would_change", { would_change: 1 })]), 2],
    ["check, a step would fail (even with changes pending elsewhere)", summary("check", [row("would_change", { would_change: 1 }), row("would_fail", { would_fail: 1 })]), 1],
    ["plan, would fail beats unreachable", summary("plan", [row("unreachable"), row("would_fail")]), 1],
    ["check, unreachable", summary("check", [row("ok"), row("unreachable")]), 3],
    ["apply, changed", summary("apply", [row("changed")]), 0],
    ["apply, failed", summary("apply", [row("failed"), row("unreachable")]), 1],
    ["apply --plan, refused before applying (stale)", summary("apply", [row("untouched")], { planRefused: ["stale", "locked"] }), 5],
    ["apply --plan, only unreachable", summary("apply", [row("untouched")], { planRefused: ["unreachable"] }), 3],
    ["apply --plan, a node locked by another run", summary("apply", [row("untouched")], { planRefused: ["locked"] }), 1],
    ["apply --plan, a host refused during the apply (rebooted since the check pass)", summary("apply", [row("failed", { refused: "stale" }), row("changed")]), 5],
    ["interrupted", summary("apply", [row("failed")], { interrupted: true }), 130],
  ])("%s", (_n, s, code) => {
    expect(exitCodeForRun(s)).toBe(code);
  });
});
