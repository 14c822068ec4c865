#!/usr/bin/env node
// `npm run bench`: per lab size N, times remedy `check`, the SSH floor (bench/floor.mjs) and three
// ansible-playbook configurations on the same 8 read-only probes (interleaved, repeated), verifies every
// host's answers, times a full remedy `apply` (optionally with the cores saturated), runs the latency mode
// (nodes behind a delaying proxy, round trips counted), and writes
// bench/results/{results.md,runs.csv,summary.csv,results.json,*.png}.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ALL_TOOLS, SLOW_ANSIBLE_MAX_HOSTS, USAGE, interleave, osSplit, parseArgs } from "./lib/args.mjs";
import { startBurners } from "./lib/burn.mjs";
import { proxiedLabFiles, startLatencyProxy } from "./lib/latency-proxy.mjs";
import { ansibleConfigs, ansibleInvocation, ensureAnsible } from "./lib/ansible.mjs";
import { renderChart } from "./lib/chart.mjs";
import { measure } from "./lib/measure.mjs";
import { parseAnsibleJson, parseFloorLines, parseRemedyEvents } from "./lib/parse.mjs";
import { PROBES, expectedAnswers, nodeFiles, verifyHost } from "./lib/probes.mjs";
import { renderMarkdown, runsCsv, summaryCsv } from "./lib/report.mjs";
import { aggregate, ratios, scalingExponent } from "./lib/stats.mjs";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(REPO, "dist", "cli", "main.js");
/** node flags of the bin's shebang (`#!/usr/bin/env -S node <flags>`): timed as the installed command runs */
const CLI_FLAGS = () => (readFileSync(CLI, "utf8").split("\n", 1)[0].match(/^#!.*\bnode((?:\s+-\S+)*)\s*$/)?.[1] ?? "").split(/\s+/).filter(Boolean);
const PROBES_YML = join(REPO, "bench", "probes.yml");
const FLOOR = join(REPO, "bench", "floor.mjs");
const LATENCY_PORT_OFFSET = 1000;
const APPLY_PLAYBOOKS = ["playbooks/ethtool-offload.yml", "playbooks/sysctl-revert.yml"];
const TARGETS = { speed: 10, memory: 1 / 3, floor: 1.3, cpu: 1 / 20, peakMiB500: 150 };
const log = (s) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.help) return void console.log(USAGE);
  if (process.getuid?.() !== 0) throw new Error("bench: the lab needs root (chroot, bind mounts, sshd); run as root");
  if (!existsSync(CLI)) throw new Error(`bench: ${CLI} missing; run \`npm run build\` (npm run bench does)`);
  const { labUp } = await import(join(REPO, "dist/lab/up.js"));
  const { labDown } = await import(join(REPO, "dist/lab/down.js"));
  const { readSupervisorState } = await import(join(REPO, "dist/lab/labfile.js"));
  const out = resolve(REPO, o.out);
  mkdirSync(out, { recursive: true });
  const ansible = o.tools.some((t) => t.startsWith("ansible")) ? ensureAnsible(log) : undefined;
  const meta = machineMeta(o, ansible);
  const runs = [];
  const applyRows = [];
  const latencyRows = [];

  for (const n of o.hosts) {
    log(`lab: ${n} node(s) in ${o.labDir}`);
    const t0 = Date.now();
    await labDown(o.labDir); // a bench lab left by an interrupted run (this dir is the bench's own)
    // python on the nodes only for ansible's command-module configurations (raw, remedy and the floor need none)
    const python = n <= SLOW_ANSIBLE_MAX_HOSTS && ansibleConfigs(n).some((c) => c.needsPython && o.tools.includes(c.id));
    const lab = await labUp({ dir: o.labDir, ...osSplit(n, o.os), startIndex: o.startIndex, bootDelayMs: 300, timeoutMs: 120_000 + n * 1000, python });
    log(`lab up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    try {
      const state = readSupervisorState(o.labDir);
      const sshdPids = lab.nodes.map((x) => state?.nodes[x.name]?.sshdPid).filter((p) => p > 0);
      const expected = new Map(lab.nodes.map((x) => [x.name, expectedAnswers(nodeFiles(x.root))]));
      const tools = toolSet(o.tools, n, lab, python && nodeHasPython(lab));
      await warmUp(n, lab);
      for (let r = 0; r < o.repeat; r++) {
        for (const tool of interleave(tools, r)) {
          const row = await timeTool(tool, { n, r, lab, sshdPids, expected });
          runs.push(row);
          log(`${n} hosts, ${tool.id} #${r + 1}: ${row.status}${row.status === "skipped" ? "" : ` ${(row.wallMs / 1000).toFixed(2)} s, ${row.hostsVerified}/${n} verified${row.problems.length ? `; ${row.problems[0]}` : ""}`}`);
        }
      }
      if (o.latency.length && o.latencyHosts.includes(n)) {
        latencyRows.push(...(await timeLatency(tools, o.latency, { n, lab, sshdPids, expected })));
      }
      if (o.apply) applyRows.push(...(await timeApply(n, lab, sshdPids)));
      if (o.saturate) {
        // a fresh lab: the apply above changed the nodes, and the probes' answers were read before it
        await labDown(o.labDir);
        const lab2 = await labUp({ dir: o.labDir, ...osSplit(n, o.os), startIndex: o.startIndex, bootDelayMs: 300, timeoutMs: 120_000 + n * 1000, python: false });
        const state2 = readSupervisorState(o.labDir);
        const sshd2 = lab2.nodes.map((x) => state2?.nodes[x.name]?.sshdPid).filter((p) => p > 0);
        const expected2 = new Map(lab2.nodes.map((x) => [x.name, expectedAnswers(nodeFiles(x.root))]));
        const burn = startBurners();
        log(`saturating: ${burn.count} CPU-burning processes`);
        try {
          const row = await timeTool({ id: "remedy-saturated", kind: "remedy" }, { n, r: 0, lab: lab2, sshdPids: sshd2, expected: expected2 });
          runs.push(row);
          log(`${n} hosts, remedy check (saturated): ${row.status} ${(row.wallMs / 1000).toFixed(2)} s, ${row.hostsVerified}/${n} verified${row.problems.length ? `; ${row.problems[0]}` : ""}`);
          if (o.apply) applyRows.push(...(await timeApply(n, lab2, sshd2, { saturated: true })));
        } finally {
          await burn.stop();
        }
      }
    } finally {
      await labDown(o.labDir);
    }
    writeOutputs(out, runs, applyRows, meta, latencyRows);
  }
  const failed = runs.filter((r) => r.status === "failed");
  log(`results in ${out}${failed.length ? `; ${failed.length} run(s) failed verification` : ""}`);
  process.exitCode = failed.some((r) => r.tool === "remedy") ? 1 : 0;
}

