// The live line on a TTY: "N/M hosts done, mm:ss elapsed", redrawn in place (ticks move the clock even
// when no host finishes), cleared before any printed line and at the end; colours only on a TTY.
import { describe, expect, it } from "vitest";
import { HumanReporter } from "../../../src/report/plain.js";

const T = "2026-12-01T00:00:00.000Z";

describe("live progress line", () => {
  it("redraws N/M and elapsed, keeps printed lines above it, clears at the end", () => {
    let out = "";
    let now = 0;
    const r = new HumanReporter({ verbose: false, width: 100, tty: true, now: () => now, write: (s) => void (out += s) });
    r.handle({ type: "run_start", runId: "r", mode: "apply", playbook: "p.yml", hosts: ["a", "b", "c"], time: T });
    now = 5_000;
    r.handle({ type: "host_end", host: "a", status: "changed", time: T });
    expect(out.endsWith("\r\u001b[2K1/3 hosts done, 00:05 elapsed")).toBe(true);
    now = 65_000;
    r.tick();
    expect(out.endsWith("\r\u001b[2K1/3 hosts done, 01:05 elapsed")).toBe(true);
    r.handle({ type: "step_end", host: "b", step: "s", name: "set x", status: "failed", message: "exit 3", durationMs: 1, time: T });
    // the failure is printed on a cleared line, then the live line comes back under it
    expect(out).toContain("\r\u001b[2K\u001b[31m✗\u001b[0m [b] set x: FAILED (exit 3)\n1/3 hosts done, 01:05 elapsed");
    r.handle({ type: "host_end", host: "b", status: "failed", message: "exit 3", time: T });
    expect(out.endsWith("2/3 hosts done (1 failed), 01:05 elapsed")).toBe(true);
    expect(out.match(/\[b\]/g)).toHaveLength(1); // the host_end does not repeat the step failure
    r.close();
    expect(out.endsWith("\r\u001b[2K")).toBe(true);
  });

  it("plain mode: no escape codes, a progress line at most every 10 s and at the end", () => {
    let out = "";
    let now = 0;
    const r = new HumanReporter({ verbose: false, width: 100, tty: false, now: () => now, write: (s) => void (out += s) });
    const hosts = Array.from({ length: 30 }, (_, i) => `n${i + 1}`);
    r.handle({ type: "run_start", runId: "r", mode: "check", playbook: "p.yml", hosts, time: T });
    for (const h of hosts) {
      now += 1_000;
      r.handle({ type: "host_end", host: h, status: "ok", time: T });
    }
    expect(out).not.toContain("\u001b");
    expect(out.split("\n").filter((l) => l.startsWith("progress:"))).toEqual([
      "progress: 10/30 hosts done, 00:10 elapsed",
      "progress: 20/30 hosts done, 00:20 elapsed",
      "progress: 30/30 hosts done, 00:30 elapsed",
    ]);
  });
});
