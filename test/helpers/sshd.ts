// Test helper: real OpenSSH sshd processes on 127.0.0.1, one per "host", for integration tests.
//
//   const sshd = await startSshd({ count: 2 });
//   afterAll(() => sshd.stop());
//   const t = new SshTransport(sshd.spec(0));          // ConnectionSpec: root, client key, known_hosts
//   await t.connect(); await t.exec("id -u");           // commands run on THIS machine as root (no chroot)
//
// What you get:
//   hosts[i]        { name: "node01"…, port, hostKeyPublic ("ssh-ed25519 AAAA…"), hostKeyPath, pid }
//   knownHostsPath  a known_hosts file with "[127.0.0.1]:<port> <key>" for every host
//   clientKeyPath   an unencrypted ed25519 key authorised for root on every host
//   dir             private directory under os.tmpdir() (configs, keys, logs sshd<i>.log); removed by stop()
//   spec(i, over?)  a ConnectionSpec for host i (strict host key checking against knownHostsPath)
//   inventoryLine(i) "node01 ansible_host=127.0.0.1 ansible_port=… ansible_user=root ansible_ssh_private_key_file=… remedy_known_hosts=…"
//   restart(i, { newHostKey }) restarts sshd i on the same port (optionally with a fresh host key that is
//                   NOT added to knownHostsPath: a "changed host key"); live sessions are killed
//   dropConnections(i) kills the sessions of sshd i (and the commands they run); the listener stays up
//   stop()          kills every sshd and session it started and removes dir
//
// Options: count (default 1), sftp (default true; false removes the SFTP subsystem), maxSessions
// (sshd MaxSessions, default 10), extraConfig (lines appended to every sshd_config).
// Config: UsePAM no, StrictModes no, PermitRootLogin prohibit-password, MaxStartups 200, key auth only.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, closeSync, chmodSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConnectionSpec } from "../../src/transport/transport.js";
import { generateKeyPair, keyTypeAndBlob, knownHostsHost } from "./keys.js";

export interface SshdHost {
  name: string;
  port: number;
  hostKeyPublic: string;
  hostKeyPath: string;
  pid: number;
}

export interface SshdOptions {
  count?: number;
  user?: "root";
  sftp?: boolean;
  maxSessions?: number;
  extraConfig?: string[];
}

export interface SshdCluster {
  hosts: SshdHost[];
  knownHostsPath: string;
  clientKeyPath: string;
  dir: string;
  user: string;
  spec(i: number, overrides?: Partial<ConnectionSpec>): ConnectionSpec;
  inventoryLine(i: number): string;
  restart(i: number, opts?: { newHostKey?: boolean }): Promise<void>;
  dropConnections(i: number): void;
  stop(): Promise<void>;
}