/** The measured configurations; command-module ansible needs python on the nodes, so it is skipped (with the reason) without. */
function toolSet(selected, n, lab, python) {
  const all = [{ id: "remedy", kind: "remedy" }, { id: "floor", kind: "floor" }, ...ansibleConfigs(n).map((c) => ({ ...c, kind: "ansible" }))];
  return all
    .filter((t) => selected.includes(t.id))
    .map((t) => (t.needsPython && !python ? { ...t, skip: "not run: lab nodes have no python, which ansible's command module needs on the target (see bench/README.md)" } : t))
    .map((t) => (t.needsPython && n > SLOW_ANSIBLE_MAX_HOSTS ? { ...t, skip: `not run above ${SLOW_ANSIBLE_MAX_HOSTS} hosts (minutes per run; ansible-raw is its fastest configuration)` } : t));
}

/** Command line of one tool run against a lab (or its proxied copy: { inventoryPath, knownHostsPath }). */
function invocation(tool, n, lab) {
  if (tool.kind === "remedy") return { cmd: process.execPath, args: [...CLI_FLAGS(), CLI, "check", tool.playbook ?? PROBES_YML, "-i", lab.inventoryPath, "--known-hosts", lab.knownHostsPath, "--json", "--forks", String(n)], cwd: REPO };
  if (tool.kind === "floor") return { cmd: process.execPath, args: [FLOOR, "-i", lab.inventoryPath, "--known-hosts", lab.knownHostsPath], cwd: REPO };
  return ansibleInvocation(tool, lab);
}

