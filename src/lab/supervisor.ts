// The lab supervisor: one detached process owning every node's sshd (started by labUp, stopped by labDown).
// It starts the nodes lab-init has booted, performs reboots requested through /.lab/reboot-request, and applies faults
// from /.lab/faults at start and on SIGHUP. Usage: node dist/lab/supervisor.js <labDir>
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, copyFileSync, existsSync, openSync, readFileSync, readSync, realpathSync, rmSync, statSync, watch, writeFileSync, type FSWatcher } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { mountDiskFull, unmountDiskFull } from "./diskfull.js";
import { interpretFaults, parseFaultLines, type Fault, type FaultSet } from "./faults.js";
import { generateKey } from "./keys.js";
import { readLabInfo, writeJsonAtomic, type LabInfo, type LabNode, type NodeRunState, type SupervisorState } from "./labfile.js";
import { panicLines, sendPanic } from "./panic.js";
import { labPaths, nodePaths } from "./paths.js";
import { descendants, killAll, listProcs, procsRootedUnder, waitGone } from "./procs.js";
import { renderSshdConfig } from "./render.js";
import { nodeEnv, randomUuid } from "./rootfs.js";
import { pool, run } from "./run.js";
import { startSlowProxy, type SlowProxy } from "./slow-proxy.js";
import { waitListening } from "./tcp.js";
import { SSHD, sshdAcceptsNoReexec, sshdArgs } from "./sshd-args.js";

/** Where sshd really listens while a slow proxy owns the node's address. */
const INTERNAL_PORT_OFFSET = 10000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stderr.write(`${new Date().toISOString()} ${msg}\n`);

class NodeRunner {
  state: NodeRunState = "booting";
  boots = 0;
  applied: Fault[] = [];
  private sshd: ChildProcess | null = null;
  private proxy: SlowProxy | null = null;
  private proxiedMs = 0;
  private diskFull = false;
  private hostkeyChanged = false;
  private panicked = false;
  /** Down for good after a reboot=never / die-after reboot (until that fault is cleared). */
  private halted = false;
  private dieTimer: NodeJS.Timeout | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly paths;
  private readonly realRoot: string;

  constructor(private readonly lab: LabInfo, readonly node: LabNode, private readonly changed: () => void) {
    this.paths = nodePaths(lab.dir, node.name);
    this.realRoot = realpathSync(this.paths.root);
  }

