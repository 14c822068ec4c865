// Pure renderers: CSV of every run, CSV of the aggregated rows, and the Markdown results page.

const s1 = (ms) => (Number.isFinite(ms) ? (ms / 1000).toFixed(ms < 10_000 ? 2 : 1) : "");
const mb = (b) => (Number.isFinite(b) ? (b / 1024 / 1024).toFixed(0) : "");
const ratio = (r) => (Number.isFinite(r) ? r.toFixed(2) : "n/a");
const fmtFrac = (f) => (f > 0 && f < 1 ? `1/${Math.round(1 / f)}` : String(f));
const x = (r, d = 1) => (Number.isFinite(r) ? `${r.toFixed(d)}×` : "n/a");

export function csvField(v) {
  const t = v === undefined || v === null || (typeof v === "number" && !Number.isFinite(v)) ? "" : String(v);
  return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

export function toCsv(header, rows) {
  return [header, ...rows].map((r) => r.map(csvField).join(",")).join("\n") + "\n";
}

export const RUN_COLUMNS = [
  "hosts", "tool", "repeat", "status", "exit_code", "wall_ms", "cpu_user_ms", "cpu_sys_ms", "helpers", "helper_cpu_ms", "cpu_ms",
  "sshd_cpu_ms", "peak_rss_bytes", "peak_pss_bytes", "max_procs", "bench_cpu_ms", "hosts_verified", "load1_before", "problems", "note",
];

export function runsCsv(runs) {
  return toCsv(RUN_COLUMNS, runs.map((r) => [
    r.hosts, r.tool, r.repeat, r.status, r.exitCode, round(r.wallMs), round(r.cpuUserMs), round(r.cpuSysMs), r.helpers, round(r.helperCpuMs),
    round(r.cpuMs), round(r.sshdCpuMs), r.peakRssBytes, r.peakPssBytes, r.maxProcs, round(r.benchCpuMs), r.hostsVerified, r.load1,
    (r.problems ?? []).slice(0, 5).join(" | "), r.note ?? "",
  ]));
}

export function summaryCsv(rows) {
  return toCsv(
    ["hosts", "tool", "runs", "failed_runs", "wall_median_ms", "wall_min_ms", "wall_max_ms", "cpu_median_ms", "sshd_cpu_median_ms", "peak_rss_bytes", "peak_pss_bytes", "hosts_verified", "note"],
    rows.map((r) => [r.hosts, r.tool, r.runs, r.failedRuns, round(r.wallMs.median), round(r.wallMs.min), round(r.wallMs.max), round(r.cpuMs.median), round(r.sshdCpuMs.median), r.peakRssBytes, r.peakPssBytes, r.hostsVerified, r.note]),
  );
}

function round(v) {
  return Number.isFinite(v) ? Math.round(v) : "";
}

/** The Markdown page: per host count every tool side by side, then the remedy-vs-ansible ratios. */
export function renderMarkdown({ rows, ratios, meta, applyRows = [], latencyRows = [] }) {
  const lines = [];
  lines.push(`# remedy vs ansible-playbook: ${meta.title ?? "8 read-only probes per host"}`, "");
  lines.push(`Measured ${meta.date} on ${meta.machine}; ${meta.repeat} repeat(s), interleaved; ${meta.ansible ?? "ansible: not run"}.`, "");
  lines.push("Wall: median (min–max) over the repeats. CPU: user+sys of the controller-side process tree (incl. ssh",
    "ControlPersist masters). sshd CPU: the lab's sshd processes and the commands they ran (the \"nodes\").",
    "Peak RSS: sum over the process tree, sampled every 50 ms; peak PSS: same tree, every 500 ms (shared pages",
    "divided among the processes that share them: the fairer number for many forked workers).", "");
  lines.push("| hosts | tool | wall s | CPU s | sshd CPU s | peak RSS MB | peak PSS MB | hosts verified | time vs remedy | note |");
  lines.push("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|");
  for (const r of rows) {
    const remedy = rows.find((q) => q.hosts === r.hosts && q.tool === "remedy" && !q.skipped);
    if (r.skipped) {
      lines.push(`| ${r.hosts} | ${r.tool} | not run | | | | | | | ${r.note} |`);
      continue;
    }
    const rel = remedy && r.tool !== "remedy" ? x(r.wallMs.median / remedy.wallMs.median) : r.tool === "remedy" ? "1.0×" : "";
    const failed = r.failedRuns ? ` **${r.failedRuns} failed run(s)**` : "";
    lines.push(`| ${r.hosts} | ${r.tool} | ${s1(r.wallMs.median)} (${s1(r.wallMs.min)}–${s1(r.wallMs.max)}) | ${s1(r.cpuMs.median)} | ${s1(r.sshdCpuMs.median)} | ${mb(r.peakRssBytes)} | ${mb(r.peakPssBytes)} | ${r.hostsVerified}/${r.hosts}${failed} | ${rel} | ${r.note} |`);
  }
  lines.push("", "## remedy against the SSH floor and ansible's fastest configuration", "");
  lines.push(`floor: bench/floor.mjs, one in-process ssh2 connection and ONE exec per host, all hosts at once (the least work any SSH runner does). Targets: remedy/floor ≤ ${meta.targets.floor ?? 1.3}, speed ratio ≥ ${meta.targets.speed}×, controller CPU ≤ ${fmtFrac(meta.targets.cpu ?? 1 / 20)} of ansible's, memory ratio ≤ ${meta.targets.memory.toFixed(2)} (remedy peak / ansible peak).`, "");
  lines.push("| hosts | remedy s | floor s | remedy/floor | fastest ansible | its s | speed ratio | floor vs ansible | CPU remedy/ansible | memory ratio (RSS) | memory ratio (PSS) | targets met |");
  lines.push("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|");
  for (const q of ratios) {
    // a failed remedy run skipped the rest of a failed host's steps: its time is not a result
    const incomplete = q.remedy?.failedRuns ? " (remedy failed verification: incomplete work, not a result)" : "";
    const vsFloor = Number.isFinite(q.vsFloor) ? `${q.vsFloor.toFixed(2)}` : "n/a";
    const met = [q.remedy && q.fastest ? (q.met ? "ansible: yes" : "ansible: no") : "", Number.isFinite(q.vsFloor) ? (q.floorMet ? "floor: yes" : "floor: no") : ""].filter(Boolean).join(", ") || "n/a";
    lines.push(`| ${q.hosts} | ${s1(q.remedy?.wallMs.median)} | ${s1(q.floor?.wallMs.median)} | ${vsFloor} | ${q.fastest?.tool ?? "none ran"} | ${s1(q.fastest?.wallMs.median)} | ${x(q.speed)}${incomplete} | ${x(q.floorSpeed)} | ${ratio(q.cpu)} | ${ratio(q.memoryRss)} | ${ratio(q.memoryPss)} | ${met} |`);
  }
  if (meta.scaling) lines.push("", meta.scaling);
  if (applyRows.length) {
    lines.push("", "## remedy apply (playbooks/ethtool-offload.yml + playbooks/sysctl-revert.yml; lab state untouched by the read-only probes before it)", "");
    lines.push("remedy defaults (10 s connect timeout, a timed-out handshake tried once more, adaptive handshake limit) with `--forks N`; `saturated`: CPU-burning processes on every core of the lab machine during the run (bench --saturate).", "");
    lines.push("| hosts | load | wall s | CPU s | sshd CPU s | peak RSS MB | peak PSS MB | exit | note |", "|---:|---|---:|---:|---:|---:|---:|---:|---|");
    for (const a of applyRows) {
      const load = a.saturated ? "saturated" : "idle";
      lines.push(a.status === "skipped"
        ? `| ${a.hosts} | ${load} | not run | | | | | | ${a.note} |`
        : `| ${a.hosts} | ${load} | ${s1(a.wallMs)} | ${s1(a.cpuMs)} | ${s1(a.sshdCpuMs)} | ${mb(a.peakRssBytes)} | ${mb(a.peakPssBytes)} | ${a.exitCode} | ${a.note ?? ""} |`);
    }
  }
  if (latencyRows.length) {
    lines.push("", "## latency mode: nodes behind a proxy adding a fixed round-trip time", "");
    lines.push("Round trips counted at the proxy per connection (a client→server flight after server data). Beyond the handshake = turns per host − connections per host × the handshake's own turns (measured with a bare ssh2 connect through the same proxies; OpenSSH's handshake may differ by a turn).", "");
    lines.push("| hosts | RTT ms | tool | wall s | connections/host | turns/host | handshake turns | round trips beyond the handshake | hosts verified | note |", "|---:|---:|---|---:|---:|---:|---:|---:|---:|---|");
    for (const l of latencyRows) {
      const beyond = Number.isFinite(l.beyondHandshake) ? l.beyondHandshake.toFixed(1) : "n/a";
      lines.push(l.status === "skipped"
        ? `| ${l.hosts} | ${l.rttMs} | ${l.tool} | not run | | | | | | ${l.note ?? ""} |`
        : `| ${l.hosts} | ${l.rttMs} | ${l.tool} | ${s1(l.wallMs)} | ${l.connectionsPerHost.toFixed(1)} | ${l.turnsPerHost.toFixed(1)} | ${l.handshakeTurns.toFixed(1)} | ${beyond} | ${l.hostsVerified}/${l.hosts} | ${l.note ?? ""} |`);
    }
  }
  for (const n of meta.notes ?? []) lines.push("", n);
  lines.push("");
  return lines.join("\n");
}