function parseToolOutput(tool, stdout) {
  if (tool.kind === "remedy") return parseRemedyEvents(stdout);
  if (tool.kind === "floor") return parseFloorLines(stdout);
  return parseAnsibleJson(stdout);
}

/**
 * One untimed floor run on a fresh lab before any timed run: the first reads of the nodes' files (rpmdb,
 * binaries, libraries: a cold page cache) would otherwise be charged to whichever tool runs first, and with
 * one repeat that is always the same tool.
 */
async function warmUp(n, lab) {
  const m = await measure({ ...invocation({ kind: "floor" }, n, lab), timeoutMs: 120_000 + n * 1000 });
  log(`${n} hosts, warm-up (floor, not recorded): exit ${m.exitCode}, ${(m.wallMs / 1000).toFixed(2)} s`);
}

/** Kills every process inside the nodes (sessions and their commands); the sshd listeners live outside. */
async function stopNodeSessions(lab) {
  const { listProcs, procsRootedUnder, killAll } = await import(join(REPO, "dist/lab/procs.js"));
  const procs = listProcs();
  for (const node of lab.nodes) killAll(procsRootedUnder(realpathSync(node.root), procs).map((p) => p.pid), "SIGKILL");
}

async function timeTool(tool, { n, r, lab, sshdPids, expected, via }) {
  const base = { hosts: n, tool: tool.id, repeat: r + 1, load1: Number(loadavg()[0].toFixed(2)) };
  if (tool.skip) return { ...base, status: "skipped", note: tool.skip, problems: [] };
  // generous: ansible's command module takes ~2-5 s per host on 2 cores; a kill is reported as such
  const timeoutMs = 120_000 + n * 10_000;
  const inv = invocation(tool, n, via ?? lab);
  const m = await measure({ ...inv, sshdPids, timeoutMs });
  const parsed = parseToolOutput(tool, m.stdout);
  const problems = [...parsed.errors];
  let verified = 0;
  for (const node of lab.nodes) {
    const got = parsed.hosts.get(node.name);
    const p = got ? verifyHost(got, expected.get(node.name)) : [`no result (${parsed.hostStatus.get(node.name) ?? "absent"})`];
    if (p.length === 0) verified++;
    else problems.push(...p.slice(0, 2).map((q) => `${node.name}: ${q}`));
  }
  if (m.timedOut) await stopNodeSessions(lab); // what the killed run left running on the nodes would skew the next tool
  if (m.timedOut) problems.unshift(`killed: still running after ${timeoutMs / 1000} s (the bench's limit: 120 s + 10 s per host)`);
  else if (m.exitCode !== 0) problems.unshift(`exit ${m.exitCode}: ${lastLine(m.stderr) || lastLine(m.stdout)}`);
  if (problems.length) saveRaw(tool.id, n, r, m);
  return {
    ...base,
    status: problems.length === 0 && verified === n ? "ok" : "failed",
    exitCode: m.exitCode,
    wallMs: m.wallMs,
    cpuUserMs: m.cpuUserMs,
    cpuSysMs: m.cpuSysMs,
    helpers: m.helpers,
    helperCpuMs: m.helperCpuMs,
    cpuMs: m.cpuUserMs + m.cpuSysMs + m.helperCpuMs,
    sshdCpuMs: m.sshdCpuMs,
    peakRssBytes: m.peakRssBytes,
    peakPssBytes: m.peakPssBytes,
    maxProcs: m.maxProcs,
    benchCpuMs: m.benchCpuMs,
    hostsVerified: verified,
    problems,
  };
}

