// Test helper: a private lab per test file (unique dir and address range), using the built dist supervisor.
// Usage: const lab = await startLab({ el7: 1, el9: 1 }); afterAll(() => lab.stop());
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { indexSpan } from "../../src/lab/addresses.js";
import { clearFault, setFault } from "../../src/lab/control.js";
import { labDown } from "../../src/lab/down.js";
import type { Fault } from "../../src/lab/faults.js";
import { alive } from "../../src/lab/procs.js";
import { nodeEnv, type NodeOs } from "../../src/lab/rootfs.js";
import { labUp } from "../../src/lab/up.js";

export const TEST_LAB_PARENT = "/var/lib/remedy-lab-test";
const REPO = fileURLToPath(new URL("../..", import.meta.url));
export const DIST_SUPERVISOR = join(REPO, "dist", "lab", "supervisor.js");

export interface TestLabNode {
  name: string;
  ip: string;
  port: number;
  root: string;
  os: NodeOs;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestLab {
  dir: string;
  inventoryPath: string;
  knownHostsPath: string;
  clientKeyPath: string;
  nodes: TestLabNode[];
  node(name: string): TestLabNode;
  /** Runs `chroot <root> /bin/bash -c cmd` on the host side (state inspection, not over SSH). */
  exec(node: string, cmd: string): Promise<ExecResult>;
  /** Runs the ssh CLI against a node with the lab's key and known_hosts. */
  ssh(node: string, cmd: string, extraOpts?: string[]): Promise<ExecResult>;
  setFault(node: string, fault: Fault): Promise<void>;
  clearFault(node: string, key?: string): Promise<void>;
  stop(): Promise<void>;
}

export interface StartLabOptions {
  el7?: number;
  el9?: number;
  faults?: Record<string, Fault[]>;
  /** node -> `key=value` variants (src/lab/variants.ts) */
  variants?: Record<string, string[]>;
  bootDelayMs?: number;
}

export function execFileResult(file: string, args: string[], timeoutMs = 60_000, env: NodeJS.ProcessEnv = process.env): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(file, args, { encoding: "utf8", timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024, env }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 255) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Reserves a dir and an address range no other running test lab uses (lock = exclusive mkdir). */
function reserve(nodes: number): { dir: string; startIndex: number } {
  mkdirSync(TEST_LAB_PARENT, { recursive: true, mode: 0o755 });
  chmodSync(TEST_LAB_PARENT, 0o755);
  const lock = join(TEST_LAB_PARENT, ".lock");
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > until) rmdirSync(lock); // stale lock of a killed run
    }
  }
  try {
    const used: Array<[number, number]> = [];
    for (const e of readdirSync(TEST_LAB_PARENT)) {
      const f = join(TEST_LAB_PARENT, e, "reservation.json");
      if (!existsSync(f)) continue;
      const r = JSON.parse(readFileSync(f, "utf8")) as { startIndex: number; span: number };
      used.push([r.startIndex, r.startIndex + r.span]);
    }
    let start = 1024; // below: the default lab (127.77.0.x)
    for (const [a, b] of used.sort((x, y) => x[0] - y[0])) if (start + indexSpan(nodes, start) > a && start < b) start = b;
    const dir = join(TEST_LAB_PARENT, Math.random().toString(36).slice(2, 10));
    mkdirSync(dir, { mode: 0o755 });
    writeFileSync(join(dir, "reservation.json"), JSON.stringify({ startIndex: start, span: indexSpan(nodes, start), pid: process.pid }));
    return { dir, startIndex: start };
  } finally {
    rmdirSync(lock);
  }
}

/** Labs of test processes that died without stopping them (their reservation pid is gone). */
async function reapStaleLabs(): Promise<void> {
  if (!existsSync(TEST_LAB_PARENT)) return;
  for (const e of readdirSync(TEST_LAB_PARENT)) {
    const f = join(TEST_LAB_PARENT, e, "reservation.json");
    if (!existsSync(f)) continue;
    const { pid } = JSON.parse(readFileSync(f, "utf8")) as { pid: number };
    if (!alive(pid)) await labDown(join(TEST_LAB_PARENT, e)).catch(() => undefined);
  }
}

/**
 * Processes of test labs whose directory is gone (a test process killed before its lab could stop: its
 * supervisor and sshds live on and hold their addresses, which the next lab would get "Address already in
 * use" on). Their command lines name files under TEST_LAB_PARENT/<lab>/.
 */
function killOrphans(): void {
  const prefix = `${TEST_LAB_PARENT}/`;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ");
    } catch {
      continue; // gone meanwhile
    }
    const at = cmd.indexOf(prefix);
    if (at < 0) continue;
    const lab = cmd.slice(at + prefix.length).split(/[/ ]/)[0];
    if (!lab || existsSync(join(TEST_LAB_PARENT, lab))) continue;
    try {
      process.kill(Number(entry), "SIGKILL");
    } catch {
      // already gone, or not ours to kill
    }
  }
}

export async function startLab(o: StartLabOptions = {}): Promise<TestLab> {
  await reapStaleLabs();
  killOrphans();
  const el7 = o.el7 ?? 1;
  const el9 = o.el9 ?? 1;
  if (!existsSync(DIST_SUPERVISOR)) throw new Error(`${DIST_SUPERVISOR} missing: run \`npm run build\` before the lab tests`);
  const { dir, startIndex } = reserve(el7 + el9);
  let info;
  try {
    info = await labUp({
      dir,
      el7,
      el9,
      startIndex,
      faults: o.faults,
      variants: o.variants,
      bootDelayMs: o.bootDelayMs ?? 300,
      supervisorPath: DIST_SUPERVISOR,
      toolsDir: join(REPO, "dist", "lab", "tools"),
    });
  } catch (e) {
    await labDown(dir).catch(() => undefined);
    throw e;
  }
  const nodes = info.nodes.map(({ name, ip, port, root, os }) => ({ name, ip, port, root, os }));
  const node = (name: string) => {
    const n = nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no lab node ${name}`);
    return n;
  };
  let stopped = false;
  return {
    dir,
    inventoryPath: info.inventoryPath,
    knownHostsPath: info.knownHostsPath,
    clientKeyPath: info.clientKeyPath,
    nodes,
    node,
    exec: (name, cmd) => execFileResult("chroot", [node(name).root, "/bin/bash", "-c", cmd], 60_000, nodeEnv()),
    ssh: (name, cmd, extra = []) => {
      const n = node(name);
      return execFileResult("ssh", [
        "-o", "BatchMode=yes", "-o", `UserKnownHostsFile=${info.knownHostsPath}`, "-o", "StrictHostKeyChecking=yes",
        "-o", "ConnectTimeout=5", "-o", "LogLevel=ERROR", "-i", info.clientKeyPath, "-p", String(n.port), ...extra, `root@${n.ip}`, cmd,
      ]);
    },
    setFault: (name, fault) => setFault(dir, name, fault),
    clearFault: (name, key) => clearFault(dir, name, key),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await labDown(dir);
    },
  };
}
