#!/usr/bin/env node
// `npm run bench`: per lab size N, times remedy `check` and three ansible-playbook configurations on
// the same 8 read-only probes (interleaved, repeated), verifies every host's answers, times a full
// remedy `apply`, and writes bench/results/{results.md,runs.csv,summary.csv,results.json,*.png}.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ALL_TOOLS, USAGE, interleave, osSplit, parseArgs } from "./lib/args.mjs";
import { ansibleConfigs, ansibleInvocation, ensureAnsible } from "./lib/ansible.mjs";
import { renderChart } from "./lib/chart.mjs";
import { measure } from "./lib/measure.mjs";
import { parseAnsibleJson, parseRemedyEvents } from "./lib/parse.mjs";
import { PROBES, expectedAnswers, nodeFiles, verifyHost } from "./lib/probes.mjs";
import { renderMarkdown, runsCsv, summaryCsv } from "./lib/report.mjs";
import { aggregate, ratios, scalingExponent } from "./lib/stats.mjs";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(REPO, "dist", "cli", "main.js");
const PROBES_YML = join(REPO, "bench", "probes.yml");
const APPLY_PLAYBOOKS = ["playbooks/ethtool-offload.yml", "playbooks/sysctl-revert.yml"];
const TARGETS = { speed: 10, memory: 1 / 3 };
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

  for (const n of o.hosts) {
    log(`lab: ${n} node(s) in ${o.labDir}`);
    const t0 = Date.now();
    await labDown(o.labDir); // a bench lab left by an interrupted run (this dir is the bench's own)
    const lab = await labUp({ dir: o.labDir, ...osSplit(n, o.os), startIndex: o.startIndex, bootDelayMs: 300, timeoutMs: 120_000 + n * 1000, python: true });
    log(`lab up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    try {
      const state = readSupervisorState(o.labDir);
      const sshdPids = lab.nodes.map((x) => state?.nodes[x.name]?.sshdPid).filter((p) => p > 0);
      const expected = new Map(lab.nodes.map((x) => [x.name, expectedAnswers(nodeFiles(x.root))]));
      const python = nodeHasPython(lab);
      const tools = toolSet(o.tools, n, lab, python);
      for (let r = 0; r < o.repeat; r++) {
        for (const tool of interleave(tools, r)) {
          const row = await timeTool(tool, { n, r, lab, sshdPids, expected });
          runs.push(row);
          log(`${n} hosts, ${tool.id} #${r + 1}: ${row.status}${row.status === "skipped" ? "" : ` ${(row.wallMs / 1000).toFixed(2)} s, ${row.hostsVerified}/${n} verified${row.problems.length ? `; ${row.problems[0]}` : ""}`}`);
        }
      }
      if (o.apply) applyRows.push(...(await timeApply(n, lab, sshdPids)));
    } finally {
      await labDown(o.labDir);
    }
    writeOutputs(out, runs, applyRows, meta);
  }
  const failed = runs.filter((r) => r.status === "failed");
  log(`results in ${out}${failed.length ? `; ${failed.length} run(s) failed verification` : ""}`);
  process.exitCode = failed.some((r) => r.tool === "remedy") ? 1 : 0;
}

/** The measured configurations; command-module ansible needs python on the nodes, so it is skipped (with the reason) without. */
function toolSet(selected, n, lab, python) {
  const all = [{ id: "remedy", kind: "remedy" }, ...ansibleConfigs(n).map((c) => ({ ...c, kind: "ansible" }))];
  return all
    .filter((t) => selected.includes(t.id))
    .map((t) => (t.needsPython && !python ? { ...t, skip: "not run: lab nodes have no python, which ansible's command module needs on the target (see bench/README.md)" } : t));
}

/** Kills every process inside the nodes (sessions and their commands); the sshd listeners live outside. */
async function stopNodeSessions(lab) {
  const { listProcs, procsRootedUnder, killAll } = await import(join(REPO, "dist/lab/procs.js"));
  const procs = listProcs();
  for (const node of lab.nodes) killAll(procsRootedUnder(realpathSync(node.root), procs).map((p) => p.pid), "SIGKILL");
}