/** A full remedy apply of the two remediation playbooks on the (still unchanged: probes are read-only) lab. */
async function timeApply(n, lab, sshdPids, { saturated = false } = {}) {
  const missing = APPLY_PLAYBOOKS.filter((p) => !existsSync(join(REPO, p)));
  if (missing.length) return [{ hosts: n, status: "skipped", note: `not run: ${missing.join(", ")} not in the repo yet` }];
  const rows = [];
  for (const pb of APPLY_PLAYBOOKS) {
    const args = [...CLI_FLAGS(), CLI, "apply", join(REPO, pb), "-i", lab.inventoryPath, "--known-hosts", lab.knownHostsPath, "--json", "--forks", String(n), "--yes"];
    const m = await measure({ cmd: process.execPath, args, cwd: REPO, sshdPids, timeoutMs: 300_000 + n * 5000 });
    const parsed = parseRemedyEvents(m.stdout);
    const bad = [...parsed.hostStatus].filter(([, s]) => s !== "ok" && s !== "changed");
    const hostsDone = lab.nodes.filter((x) => ["ok", "changed"].includes(parsed.hostStatus.get(x.name))).length;
    const note = `${pb}: ${hostsDone}/${n} hosts ok or changed${bad.length ? `; ${bad.slice(0, 3).map(([h, s]) => `${h} ${s}`).join(", ")}` : ""}`;
    if (bad.length || m.exitCode !== 0) saveRaw(`apply-${saturated ? "saturated-" : ""}${pb.replace(/\W+/g, "_")}`, n, 0, m);
    log(`${n} hosts, apply ${pb}${saturated ? " (saturated)" : ""}: exit ${m.exitCode}, ${(m.wallMs / 1000).toFixed(2)} s, ${note}`);
    rows.push({ hosts: n, saturated, playbook: pb, hostsOk: hostsDone, status: m.exitCode === 0 && hostsDone === n ? "ok" : "failed", exitCode: m.exitCode, wallMs: m.wallMs, cpuMs: m.cpuUserMs + m.cpuSysMs, sshdCpuMs: m.sshdCpuMs, peakRssBytes: m.peakRssBytes, peakPssBytes: m.peakPssBytes, note });
  }
  return rows;
}

/**
 * Latency mode: a delaying proxy in front of every node (same host keys, other port), each tool once per
 * RTT, round trips counted at the proxies. The handshake's own turns come from a bare ssh2 connect.
 */
async function timeLatency(tools, rtts, { n, lab, sshdPids, expected }) {
  const rows = [];
  const work = join(lab.dir ?? dirname(lab.inventoryPath), "latency");
  mkdirSync(work, { recursive: true });
  const files = proxiedLabFiles(readFileSync(lab.inventoryPath, "utf8"), readFileSync(lab.knownHostsPath, "utf8"), lab.nodes, LATENCY_PORT_OFFSET, join(work, "known_hosts"));
  const via = { inventoryPath: join(work, "inventory.ini"), knownHostsPath: join(work, "known_hosts") };
  writeFileSync(via.inventoryPath, files.inventory);
  writeFileSync(via.knownHostsPath, files.known);
  // remedy again with twice the steps (the 8 probes + 8 distinct copies): its round trips must not change
  const doubled = join(work, "probes-16.yml");
  writeFileSync(doubled, doubledProbes(readFileSync(PROBES_YML, "utf8")));
  if (tools.some((t) => t.id === "remedy")) tools = [...tools, { id: "remedy-16-steps", kind: "remedy", playbook: doubled }];
  for (const rttMs of rtts) {
    const proxies = await Promise.all(lab.nodes.map((x) => startLatencyProxy({ ip: x.ip, port: x.port + LATENCY_PORT_OFFSET }, { ip: x.ip, port: x.port }, rttMs)));
    const totals = () => proxies.reduce((a, p) => ({ connections: a.connections + p.stats.connections, turns: a.turns + p.stats.turns }), { connections: 0, turns: 0 });
    const reset = () => proxies.forEach((p) => p.reset());
    try {
      reset();
      const hs = await measure({ cmd: process.execPath, args: [FLOOR, "-i", via.inventoryPath, "--known-hosts", via.knownHostsPath, "--connect-only"], cwd: REPO, timeoutMs: 120_000 });
      const h = totals();
      const handshakeTurns = h.connections ? h.turns / h.connections : NaN;
      log(`${n} hosts, RTT ${rttMs} ms: a bare ssh2 handshake takes ${handshakeTurns.toFixed(1)} turns (${(hs.wallMs / 1000).toFixed(2)} s for all, exit ${hs.exitCode})`);
      for (const tool of tools) {
        if (tool.skip || tool.needsPython) {
          rows.push({ hosts: n, rttMs, tool: tool.id, status: "skipped", note: tool.skip ?? "command-module configurations: not run in latency mode" });
          continue;
        }
        reset();
        const row = await timeTool(tool, { n, r: 0, lab, sshdPids, expected, via });
        const t = totals();
        const connectionsPerHost = t.connections / n;
        const turnsPerHost = t.turns / n;
        const beyondHandshake = turnsPerHost - connectionsPerHost * handshakeTurns;
        rows.push({ hosts: n, rttMs, tool: tool.id, status: row.status, wallMs: row.wallMs, cpuMs: row.cpuMs, connectionsPerHost, turnsPerHost, handshakeTurns, beyondHandshake, hostsVerified: row.hostsVerified, note: row.problems?.[0] ?? "" });
        log(`${n} hosts, RTT ${rttMs} ms, ${tool.id}: ${row.status} ${(row.wallMs / 1000).toFixed(2)} s, ${connectionsPerHost.toFixed(1)} connection(s)/host, ${turnsPerHost.toFixed(1)} turns/host (${beyondHandshake.toFixed(1)} beyond the handshake)`);
      }
    } finally {
      await Promise.all(proxies.map((p) => p.close()));
    }
  }
  return rows;
}

