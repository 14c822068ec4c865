// Shared helpers for the rolling-remediation e2e tests: lab state the tests assert on (kubectl view on the
// control-plane node, reboots seen by the node tools, markers) and a reset between tests.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestLab } from "../../helpers/lab.js";
import { loadInventory, resolvePattern } from "../../../src/inventory/index.js";

export const REPO = fileURLToPath(new URL("../../..", import.meta.url));
export const BIN = join(REPO, "dist", "cli", "main.js");
export const ROLLING_PB = join(REPO, "test", "fixtures", "rolling", "rolling-reboot.yml");
export const FAULTS_PB = join(REPO, "test", "fixtures", "rolling", "reboot-faults.yml");
export const COMPLIANT_PB = join(REPO, "test", "fixtures", "rolling", "reboot-compliant.yml");
export const SLOW_PB = join(REPO, "test", "fixtures", "rolling", "slow-apply.yml");
/** groups.kube_control_plane[0] of the lab inventory: where kubectl runs */
export const CP = "el7-node01";
export const MARKER = "/var/lib/rolling-done";
const KUBE_NODES = "/var/lib/lab-kube/nodes";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A copy of a fixture playbook (written into dir) whose one reboot step has another timeout / stability window:
 * for tests whose subject is neither, so they do not wait out a budget or a window longer than they need.
 */
export function withReboot(pb: string, dir: string, reboot: { timeout: number; stable_for: number }): string {
  const src = readFileSync(pb, "utf8");
  const line = /- reboot: \{ timeout: \d+, stable_for: \d+ \}/g;
  if ((src.match(line) ?? []).length !== 1) throw new Error(`${pb}: expected exactly one "- reboot: { timeout: N, stable_for: N }" line`);
  const out = join(dir, `${reboot.timeout}s-${reboot.stable_for}s-${pb.split("/").pop()}`);
  writeFileSync(out, src.replace(line, `- reboot: { timeout: ${reboot.timeout}, stable_for: ${reboot.stable_for} }`));
  return out;
}

/** Hosts of the playbook pattern in the order the engine sees them. */
export async function playbookHosts(inventoryPath: string): Promise<string[]> {
  return resolvePattern(await loadInventory(inventoryPath), "k8s_cluster");
}

/** Nodes the control plane's kubectl shows as SchedulingDisabled (parsed from `kubectl get nodes`). */
export async function cordonedNodes(lab: TestLab): Promise<string[]> {
  const r = await lab.exec(CP, "kubectl get nodes");
  if (r.code !== 0) throw new Error(`kubectl get nodes on ${CP} failed: ${r.stderr}`);
  return r.stdout
    .split("\n")
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1]?.includes("SchedulingDisabled"))
    .map((f) => f[0]!)
    .sort();
}

export interface Invocation {
  ms: number;
  tool: string;
  args: string;
}

/** `/.lab/invocations.log` of a node: every simulated tool call (kubectl on the CP, shutdown on each node). */
export async function invocations(lab: TestLab, node: string, tool?: string): Promise<Invocation[]> {
  const r = await lab.exec(node, "cat /.lab/invocations.log 2>/dev/null || true");
  return r.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const [ms, t, ...rest] = l.split(" ");
      return { ms: Number(ms), tool: t!, args: rest.join(" ") };
    })
    .filter((i) => !tool || i.tool === tool);
}

export const rebootsOf = async (lab: TestLab, node: string) => (await invocations(lab, node, "shutdown")).filter((i) => /^-r\b/.test(i.args));

/** kubectl calls on the control plane about one node: [{verb, ms}] in order (our own `get nodes` excluded). */
export async function kubeCallsFor(lab: TestLab, node: string): Promise<Array<{ verb: string; ms: number }>> {
  return (await invocations(lab, CP, "kubectl"))
    .map((i) => ({ ms: i.ms, words: i.args.split(" ") }))
    .filter((i) => ["drain", "cordon", "uncordon"].includes(i.words[0]!) && i.words[1] === node)
    .map((i) => ({ verb: i.words[0]!, ms: i.ms }));
}

export const hasMarker = async (lab: TestLab, node: string) => (await lab.exec(node, `test -f ${MARKER}`)).code === 0;
export const bootId = async (lab: TestLab, node: string) => (await lab.exec(node, "cat /proc/sys/kernel/random/boot_id")).stdout.trim();

/** Waits until the node answers over ssh (after a reboot or a cleared fault). */
export async function waitUp(lab: TestLab, node: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await lab.ssh(node, "true");
    if (r.code === 0) return;
    if (Date.now() > end) throw new Error(`lab node ${node} not up after ${timeoutMs} ms: ${r.stderr}`);
    await sleep(250);
  }
}

/** Every node back to "needs the playbook": no faults, up, no marker, empty invocation log, nothing cordoned. */
export async function resetLab(lab: TestLab): Promise<void> {
  for (const n of lab.nodes) await lab.clearFault(n.name);
  await Promise.all(lab.nodes.map((n) => waitUp(lab, n.name)));
  for (const n of lab.nodes) {
    const kube = n.name === CP ? `; for f in ${KUBE_NODES}/*; do [ -f "$f" ] && sed -i '/^drain=/d; s/^unschedulable=.*/unschedulable=false/' "$f"; done` : "";
    const r = await lab.exec(n.name, `rm -f ${MARKER} /var/lib/rolling-slow /var/lib/rolling-next; cat /proc/sys/kernel/random/boot_id > /var/lib/rolling-boot-before; : > /.lab/invocations.log${kube}`);
    if (r.code !== 0) throw new Error(`reset of ${n.name} failed: ${r.stderr}`);
  }
}

export type Ev = Record<string, unknown> & { type: string };

/** The real bin as a child process, its JSON-lines stdout parsed as it arrives. */
export interface Spawned {
  child: ChildProcess;
  events: Ev[];
  stdout: () => string;
  stderr: () => string;
  /** resolves with the first event (seen so far or later) that satisfies pred */
  waitFor(pred: (e: Ev) => boolean, timeoutMs?: number): Promise<Ev>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnBin(args: string[], cwd: string): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  let partial = "";
  const events: Ev[] = [];
  const waiters: Array<{ pred: (e: Ev) => boolean; resolve: (e: Ev) => void }> = [];
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    partial += d.toString();
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    for (const l of lines) {
      if (!l.startsWith("{")) continue;
      const e = JSON.parse(l) as Ev;
      events.push(e);
      for (const w of [...waiters]) if (w.pred(e)) waiters.splice(waiters.indexOf(w), 1), w.resolve(e);
    }
  });
  child.stderr!.on("data", (d: Buffer) => void (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return {
    child,
    events,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pred, timeoutMs = 60_000) {
      const seen = events.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms; stderr: ${err}`)), timeoutMs);
        waiters.push({ pred, resolve: (e) => (clearTimeout(t), resolve(e)) });
        void exited.then(() => setTimeout(() => reject(new Error(`the process exited before a matching event; stderr: ${err}`)), 100));
      });
    },
  };
}