async function timeTool(tool, { n, r, lab, sshdPids, expected }) {
  const base = { hosts: n, tool: tool.id, repeat: r + 1, load1: Number(loadavg()[0].toFixed(2)) };
  if (tool.skip) return { ...base, status: "skipped", note: tool.skip, problems: [] };
  // generous: ansible's command module takes ~2-5 s per host on 2 cores; a kill is reported as such
  const timeoutMs = 120_000 + n * 10_000;
  const inv =
    tool.kind === "remedy"
      ? { cmd: process.execPath, args: [CLI, "check", PROBES_YML, "-i", lab.inventoryPath, "--known-hosts", lab.knownHostsPath, "--json", "--forks", String(n)], cwd: REPO }
      : ansibleInvocation(tool, lab);
  const m = await measure({ ...inv, sshdPids, timeoutMs });
  const parsed = tool.kind === "remedy" ? parseRemedyEvents(m.stdout) : parseAnsibleJson(m.stdout);
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
async function timeApply(n, lab, sshdPids) {
  const missing = APPLY_PLAYBOOKS.filter((p) => !existsSync(join(REPO, p)));
  if (missing.length) return [{ hosts: n, status: "skipped", note: `not run: ${missing.join(", ")} not in the repo yet` }];
  const rows = [];
  for (const pb of APPLY_PLAYBOOKS) {
    const args = [CLI, "apply", join(REPO, pb), "-i", lab.inventoryPath, "--known-hosts", lab.knownHostsPath, "--json", "--forks", String(n), "--yes"];
    const m = await measure({ cmd: process.execPath, args, cwd: REPO, sshdPids, timeoutMs: 300_000 + n * 5000 });
    const parsed = parseRemedyEvents(m.stdout);
    const bad = [...parsed.hostStatus].filter(([, s]) => s !== "ok" && s !== "changed");
    const hostsDone = lab.nodes.filter((x) => ["ok", "changed"].includes(parsed.hostStatus.get(x.name))).length;
    const note = `${pb}: ${hostsDone}/${n} hosts ok or changed${bad.length ? `; ${bad.slice(0, 3).map(([h, s]) => `${h} ${s}`).join(", ")}` : ""}`;
    if (bad.length || m.exitCode !== 0) saveRaw(`apply-${pb.replace(/\W+/g, "_")}`, n, 0, m);
    log(`${n} hosts, apply ${pb}: exit ${m.exitCode}, ${(m.wallMs / 1000).toFixed(2)} s, ${note}`);
    rows.push({ hosts: n, status: m.exitCode === 0 && hostsDone === n ? "ok" : "failed", exitCode: m.exitCode, wallMs: m.wallMs, cpuMs: m.cpuUserMs + m.cpuSysMs, sshdCpuMs: m.sshdCpuMs, peakRssBytes: m.peakRssBytes, note });
  }
  return rows;
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
    hostsList: o.hosts,
    os: o.os,
    targets: TARGETS,
  };
}

export function writeOutputs(out, runs, applyRows, meta) {
  const rows = aggregate(runs);
  const q = ratios(rows, TARGETS);
  const remedyPts = rows.filter((r) => r.tool === "remedy" && !r.skipped).map((r) => ({ hosts: r.hosts, ms: r.wallMs.median }));
  const e = scalingExponent(remedyPts);
  const scaling = Number.isFinite(e)
    ? `remedy scaling exponent between ${remedyPts.at(-2).hosts} and ${remedyPts.at(-1).hosts} hosts: ${e.toFixed(2)} (1 = linear, < 1 = better than linear).`
    : undefined;
  const notes = [
    `Every run is verified: each host must report all ${PROBES.length} probes accepted, with the answers read from the node's own files (kernel release, sysctl values, os-release, /var/lib listing, grub count, rpm and runc presence).`,
  ];
  writeFileSync(join(out, "results.md"), renderMarkdown({ rows, ratios: q, meta: { ...meta, scaling, notes }, applyRows }));
  writeFileSync(join(out, "runs.csv"), runsCsv(runs));
  writeFileSync(join(out, "summary.csv"), summaryCsv(rows));
  writeFileSync(join(out, "results.json"), JSON.stringify({ meta, runs: runs.map(({ problems, ...r }) => ({ ...r, problems: problems?.slice(0, 10) })), rows, ratios: q.map((x) => ({ hosts: x.hosts, fastest: x.fastest?.tool, speed: x.speed, memoryRss: x.memoryRss, memoryPss: x.memoryPss, met: x.met })), applyRows }, null, 2) + "\n");
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
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
