// `lab up`: build the base, keys, node roots and configs, then start the detached supervisor.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LabError } from "../errors.js";
import { planNodes, type NodePlan } from "./addresses.js";
import { checkFault, interpretFaults, type Fault } from "./faults.js";
import { generateKey } from "./keys.js";
import { readLabInfo, readSupervisorState, writeJsonAtomic, type LabInfo, type LabNode } from "./labfile.js";
import { DEFAULT_LAB_DIR, DEFAULT_SSH_PORT, defaultToolsDir, labCodeDir, labPaths, nodePaths } from "./paths.js";
import { alive } from "./procs.js";
import { knownHostsLine, renderInventory, renderSshdConfig } from "./render.js";
import { buildBase, createNodeRoots, ensureSafeChain } from "./rootfs.js";
import { pool } from "./run.js";
import { checkVariant } from "./variants.js";
import { labDown } from "./down.js";
import { canConnect } from "./tcp.js";
import { provisionLab, type ProvisionOptions } from "./provision.js";

export { canConnect };

export interface LabUpOptions {
  dir?: string;
  el7: number;
  el9: number;
  /** sshd port of every node (each node has its own address). Default 2222. */
  basePort?: number;
  /** First address index (127.77.x.y); lets several labs coexist. Default 1. */
  startIndex?: number;
  faults?: Record<string, readonly Fault[]>;
  /** node name -> `key=value` variants (variants.ts), e.g. { "el7-node01": ["firmware=uefi", "iface=ens18"] } */
  variants?: Record<string, readonly string[]>;
  bootDelayMs?: number;
  rebootGraceMs?: number;
  toolsDir?: string;
  /** add Debian's python3 to the nodes (benchmarks against ansible's command module); off by default */
  python?: boolean;
  /** false: run lab-init on every node instead of copying a booted template node (see clone.ts) */
  clone?: boolean;
  /** Compiled supervisor.js; default: next to this file, else <repo>/dist/lab/supervisor.js. */
  supervisorPath?: string;
  /** How long the nodes' sshd may take to come up once the roots are built and booted. */
  timeoutMs?: number;
  /** Called after each phase with its duration (for `lab up` timing output and benchmarks). */
  onPhase?: (phase: string, ms: number) => void;
  /** root check and package installation (tests inject the sshd path, installer and root check) */
  provision?: ProvisionOptions;
}

export function supervisorScript(): string {
  const here = join(labCodeDir(), "supervisor.js");
  if (existsSync(here)) return here;
  const dist = join(labCodeDir(), "..", "..", "dist", "lab", "supervisor.js");
  if (existsSync(dist)) return dist;
  throw new LabError(`lab: ${dist} not found; run \`npm run build\` first`);
}

/** Root or refuse; missing Debian packages installed with apt-get (see provision.ts). */
export async function checkLabPrerequisites(o: ProvisionOptions = {}): Promise<void> {
  await provisionLab(o);
}

export async function labUp(o: LabUpOptions): Promise<LabInfo> {
  const dir = o.dir ?? DEFAULT_LAB_DIR;
  await checkLabPrerequisites(o.provision);
  const previous = readLabInfo(dir);
  if (previous && alive(previous.supervisorPid)) throw new LabError(`lab: a lab is already up in ${dir}; run \`remedy lab down\` first`);
  if (previous || existsSync(labPaths(dir).nodes)) await labDown(dir); // leftovers of a crashed lab
  ensureSafeChain(dir);
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 }); // sshd's privilege separation dir
  try {
    return await bringUp(dir, o);
  } catch (e) {
    // Leave no sshd or mount behind; keep the files (logs) for a look.
    await labDown(dir, { keepDir: true }).catch(() => undefined);
    throw e;
  }
}

