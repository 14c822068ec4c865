// Pure aggregation of measured runs: per (hosts, tool) median/min/max, and remedy-vs-ansible ratios.

export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function spread(xs) {
  return { median: median(xs), min: xs.length ? Math.min(...xs) : NaN, max: xs.length ? Math.max(...xs) : NaN, n: xs.length };
}

/**
 * @param {Array<{hosts:number, tool:string, status:"ok"|"failed"|"skipped", wallMs:number, cpuMs:number,
 *   sshdCpuMs:number, peakRssBytes:number, peakPssBytes:number, hostsVerified:number, note?:string}>} runs
 * @returns one row per (hosts, tool), in first-seen order; skipped tools keep their note.
 */
export function aggregate(runs) {
  const groups = new Map();
  for (const r of runs) {
    const k = `${r.hosts}\0${r.tool}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(r);
  }
  return [...groups.values()].map((rs) => {
    const measured = rs.filter((r) => r.status !== "skipped");
    const ok = measured.filter((r) => r.status === "ok");
    const pick = (f) => spread(measured.map(f));
    return {
      hosts: rs[0].hosts,
      tool: rs[0].tool,
      runs: measured.length,
      failedRuns: measured.length - ok.length,
      skipped: measured.length === 0,
      note: [...new Set(rs.map((r) => r.note).filter(Boolean))].join("; "),
      wallMs: pick((r) => r.wallMs),
      cpuMs: pick((r) => r.cpuMs),
      sshdCpuMs: pick((r) => r.sshdCpuMs),
      peakRssBytes: measured.length ? Math.max(...measured.map((r) => r.peakRssBytes)) : NaN,
      peakPssBytes: measured.length ? Math.max(...measured.map((r) => r.peakPssBytes)) : NaN,
      hostsVerified: measured.length ? Math.min(...measured.map((r) => r.hostsVerified)) : 0,
    };
  });
}

/**
 * Per host count: remedy against the floor (the least work any SSH runner does: bench/floor.mjs) and
 * against ansible's fastest configuration that ran with every run ok.
 * speed = ansible median wall / remedy median wall (higher is better for remedy);
 * vsFloor = remedy median wall / floor median wall (1 = as fast as the floor; target ≤ 1.3);
 * cpu = remedy controller CPU / that ansible configuration's; memory = remedy peak / its peak (lower is better).
 */
export function ratios(rows, targets = { speed: 10, memory: 1 / 3 }) {
  const out = [];
  for (const hosts of [...new Set(rows.map((r) => r.hosts))]) {
    const at = rows.filter((r) => r.hosts === hosts);
    const remedy = at.find((r) => r.tool === "remedy" && !r.skipped);
    const floor = at.find((r) => r.tool === "floor" && !r.skipped && r.failedRuns === 0);
    const vsFloor = remedy && floor ? remedy.wallMs.median / floor.wallMs.median : NaN;
    const floorMet = Number.isFinite(vsFloor) && remedy.failedRuns === 0 && vsFloor <= (targets.floor ?? 1.3);
    const ansible = at.filter((r) => r.tool.startsWith("ansible") && !r.skipped && r.failedRuns === 0);
    const fastest = ansible.sort((a, b) => a.wallMs.median - b.wallMs.median)[0];
    if (!remedy || !fastest) {
      out.push({ hosts, remedy, floor, fastest, speed: NaN, vsFloor, floorMet, cpu: NaN, memoryRss: NaN, memoryPss: NaN, met: false });
      continue;
    }
    const speed = fastest.wallMs.median / remedy.wallMs.median;
    const floorSpeed = floor ? fastest.wallMs.median / floor.wallMs.median : NaN;
    const cpu = remedy.cpuMs.median / fastest.cpuMs.median;
    const memoryRss = remedy.peakRssBytes / fastest.peakRssBytes;
    const memoryPss = remedy.peakPssBytes / fastest.peakPssBytes;
    const met = remedy.failedRuns === 0 && speed >= targets.speed && memoryRss <= targets.memory;
    out.push({ hosts, remedy, floor, fastest, speed, floorSpeed, vsFloor, floorMet, cpu, memoryRss, memoryPss, met });
  }
  return out;
}

/**
 * Scaling exponent between the two largest host counts (1 = linear, < 1 better than linear); the
 * smallest counts are dominated by start-up cost, which would flatter the exponent.
 */
export function scalingExponent(points) {
  const p = points.filter((x) => x.hosts > 0 && x.ms > 0).sort((a, b) => a.hosts - b.hosts);
  if (p.length < 2) return NaN;
  const a = p[p.length - 2];
  const b = p[p.length - 1];
  return Math.log(b.ms / a.ms) / Math.log(b.hosts / a.hosts);
}