  /** Serialises every operation on this node. */
  enqueue<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    const next = this.queue.then(fn).catch((e: unknown) => {
      log(`${this.node.name}: ${what} failed: ${e instanceof Error ? e.stack : String(e)}`);
      return undefined;
    });
    this.queue = next.finally(() => this.changed());
    return next;
  }

  snapshot() {
    return {
      state: this.state,
      sshdPid: this.sshd?.pid ?? null,
      boots: this.boots,
      faults: this.applied,
      diskFull: this.diskFull,
      proxied: this.proxy !== null,
    };
  }

  private faults(): { lines: Fault[]; set: FaultSet } {
    const lines = existsSync(this.paths.faults) ? parseFaultLines(readFileSync(this.paths.faults, "utf8")) : [];
    return { lines, set: interpretFaults(lines) };
  }

  /** Start at lab up: lab-init has just booted the node (it runs lab-boot itself), so only apply faults and start sshd. */
  firstBoot(): Promise<unknown> {
    return this.enqueue("boot", async () => {
      this.boots++;
      await this.reconcile();
    });
  }

  reload(): Promise<unknown> {
    return this.enqueue("reload", () => this.reconcile());
  }

  reboot(): Promise<unknown> {
    return this.enqueue("reboot", async () => {
      if (this.state !== "up") return; // a down or dead node cannot run `reboot`
      this.state = "rebooting";
      this.changed();
      await sleep(this.lab.rebootGraceMs);
      await this.killNode();
      const { set } = this.faults();
      if (set.reboot.kind === "never") {
        this.halted = true;
        this.state = "down";
        return;
      }
      await this.labBoot(set);
      await sleep(this.lab.bootDelayMs);
      await this.reconcile();
      if (set.reboot.kind === "die-after" && (this.state as NodeRunState) === "up") {
        const seconds = set.reboot.seconds;
        const die = () =>
          void this.enqueue("die-after", async () => {
            this.halted = true;
            await this.killNode();
            this.state = "dead";
          });
        // S seconds after the first SSH session of the new boot (the node is seen up, then dies), not after
        // the boot itself: a busy controller may take longer than S to reconnect, and then never sees it up
        const log = this.paths.sshdLog;
        const from = existsSync(log) ? statSync(log).size : 0;
        const watchSessions = setInterval(() => {
          if (!acceptedSince(log, from)) return;
          clearInterval(watchSessions);
          this.dieTimer = setTimeout(die, seconds * 1000);
        }, 100);
        this.dieTimer = watchSessions;
      }
    });
  }

  /** Makes processes, mounts and keys match the faults file. */
  private async reconcile(): Promise<void> {
    const { lines, set } = this.faults();
    if (set.diskFull !== this.diskFull) {
      if (set.diskFull) await mountDiskFull(this.realRoot, this.paths.diskFull);
      else await unmountDiskFull(this.realRoot, this.paths.diskFull);
      this.diskFull = set.diskFull;
    }
    let restart = false;
    if (set.hostkeyChanged !== this.hostkeyChanged) {
      await this.swapHostKey(set.hostkeyChanged);
      this.hostkeyChanged = set.hostkeyChanged;
      restart = true;
    }
    if (this.halted && set.reboot.kind === "normal") {
      // The fault that kept it down is gone: power it on again.
      this.halted = false;
      await this.labBoot(set);
    }
    if (set.panic && !this.panicked) {
      this.panicked = true;
      await this.panic(set.panic);
    } else if (!set.panic && this.panicked) {
      this.panicked = false;
      await this.labBoot(set);
    }
    const wantUp = !set.unreachable && !this.panicked && !this.halted;
    if (!wantUp) {
      await this.killNode();
      this.state = this.panicked ? "dead" : this.halted ? (this.state === "dead" ? "dead" : "down") : "unreachable";
    } else if (this.sshd && (restart || set.slowMs !== this.proxiedMs)) {
      await this.stopListener();
      await this.startSshd(set.slowMs);
    } else if (!this.sshd) {
      await this.startSshd(set.slowMs);
    }
    this.applied = lines;
  }

  private async labBoot(set: FaultSet): Promise<void> {
    this.boots++;
    const tool = join(this.lab.dir, "base", "tools", "lab-boot");
    if (!existsSync(tool)) {
      // Node tools not installed yet: the minimum a boot does.
      rmSync(join(this.paths.root, "run"), { recursive: true, force: true });
      await run("mkdir", ["-m", "755", join(this.paths.root, "run")]);
      if (set.reboot.kind !== "same-bootid") {
        writeFileSync(join(this.paths.root, "proc/sys/kernel/random/boot_id"), randomUuid() + "\n");
      }
      return;
    }
    const extra: Record<string, string> = set.reboot.kind === "same-bootid" ? { LAB_SAME_BOOTID: "1" } : {};
    const r = await run("chroot", [this.paths.root, "/opt/lab/base/tools/lab-boot"], { env: nodeEnv(extra), timeoutMs: 60_000 });
    const text = `--- boot ${this.boots} ${new Date().toISOString()} exit ${r.code}\n${r.stdout}${r.stderr}`;
    writeFileSync(this.paths.bootLog, text, { flag: "a" });
    if (r.code !== 0) log(`${this.node.name}: lab-boot exit ${r.code} (see ${this.paths.bootLog})`);
  }

  private async startSshd(slowMs: number): Promise<void> {
    const internal = slowMs > 0;
    const port = internal ? this.node.port + INTERNAL_PORT_OFFSET : this.node.port;
    writeFileSync(
      this.paths.sshdConfig,
      renderSshdConfig({
        listen: `${this.node.ip}:${port}`,
        root: this.paths.root,
        hostKey: this.paths.hostKey,
        authorizedKeys: labPaths(this.lab.dir).authorizedKeys,
        pidFile: this.paths.sshdPid,
      }),
    );
    const out = openSync(this.paths.sshdLog, "a");
    const child = spawn(SSHD, sshdArgs(this.paths.sshdConfig, sshdAcceptsNoReexec(this.paths.sshdConfig)), { stdio: ["ignore", out, out] });
    closeSync(out);
    this.sshd = child;
    child.on("exit", (code, signal) => {
      if (this.sshd !== child) return;
      this.sshd = null;
      if (this.state === "up") {
        log(`${this.node.name}: sshd exited (${code ?? signal}); node is down`);
        this.state = "down";
        this.changed();
      }
    });
    // "up" only once sshd has bound its address: a loaded machine can take a while to exec it.
    if (!(await waitListening(this.node.ip, port, () => this.sshd !== child, 30_000))) {
      log(`${this.node.name}: sshd is not listening on ${this.node.ip}:${port} (see ${this.paths.sshdLog})`);
      this.state = "down";
      return;
    }
    if (internal) {
      this.proxy = await startSlowProxy({ ip: this.node.ip, port: this.node.port }, { ip: this.node.ip, port }, slowMs);
      this.proxiedMs = slowMs;
    } else this.proxiedMs = 0;
    this.state = "up";
  }

  /** Stops accepting new connections; sessions already open live on (sshd forks one process per connection). */
  private async stopListener(): Promise<void> {
    const child = this.sshd;
    this.sshd = null;
    if (child?.pid) {
      killAll([child.pid], "SIGTERM");
      await waitGone([child.pid], 3000);
    }
    await this.proxy?.close(false);
    this.proxy = null;
    this.proxiedMs = 0;
  }

  /** Power cut: sshd, every connection and every process inside the node die. */
  async killNode(): Promise<void> {
    if (this.dieTimer) clearTimeout(this.dieTimer);
    this.dieTimer = null;
    const child = this.sshd;
    this.sshd = null;
    const procs = listProcs();
    const pids = new Set<number>(procsRootedUnder(this.realRoot, procs).map((p) => p.pid));
    if (child?.pid) for (const p of descendants(child.pid, procs)) pids.add(p);
    killAll(pids, "SIGKILL");
    await this.proxy?.close(true);
    this.proxy = null;
    this.proxiedMs = 0;
    await waitGone([...pids], 3000);
  }

  private async swapHostKey(changed: boolean): Promise<void> {
    const orig = `${this.paths.hostKey}.orig`;
    if (changed) {
      if (!existsSync(orig)) {
        copyFileSync(this.paths.hostKey, orig);
        copyFileSync(`${this.paths.hostKey}.pub`, `${orig}.pub`);
      }
      await generateKey(this.paths.hostKey, `${this.node.name}-changed`);
    } else if (existsSync(orig)) {
      copyFileSync(orig, this.paths.hostKey);
      copyFileSync(`${orig}.pub`, `${this.paths.hostKey}.pub`);
    }
  }

  private async panic(to: { ip: string; port: number }): Promise<void> {
    const uptime = 100 + Math.random() * 5000;
    await sendPanic(this.node.ip, to, panicLines(uptime, this.node.name)).catch((e: unknown) => log(`${this.node.name}: panic send: ${String(e)}`));
    await this.killNode();
    this.state = "dead";
  }

  async shutdown(): Promise<void> {
    await this.killNode();
    if (this.diskFull) await unmountDiskFull(this.realRoot, this.paths.diskFull).catch(() => undefined);
  }
}

