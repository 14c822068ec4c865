// LocalTransport: commands via `/bin/sh -c` on this machine (development, tests, the controller itself).
// Same ExecResult semantics as SSH; a timeout kills the whole process group.
import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { userInfo } from "node:os";
import type { Readable } from "node:stream";
import { TransportError } from "../errors.js";
import { needsSudo, wrapBecome } from "./become.js";
import { receiveToLocal } from "./local-file.js";
import { OutputBuffer } from "./output.js";
import { shellQuote } from "./quote.js";
import { atomicPut, type PutBackend, type PutSource } from "./put.js";
import type { ConnectionSpec, ExecOptions, ExecResult, PutOptions, PutResult, Transport } from "./transport.js";

export interface LocalOptions {
  become?: boolean;
  becomeUser?: string;
}

export class LocalTransport implements Transport {
  readonly host: string;
  private readonly loginUser: string;
  private readonly defaults: LocalOptions;
  private open = false;
  private readonly children = new Set<number>();

  constructor(hostOrSpec: string | ConnectionSpec, opts: LocalOptions = {}) {
    this.host = typeof hostOrSpec === "string" ? hostOrSpec : hostOrSpec.name;
    this.defaults = typeof hostOrSpec === "string" ? opts : { become: hostOrSpec.become, becomeUser: hostOrSpec.becomeUser, ...opts };
    let u = "root";
    try {
      u = userInfo().username;
    } catch {
      /* keep root */
    }
    this.loginUser = u;
  }

  get connected(): boolean {
    return this.open;
  }

  async connect(): Promise<void> {
    this.open = true;
  }

  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return this.run(command, opts);
  }

  private run(command: string, o: Omit<ExecOptions, "stdin"> & { stdin?: string | Buffer | Readable }): Promise<ExecResult> {
    const full = wrapBecome(command, this.loginUser, { become: o.become ?? this.defaults.become ?? false, becomeUser: o.becomeUser ?? this.defaults.becomeUser });
    const start = Date.now();
    return new Promise((resolve, reject) => {
      // detached: its own process group, so a timeout can kill everything the command started
      const child = spawn("/bin/sh", ["-c", full], { detached: true, stdio: ["pipe", "pipe", "pipe"] });
      const out = new OutputBuffer();
      const err = new OutputBuffer();
      let killed: "timeout" | "abort" | undefined;
      let timer: NodeJS.Timeout | undefined;
      const kill = (why: "timeout" | "abort") => {
        killed ??= why;
        try {
          if (child.pid) process.kill(-child.pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      };
      const onAbort = () => kill("abort");
      if (child.pid) this.children.add(child.pid);
      child.stdout.on("data", (c: Buffer) => {
        out.push(c);
        o.onStdoutChunk?.(c);
      });
      child.stderr.on("data", (c: Buffer) => err.push(c));
      child.stdin.on("error", () => undefined); // EPIPE when the command does not read its stdin
      child.on("error", (e) => {
        clearTimeout(timer);
        reject(new TransportError(this.host, "channel", `cannot run /bin/sh on the controller: ${e.message}`, { cause: e }));
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        o.signal?.removeEventListener("abort", onAbort);
        if (child.pid) this.children.delete(child.pid);
        const base = { stdout: out.text("stdout"), stderr: err.text("stderr"), durationMs: Date.now() - start };
        if (killed) resolve({ ...base, exitCode: null, signal: "KILL", ...(killed === "timeout" ? { timedOut: true } : {}) });
        else resolve({ ...base, exitCode: code, ...(signal ? { signal: signal.replace(/^SIG/, "") } : {}) });
      });
      if (o.timeoutMs !== undefined && o.timeoutMs > 0) timer = setTimeout(() => kill("timeout"), o.timeoutMs);
      if (o.signal?.aborted) kill("abort");
      else o.signal?.addEventListener("abort", onAbort, { once: true });
      const stdin = o.stdin;
      if (stdin === undefined) child.stdin.end();
      else if (typeof stdin === "string" || Buffer.isBuffer(stdin)) child.stdin.end(stdin);
      else stdin.pipe(child.stdin);
    });
  }

  private backend(): PutBackend {
    return {
      host: this.host,
      run: (command, o) => this.run(command, { become: o.become, stdin: o.stdin }),
      upload: async (tmp, source, become) => {
        if (needsSudo(this.loginUser, { become, becomeUser: this.defaults.becomeUser })) {
          const r = await this.run(`umask 077 && set -C && cat > ${shellQuote(tmp)}`, { become, stdin: toStream(source) });
          if (r.exitCode !== 0) throw new Error(r.stderr.trim() || `cat exited ${r.exitCode ?? r.signal}`);
          return;
        }
        const fh = await open(tmp, "wx", 0o600);
        try {
          if (Buffer.isBuffer(source)) await fh.writeFile(source);
          else for await (const c of createReadStream(source.localPath)) await fh.write(c as Buffer);
          await fh.sync();
        } finally {
          await fh.close();
        }
      },
    };
  }

  put(content: Buffer | { localPath: string }, remotePath: string, opts: PutOptions = {}): Promise<PutResult> {
    return atomicPut(this.backend(), content, remotePath, { ...opts, become: opts.become ?? this.defaults.become ?? false });
  }

  async get(remotePath: string, localPath: string): Promise<{ sha256: string; bytes: number }> {
    try {
      return await receiveToLocal(localPath, async (out, onChunk) => {
        for await (const c of createReadStream(remotePath)) {
          onChunk(c as Buffer);
          if (!out.write(c)) await new Promise((r) => out.once("drain", r));
        }
      });
    } catch (e) {
      throw new TransportError(this.host, "sftp", `cannot copy ${remotePath} to ${localPath} on the controller: ${(e as Error).message}`, { cause: e });
    }
  }

  async close(): Promise<void> {
    this.open = false;
  }
}

function toStream(source: PutSource): Buffer | Readable {
  return Buffer.isBuffer(source) ? source : createReadStream(source.localPath);
}