const SSHD = "/usr/sbin/sshd";
const live = new Set<ChildProcess>();
let exitHook = false;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something on the port sends an SSH banner. */
function waitForBanner(port: number, deadline: number, alive: () => boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const attempt = () => {
      if (!alive() || Date.now() > deadline) return resolve(false);
      const s = connect(port, "127.0.0.1");
      let done = false;
      const retry = () => {
        if (done) return;
        done = true;
        s.destroy();
        setTimeout(attempt, 50);
      };
      s.setTimeout(1000, retry);
      s.on("error", retry);
      s.on("data", (d) => {
        if (done) return;
        done = true;
        s.destroy();
        if (d.toString("latin1").startsWith("SSH-")) resolve(true);
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** Pids of all descendants of pid (children first listed, then theirs). */
function descendants(pid: number): number[] {
  let kids: number[] = [];
  try {
    kids = execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

function killTree(pids: number[]): void {
  for (const p of pids) {
    try {
      process.kill(p, "SIGKILL");
    } catch {
      /* gone */
    }
  }
}

function sshdConfig(dir: string, i: number, port: number, o: SshdOptions): string {
  return [
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${join(dir, `host${i}_ed25519`)}`,
    `PidFile ${join(dir, `sshd${i}.pid`)}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
    "StrictModes no",
    "UsePAM no",
    "PermitRootLogin prohibit-password",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "MaxStartups 200",
    `MaxSessions ${o.maxSessions ?? 10}`,
    "UseDNS no",
    "PrintMotd no",
    "LogLevel VERBOSE",
    // Sessions run as root on this machine: bash started by sshd reads root's ~/.bashrc unless SHLVL >= 2
    // (bash's ssh detection), and a machine's .bashrc is not ours to depend on (pyenv rehash waits 60 s on a
    // lock a killed session left behind, and every command then "hangs").
    "SetEnv SHLVL=1",
    ...(o.sftp === false ? [] : ["Subsystem sftp internal-sftp"]),
    ...(o.extraConfig ?? []),
    "",
  ].join("\n");
}

export async function startSshd(opts: SshdOptions = {}): Promise<SshdCluster> {
  const count = opts.count ?? 1;
  const user = opts.user ?? "root";
  if (process.getuid?.() !== 0) throw new Error("startSshd: integration tests need root (sshd with arbitrary users)");
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), "remedy-sshd-"));
  chmodSync(dir, 0o755);
  const client = generateKeyPair(join(dir, "client_ed25519"), { comment: "remedy-test-client" });
  writeFileSync(join(dir, "authorized_keys"), client.publicKey + "\n", { mode: 0o600 });
  const knownHostsPath = join(dir, "known_hosts");
  const procs: Array<ChildProcess | undefined> = [];
  const hosts: SshdHost[] = [];

  if (!exitHook) {
    exitHook = true;
    process.on("exit", () => {
      for (const p of live) if (p.pid) killTree([...descendants(p.pid), p.pid]);
    });
  }

  const launch = async (i: number, port: number): Promise<ChildProcess> => {
    const cfg = join(dir, `sshd${i}.conf`);
    writeFileSync(cfg, sshdConfig(dir, i, port, opts));
    const logFd = openSync(join(dir, `sshd${i}.log`), "a");
    const child = spawn(SSHD, ["-D", "-e", "-f", cfg], { stdio: ["ignore", logFd, logFd] });
    closeSync(logFd);
    live.add(child);
    let exited = false;
    child.on("exit", () => {
      exited = true;
      live.delete(child);
    });
    const up = await waitForBanner(port, Date.now() + 15_000, () => !exited);
    if (!up) {
      child.kill("SIGKILL");
      const log = readFileSync(join(dir, `sshd${i}.log`), "utf8").trim().split("\n").slice(-5).join("\n");
      throw Object.assign(new Error(`startSshd: sshd ${i} did not come up on 127.0.0.1:${port}:\n${log}`), { addressInUse: /Address already in use/.test(log) });
    }
    return child;
  };

  const writeKnownHosts = () =>
    writeFileSync(knownHostsPath, hosts.map((h) => `${knownHostsHost("127.0.0.1", h.port)} ${keyTypeAndBlob(h.hostKeyPublic)}`).join("\n") + "\n");

  const stopOne = async (i: number) => {
    const p = procs[i];
    procs[i] = undefined;
    if (!p?.pid) return;
    const tree = descendants(p.pid);
    const gone = new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once("exit", () => r())));
    killTree([p.pid, ...tree]);
    await gone;
  };

  const cluster: SshdCluster = {
    hosts,
    knownHostsPath,
    clientKeyPath: client.privatePath,
    dir,
    user,
    spec(i, overrides = {}) {
      const h = hosts[i];
      if (!h) throw new Error(`startSshd: no host ${i}`);
      return {
        name: h.name,
        hostname: "127.0.0.1",
        port: h.port,
        user,
        identityFiles: [client.privatePath],
        knownHostsFiles: [knownHostsPath],
        hostKeyChecking: "strict",
        connectTimeoutMs: 10_000,
        keepaliveIntervalMs: 15_000,
        maxSessions: 8,
        become: false,
        connection: "ssh",
        ...overrides,
      };
    },
    inventoryLine(i) {
      const h = hosts[i]!;
      return `${h.name} ansible_host=127.0.0.1 ansible_port=${h.port} ansible_user=${user} ansible_ssh_private_key_file=${client.privatePath} remedy_known_hosts=${knownHostsPath}`;
    },
    async restart(i, o = {}) {
      const h = hosts[i];
      if (!h) throw new Error(`startSshd: no host ${i}`);
      await stopOne(i);
      if (o.newHostKey) h.hostKeyPublic = generateKeyPair(h.hostKeyPath, { comment: h.name }).publicKey;
      const p = await launch(i, h.port);
      procs[i] = p;
      h.pid = p.pid ?? 0;
    },
    dropConnections(i) {
      const p = procs[i];
      if (p?.pid) killTree(descendants(p.pid));
    },
    async stop() {
      await Promise.all(procs.map((_, i) => stopOne(i)));
      rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    for (let i = 0; i < count; i++) {
      const name = `node${String(i + 1).padStart(2, "0")}`;
      const hostKeyPath = join(dir, `host${i}_ed25519`);
      const hostKeyPublic = generateKeyPair(hostKeyPath, { comment: name }).publicKey;
      let child: ChildProcess | undefined;
      let port = 0;
      for (let attempt = 0; !child; attempt++) {
        port = await freePort();
        try {
          child = await launch(i, port);
        } catch (e) {
          if (!(e as { addressInUse?: boolean }).addressInUse || attempt >= 4) throw e;
        }
      }
      procs[i] = child;
      hosts.push({ name, port, hostKeyPublic, hostKeyPath, pid: child.pid ?? 0 });
    }
    writeKnownHosts();
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}