async function bringUp(dir: string, o: LabUpOptions): Promise<LabInfo> {
  let mark = Date.now();
  const phase = (name: string) => {
    o.onPhase?.(name, Date.now() - mark);
    mark = Date.now();
  };
  const port = o.basePort ?? DEFAULT_SSH_PORT;
  const plan = planNodes(o.el7, o.el9, port, o.startIndex ?? 1);
  const faults = o.faults ?? {};
  for (const [name, list] of Object.entries(faults)) {
    if (!plan.some((n) => n.name === name)) throw new LabError(`lab: fault for unknown node ${name}`);
    list.forEach(checkFault);
  }
  const variants = o.variants ?? {};
  for (const [name, list] of Object.entries(variants)) {
    if (!plan.some((n) => n.name === name)) throw new LabError(`lab: variant for unknown node ${name}`);
    list.forEach(checkVariant);
  }
  const paths = labPaths(dir);
  buildBase(dir, o.toolsDir ?? defaultToolsDir(), { python: o.python });
  phase("base");

  const clientPub = await generateKey(paths.clientKey, "remedy-lab-client");
  writeFileSync(paths.authorizedKeys, clientPub);
  for (const n of plan) mkdirSync(nodePaths(dir, n.name).dir, { recursive: true, mode: 0o755 });
  const hostPubs = await pool(plan, 8, (n) => generateKey(nodePaths(dir, n.name).hostKey, n.name));
  phase("keys");
  await createNodeRoots(
    dir,
    plan.map((n) => ({ name: n.name, os: n.os, ip: n.ip, faults: faults[n.name] ?? [], variants: (variants[n.name] ?? []).map(checkVariant) })),
    8,
    () => phase("roots"),
    { clone: o.clone },
  );
  phase("lab-init");

  for (const n of plan) writeFileSync(nodePaths(dir, n.name).sshdConfig, sshdConfigFor(dir, n));
  writeFileSync(paths.knownHosts, plan.map((n, i) => knownHostsLine(n.ip, n.port, hostPubs[i] ?? "") + "\n").join(""));
  writeFileSync(paths.inventory, renderInventory(plan, { clientKey: paths.clientKey, knownHosts: paths.knownHosts }));
  const nodes: LabNode[] = plan.map((n) => ({ ...n, root: nodePaths(dir, n.name).root, dir: nodePaths(dir, n.name).dir }));
  const info: LabInfo = {
    dir,
    inventoryPath: paths.inventory,
    knownHostsPath: paths.knownHosts,
    clientKeyPath: paths.clientKey,
    nodes,
    supervisorPid: 0,
    bootDelayMs: o.bootDelayMs ?? 1500,
    rebootGraceMs: o.rebootGraceMs ?? 100,
    startIndex: o.startIndex ?? 1,
    createdAt: new Date().toISOString(),
  };
  writeJsonAtomic(paths.labJson, info);

  const logFd = openSync(paths.supervisorLog, "a");
  const child = spawn(process.execPath, [o.supervisorPath ?? supervisorScript(), dir], {
    detached: true,
    stdio: ["ignore", logFd, logFd],
    cwd: "/",
  });
  closeSync(logFd);
  child.unref();
  if (!child.pid) throw new LabError(`lab: could not start the supervisor (see ${paths.supervisorLog})`);
  info.supervisorPid = child.pid;
  writeJsonAtomic(paths.labJson, info);

  // The roots are built and booted by now; what is left is sshd binding its address on every node.
  const deadline = Date.now() + (o.timeoutMs ?? 30_000 + plan.length * 300);
  await waitUntilUp(info, faults, deadline);
  phase("sshd");
  return info;
}

function sshdConfigFor(dir: string, n: NodePlan): string {
  const p = nodePaths(dir, n.name);
  return renderSshdConfig({ listen: `${n.ip}:${n.port}`, root: p.root, hostKey: p.hostKey, authorizedKeys: labPaths(dir).authorizedKeys, pidFile: p.sshdPid });
}

/** Every node whose faults let it come up accepts TCP; the others have left "booting". */
async function waitUntilUp(info: LabInfo, faults: Record<string, readonly Fault[]>, deadline: number): Promise<void> {
  const expectUp = info.nodes.filter((n) => {
    const f = interpretFaults(faults[n.name] ?? []);
    return !f.unreachable && !f.panic;
  });
  const pending = new Set(expectUp.map((n) => n.name));
  // the deadline moves on while nodes keep coming up: a loaded machine is slow, not broken (a stuck node
  // still fails after a quiet stretch as long as the whole budget)
  const quietMs = Math.max(0, deadline - Date.now());
  let lastProgress = Date.now();
  let lastCount = -1;
  for (;;) {
    if (!alive(info.supervisorPid)) {
      throw new LabError(`lab: the supervisor exited during start; see ${labPaths(info.dir).supervisorLog}:\n${tail(labPaths(info.dir).supervisorLog)}`);
    }
    const state = readSupervisorState(info.dir);
    const checks = expectUp.filter((n) => pending.has(n.name) && state?.nodes[n.name]?.state === "up");
    const ok = await Promise.all(checks.map((n) => canConnect(n.ip, n.port)));
    checks.forEach((n, i) => ok[i] && pending.delete(n.name));
    const booting = info.nodes.some((n) => (state?.nodes[n.name]?.state ?? "booting") === "booting");
    if (pending.size === 0 && !booting) return;
    const count = pending.size + info.nodes.filter((n) => (state?.nodes[n.name]?.state ?? "booting") === "booting").length;
    if (count !== lastCount) [lastCount, lastProgress] = [count, Date.now()];
    if (Date.now() > Math.max(deadline, lastProgress + quietMs)) {
      // the lab dir may be removed after this error: say here what its logs say
      const first = [...pending][0];
      const states = [...pending].slice(0, 10).map((n) => `${n} (${state?.nodes[n]?.state ?? "no state"})`);
      throw new LabError(
        `lab: nodes not up in time: ${states.join(", ")}${pending.size > 10 ? "..." : ""} (see ${info.dir}/nodes/<name>/sshd.log)` +
          `\nsupervisor log:\n${tail(labPaths(info.dir).supervisorLog)}` +
          (first ? `\n${first} sshd.log:\n${tail(nodePaths(info.dir, first).sshdLog)}` : ""),
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-20).join("\n");
  } catch {
    return "";
  }
}