export async function supervise(labDir: string): Promise<void> {
  const lab = readLabInfo(labDir);
  if (!lab) throw new Error(`no lab.json in ${labDir}`);
  const paths = labPaths(labDir);
  writeFileSync(paths.supervisorPid, `${process.pid}\n`);
  let dirty = false;
  let stopping = false;
  const runners: NodeRunner[] = [];
  const writeState = () => {
    const state: SupervisorState = {
      pid: process.pid,
      updatedAt: new Date().toISOString(),
      nodes: Object.fromEntries(runners.map((r) => [r.node.name, r.snapshot()])),
    };
    writeJsonAtomic(paths.state, state);
  };
  // Coalesce state writes (100 nodes changing at once).
  const changed = () => {
    if (dirty || stopping) return;
    dirty = true;
    setImmediate(() => {
      dirty = false;
      if (!stopping) writeState();
    });
  };
  for (const node of lab.nodes) runners.push(new NodeRunner(lab, node, changed));
  writeState();

  const checkReboot = (r: NodeRunner) => {
    const req = nodePaths(labDir, r.node.name).rebootRequest;
    if (stopping || !existsSync(req)) return;
    rmSync(req, { force: true });
    void r.reboot();
  };
  const watchers: FSWatcher[] = [];
  for (const r of runners) {
    try {
      watchers.push(watch(nodePaths(labDir, r.node.name).control, (_e, file) => file === "reboot-request" && checkReboot(r)));
    } catch {
      // the 200 ms poll below still sees requests
    }
  }
  const poll = setInterval(() => runners.forEach(checkReboot), 200);

  process.on("SIGHUP", () => {
    for (const r of runners) void r.reload();
  });
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(poll);
    for (const w of watchers) w.close();
    await Promise.all(runners.map((r) => r.shutdown().catch((e: unknown) => log(`${r.node.name}: shutdown: ${String(e)}`))));
    rmSync(paths.supervisorPid, { force: true });
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());

  await pool(runners, 8, (r) => r.firstBoot());
  writeState();
  log(`supervisor ${process.pid}: ${runners.length} nodes booted`);
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write("usage: supervisor.js <labDir>\n");
    process.exit(2);
  }
  supervise(dir).catch((e: unknown) => {
    log(`supervisor failed: ${e instanceof Error ? e.stack : String(e)}`);
    process.exit(1);
  });
}

/** Has sshd logged an accepted login in `log` past byte `from`? */
function acceptedSince(log: string, from: number): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(log, "r");
    const size = statSync(log).size;
    if (size <= from) return false;
    const buf = Buffer.alloc(Math.min(size - from, 1 << 20));
    readSync(fd, buf, 0, buf.length, from);
    return buf.includes("Accepted ");
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
