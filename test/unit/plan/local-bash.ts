// A real bash on this machine behind the Transport interface (exec only), for the target-side scripts.
import { spawn } from "node:child_process";
import type { ExecOptions, ExecResult, PutResult, Transport } from "../../../src/transport/transport.js";
import type { Connector } from "../../../src/engine/connector.js";

export class LocalBash implements Transport {
  readonly log: string[] = [];
  connected = true;
  constructor(readonly host: string) {}
  async connect(): Promise<void> {}
  exec(command: string, o: ExecOptions = {}): Promise<ExecResult> {
    this.log.push(command);
    const t0 = Date.now();
    return new Promise((resolve) => {
      const p = spawn("bash", ["-c", command], { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      p.stdout.on("data", (d: Buffer) => (stdout += d));
      p.stderr.on("data", (d: Buffer) => (stderr += d));
      const timer = o.timeoutMs ? setTimeout(() => p.kill("SIGKILL"), o.timeoutMs) : undefined;
      p.on("close", (code, signal) => {
        if (timer) clearTimeout(timer);
        resolve({ exitCode: code, signal: signal ?? undefined, stdout, stderr, durationMs: Date.now() - t0 });
      });
    });
  }
  async put(): Promise<PutResult> {
    throw new Error("put is not used by these tests");
  }
  async get(): Promise<{ sha256: string; bytes: number }> {
    throw new Error("get is not used by these tests");
  }
  async close(): Promise<void> {}
}

/** Every inventory host is this machine (like several sshd on 127.0.0.1); counts connections. */
export class LocalConnector implements Connector {
  gets = 0;
  readonly live = new Map<string, LocalBash>();
  async get(host: string): Promise<LocalBash> {
    this.gets++;
    let t = this.live.get(host);
    if (!t) this.live.set(host, (t = new LocalBash(host)));
    return t;
  }
  reconnect(host: string) {
    this.live.delete(host);
    return this.get(host);
  }
  async closeAll() {
    this.live.clear();
  }
}
