// Test transport: commands run for real via `sh -c` on this machine (TMPDIR private to the "host");
// put() writes under the host's root dir (atomic, sha256, unchanged detection), get() copies a real path.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, copyFile, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ExecOptions, ExecResult, PutOptions, PutResult, Transport } from "../../../src/transport/transport.js";
import type { HostContext } from "../../../src/engine/context.js";
import type { RunEvent } from "../../../src/model/events.js";
import type { Scope } from "../../../src/playbook/index.js";
import type { Facts } from "../../../src/model/facts.js";
import { instantClock } from "../../helpers/fake-host.js";

export class ShellHost implements Transport {
  /** commands run for real (everything but the destination mkdir) */
  readonly commands: string[] = [];
  readonly mkdirs: string[] = [];
  connected = true;
  /** makes the next get() deliver these bytes instead of the file (a corrupted download) */
  corruptNextGet?: Buffer;
  constructor(
    readonly host: string,
    readonly root: string,
  ) {}
  async connect() {}
  async close() {}
  exec(command: string, o: ExecOptions = {}): Promise<ExecResult> {
    // the service creates the destination dir: a node path, so it lands under this fake's root, never on this machine
    const mk = /^mkdir -p -- (\S+)$/.exec(command);
    if (mk) {
      this.mkdirs.push(mk[1]!);
      return mkdir(this.path(mk[1]!.replace(/^'|'$/g, "")), { recursive: true }).then(() => ({ exitCode: 0, stdout: "", stderr: "", durationMs: 0 }));
    }
    this.commands.push(command);
    const t0 = Date.now();
    return mkdir(join(this.root, "tmp"), { recursive: true }).then(
      () =>
        new Promise((resolve) => {
          execFile("sh", ["-c", command], { timeout: o.timeoutMs, env: { ...process.env, TMPDIR: join(this.root, "tmp"), HOST_ROOT: this.root, HOST_NAME: this.host } }, (err, stdout, stderr) => {
            const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string }) | null;
            const exitCode = e ? (typeof e.code === "number" ? e.code : null) : 0;
            resolve({ exitCode, signal: e?.signal ?? undefined, timedOut: Boolean(e?.killed), stdout, stderr, durationMs: Date.now() - t0 });
          });
        }),
    );
  }
  async put(content: Buffer | { localPath: string }, remotePath: string, o: PutOptions = {}): Promise<PutResult> {
    const body = Buffer.isBuffer(content) ? content : await readFile(content.localPath);
    const path = this.path(remotePath);
    const sha256 = createHash("sha256").update(body).digest("hex");
    const old = await readFile(path).catch(() => undefined);
    if (old && old.equals(body)) return { sha256, bytes: body.length, changed: false };
    await mkdir(dirname(path), { recursive: true });
    await writeFile(`${path}.tmp`, body);
    if (o.mode !== undefined) await chmod(`${path}.tmp`, o.mode);
    await rename(`${path}.tmp`, path);
    return { sha256, bytes: body.length, changed: true };
  }
  async get(remotePath: string, localPath: string): Promise<{ sha256: string; bytes: number }> {
    if (this.corruptNextGet) {
      const b = this.corruptNextGet;
      this.corruptNextGet = undefined;
      await writeFile(localPath, b);
      // the transport's own hash is of what it received
      return { sha256: createHash("sha256").update(b).digest("hex"), bytes: b.length };
    }
    await copyFile(remotePath, localPath);
    const b = await readFile(localPath);
    return { sha256: createHash("sha256").update(b).digest("hex"), bytes: b.length };
  }
  /** a node path (as a playbook names it) → where this fake keeps it */
  path(remotePath: string): string {
    return join(this.root, "fs", remotePath);
  }
}

export function facts(host: string, kernel: string, arch = "x86_64"): Facts {
  return { hostname: host, os_id: "centos", os_version: "7.6.1810", os_major: 7, os_family: "rhel", kernel, boot_id: "b", arch, init: "systemd", pkg_mgr: "yum", default_iface: "eth0", container_runtime: "docker", cgroup_version: 1 };
}

export function scopeFor(host: string, kernel: string, groups: Record<string, string[]>, vars: Record<string, unknown> = {}): Scope {
  return { vars, facts: facts(host, kernel), host, groups, registered: {} };
}

export function ctxFor(host: string, hosts: Map<string, Transport>, events: RunEvent[], step = "s1"): HostContext {
  const t = hosts.get(host)!;
  return {
    host,
    transport: () => t,
    reconnect: async () => t,
    delegate: async (h) => {
      const d = hosts.get(h);
      if (!d) throw new Error(`no host ${h}`);
      return d;
    },
    clock: instantClock,
    signal: new AbortController().signal,
    emit: (e) => events.push(e),
    step,
    become: false,
  };
}
