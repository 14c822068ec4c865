import { describe, expect, it } from "vitest";
// @ts-expect-error plain .mjs module without types
import { aggregate, median, ratios, scalingExponent } from "../../../bench/lib/stats.mjs";
// @ts-expect-error plain .mjs module without types
import { csvField, renderMarkdown, runsCsv, summaryCsv } from "../../../bench/lib/report.mjs";

const MB = 2 ** 20;
const run = (hosts: number, tool: string, wallMs: number, rssMb: number, status = "ok") => ({
  hosts, tool, repeat: 1, status, exitCode: 0, wallMs, cpuUserMs: wallMs / 2, cpuSysMs: 10, helperCpuMs: 0, cpuMs: wallMs / 2 + 10,
  sshdCpuMs: 100, peakRssBytes: rssMb * MB, peakPssBytes: (rssMb / 2) * MB, hostsVerified: status === "ok" ? hosts : 0, problems: [],
});
const runs = [
  run(100, "remedy", 2000, 90), run(100, "remedy", 1000, 100), run(100, "remedy", 3000, 95),
  run(100, "ansible-raw", 21000, 400), run(100, "ansible-raw", 20000, 380), run(100, "ansible-raw", 22000, 390),
  run(100, "ansible-tuned", 9000, 300, "failed"),
  { hosts: 100, tool: "ansible-defaults", repeat: 1, status: "skipped", note: "no python", problems: [] },
  run(10, "remedy", 500, 80), run(10, "ansible-raw", 3000, 200),
];

describe("stats", () => {
  it("median of odd and even counts", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
  it("aggregates per host count and tool, keeps skipped tools with their note", () => {
    const rows = aggregate(runs);
    const remedy = rows.find((r: { hosts: number; tool: string }) => r.hosts === 100 && r.tool === "remedy");
    expect(remedy.wallMs).toEqual({ median: 2000, min: 1000, max: 3000, n: 3 });
    expect(remedy.peakRssBytes).toBe(100 * MB);
    const skipped = rows.find((r: { tool: string }) => r.tool === "ansible-defaults");
    expect(skipped).toMatchObject({ skipped: true, runs: 0, note: "no python" });
  });
  it("compares remedy with the fastest ansible configuration whose runs all passed", () => {
    const q = ratios(aggregate(runs));
    const at100 = q.find((x: { hosts: number }) => x.hosts === 100);
    expect(at100.fastest.tool).toBe("ansible-raw"); // tuned was faster but failed verification
    expect(at100.speed).toBeCloseTo(21000 / 2000);
    expect(at100.memoryRss).toBeCloseTo(100 / 400);
    expect(at100.met).toBe(true);
    const at10 = q.find((x: { hosts: number }) => x.hosts === 10);
    expect(at10.speed).toBeCloseTo(6);
    expect(at10.met).toBe(false);
  });
  it("scaling exponent uses the two largest sizes", () => {
    expect(scalingExponent([{ hosts: 1, ms: 400 }, { hosts: 10, ms: 100 }, { hosts: 100, ms: 1000 }])).toBeCloseTo(1);
    expect(scalingExponent([{ hosts: 10, ms: 100 }, { hosts: 100, ms: 316.2 }])).toBeCloseTo(0.5, 2);
    expect(scalingExponent([{ hosts: 10, ms: 100 }])).toBeNaN();
  });
});

describe("report", () => {
  it("quotes CSV fields with commas, quotes and newlines; blanks non-finite numbers", () => {
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField(NaN)).toBe("");
    expect(csvField(12)).toBe("12");
  });
  it("writes one CSV row per run and per aggregated row", () => {
    expect(runsCsv(runs).trim().split("\n")).toHaveLength(runs.length + 1);
    const sum = summaryCsv(aggregate(runs)).trim().split("\n");
    expect(sum[0]).toMatch(/^hosts,tool,runs,failed_runs,wall_median_ms/);
    expect(sum).toContain("100,remedy,3,0,2000,1000,3000,1010,100,104857600,52428800,100,");
  });
  it("renders tools side by side with ratios and marks failed and skipped runs", () => {
    const rows = aggregate(runs);
    const md = renderMarkdown({ rows, ratios: ratios(rows), meta: { date: "d", machine: "m", repeat: 3, targets: { speed: 10, memory: 1 / 3 } } });
    expect(md).toContain("| 100 | remedy | 2.00 (1.00–3.00) | 1.01 | 0.10 | 100 | 50 | 100/100 | 1.0× |");
    expect(md).toContain("| 100 | ansible-raw | 21.0 (20.0–22.0) |");
    expect(md).toMatch(/\| 100 \| ansible-tuned \|.*\*\*1 failed run\(s\)\*\*/);
    expect(md).toContain("| 100 | ansible-defaults | not run |");
    expect(md).toContain("| 100 | 2.00 |  | n/a | ansible-raw | 21.0 | 10.5× | n/a | 0.10 | 0.25 | 0.25 | ansible: yes |");
    expect(md).toContain("| 10 | 0.50 |  | n/a | ansible-raw | 3.00 | 6.0× | n/a | 0.17 | 0.40 | 0.40 | ansible: no |");
  });
});
