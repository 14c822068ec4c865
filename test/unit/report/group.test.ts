import { describe, expect, it } from "vitest";
import { ResultGroups, renderGroups } from "../../../src/report/group.js";
import type { RunEvent } from "../../../src/model/events.js";
import type { StepStatus } from "../../../src/model/events.js";

const end = (host: string, status: StepStatus, message?: string): RunEvent => ({ type: "step_end", host, step: "s1", name: "runc is new enough", status, message, durationMs: 1, time: "t" });

function render(events: RunEvent[]): string {
  const g = new ResultGroups();
  events.forEach(g.handle);
  return renderGroups(g.groups(), { width: 100 });
}

describe("ResultGroups", () => {
  it("lists a step's outcomes by what needs attention, whatever order the hosts finished in", () => {
    const events = [end("n3", "ok"), end("n1", "would_change", "old"), end("n10", "would_fail", "too old"), end("n2", "failed", "boom"), end("n4", "skipped", "not EL9"), end("n9", "would_fail", "missing")];
    const out = render(events);
    expect(out.split("\n").filter((l) => /^  \S/.test(l)).map((l) => l.trim().split(" — ")[0])).toEqual([
      "✗ FAILED", "! would fail", "! would fail", "~ would change", "- skipped", "✓ ok",
    ]);
    // ties in the order of their first host (numeric: n9 before n10)
    expect(out.indexOf("n9")).toBeLessThan(out.indexOf("n10"));
    expect(render([...events].reverse())).toBe(out);
  });
});