/** Pure: bench/probes.yml with each step repeated under another name and a distinct (no-op prefixed) command. */
export function doubledProbes(yml) {
  const steps = yml.slice(yml.indexOf("steps:\n") + "steps:\n".length);
  const copy = steps.replace(/- name: (.+)/g, "- name: $1 (again)").replace(/run: (.+)/g, "run: true again; $1");
  return `${yml.trimEnd()}\n${copy}`;
}

function nodeHasPython(lab) {
  const node = lab.nodes[0];
  const r = spawnSync("ssh", [
    "-o", "BatchMode=yes", "-o", `UserKnownHostsFile=${lab.knownHostsPath}`, "-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=10",
    "-i", lab.clientKeyPath, "-p", String(node.port), `root@${node.ip}`,
    "command -v python3 || command -v python || command -v python2 || test -x /usr/libexec/platform-python",
  ], { encoding: "utf8" });
  if (r.status === 255) throw new Error(`bench: cannot ssh to ${node.name} (${node.ip}:${node.port}): ${r.stderr.trim()}`);
  return r.status === 0;
}

function saveRaw(tool, n, r, m) {
  const dir = join(REPO, "bench", "results", "raw");
  mkdirSync(dir, { recursive: true });
  const f = join(dir, `${tool}-${n}-${r + 1}`);
  writeFileSync(`${f}.stdout`, m.stdout);
  writeFileSync(`${f}.stderr`, m.stderr);
}

function lastLine(s) {
  return s.trim().split("\n").filter(Boolean).at(-1)?.slice(0, 300) ?? "";
}

function machineMeta(o, ansible) {
  const git = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO, encoding: "utf8" }).stdout.trim();
  const ssh = spawnSync("ssh", ["-V"], { encoding: "utf8" }).stderr.trim();
  return {
    date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
    machine: `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${ssh}, remedy ${git}`,
    ansible,
    repeat: o.repeat,
    quick: o.quick,
    hostsList: o.hosts,
    latency: o.latency,
    latencyHosts: o.latencyHosts,
    saturate: o.saturate,
    os: o.os,
    targets: TARGETS,
  };
}

export function writeOutputs(out, runs, applyRows, meta, latencyRows = []) {
  const rows = aggregate(runs);
  const q = ratios(rows, meta.targets ?? TARGETS);
  const exponents = ["remedy", "floor", "ansible-raw"].map((tool) => {
    const pts = rows.filter((r) => r.tool === tool && !r.skipped && r.failedRuns < r.runs).map((r) => ({ hosts: r.hosts, ms: r.wallMs.median }));
    const e = scalingExponent(pts);
    return Number.isFinite(e) ? `${tool} ${e.toFixed(2)} (${pts.at(-2).hosts} → ${pts.at(-1).hosts} hosts)` : undefined;
  }).filter(Boolean);
  const scaling = exponents.length ? `Scaling exponent of wall time between the two largest sizes (1 = linear, < 1 = better than linear): ${exponents.join("; ")}.` : undefined;
  const notes = [
    `Every run is verified: each host must report all ${PROBES.length} probes accepted, with the answers read from the node's own files (kernel release, sysctl values, os-release, /var/lib listing, grub count, rpm and runc presence).`,
  ];
  writeFileSync(join(out, "results.md"), renderMarkdown({ rows, ratios: q, meta: { ...meta, targets: meta.targets ?? TARGETS, scaling, notes }, applyRows, latencyRows }));
  writeFileSync(join(out, "runs.csv"), runsCsv(runs));
  writeFileSync(join(out, "summary.csv"), summaryCsv(rows));
  writeFileSync(join(out, "results.json"), JSON.stringify({ meta, runs: runs.map(({ problems, ...r }) => ({ ...r, problems: problems?.slice(0, 10) })), rows, ratios: q.map((x) => ({ hosts: x.hosts, fastest: x.fastest?.tool, speed: x.speed, vsFloor: x.vsFloor, floorSpeed: x.floorSpeed, cpu: x.cpu, memoryRss: x.memoryRss, memoryPss: x.memoryPss, met: x.met, floorMet: x.floorMet })), applyRows, latencyRows }, null, 2) + "\n");
  const series = (f) =>
    ALL_TOOLS.map((tool) => ({ name: tool, points: rows.filter((r) => r.tool === tool && !r.skipped && r.failedRuns < r.runs).map((r) => f(r)) })).filter((s) => s.points.length);
  writeFileSync(join(out, "time-vs-hosts.png"), renderChart({
    title: `wall time, ${PROBES.length} probes per host (median, min-max)`,
    yLabel: "seconds",
    series: series((r) => ({ x: r.hosts, y: r.wallMs.median / 1000, lo: r.wallMs.min / 1000, hi: r.wallMs.max / 1000 })),
  }));
  writeFileSync(join(out, "memory-vs-hosts.png"), renderChart({
    title: "peak controller memory (process tree RSS)",
    yLabel: "MB",
    series: series((r) => ({ x: r.hosts, y: r.peakRssBytes / 2 ** 20 })),
  }));
  writeFileSync(join(out, "cpu-vs-hosts.png"), renderChart({
    title: "controller CPU (user+sys, process tree)",
    yLabel: "seconds",
    series: series((r) => ({ x: r.hosts, y: r.cpuMs.median / 1000 })),
  }));
  writeFileSync(join(out, "memory-pss-vs-hosts.png"), renderChart({
    title: "peak controller memory (process tree PSS)",
    yLabel: "MB",
    series: series((r) => ({ x: r.hosts, y: r.peakPssBytes / 2 ** 20 })),
  }));
  const ratioSeries = [
    { name: "remedy/floor (wall)", points: q.filter((x) => Number.isFinite(x.vsFloor)).map((x) => ({ x: x.hosts, y: x.vsFloor })) },
    { name: "ansible/remedy (wall)", points: q.filter((x) => Number.isFinite(x.speed)).map((x) => ({ x: x.hosts, y: x.speed })) },
    { name: "ansible/floor (wall)", points: q.filter((x) => Number.isFinite(x.floorSpeed)).map((x) => ({ x: x.hosts, y: x.floorSpeed })) },
  ].filter((s) => s.points.length);
  if (ratioSeries.length) {
    writeFileSync(join(out, "ratios-vs-hosts.png"), renderChart({ title: "remedy vs the floor and ansible's fastest (ratios of median wall)", yLabel: "ratio", series: ratioSeries }));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
