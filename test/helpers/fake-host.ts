// A scripted in-memory host for engine tests: commands are matched by regex and change a state map.
import type { Transport, ExecResult, ExecOptions, PutResult } from "../../src/transport/transport.js";
import type { Connector } from "../../src/engine/connector.js";
import { TransportError } from "../../src/errors.js";
import type { Clock } from "../../src/engine/context.js";

export type Handler = (m: RegExpMatchArray, state: Map<string, string>) => Partial<ExecResult> | "hang";

export class FakeHost implements Transport {
  readonly state = new Map<string, string>();
  readonly log: string[] = [];
  connected = false;
  constructor(
    readonly host: string,
    private readonly handlers: Array<[RegExp, Handler]>,
    init: Record<string, string> = {},
  ) {
    for (const [k, v] of Object.entries(init)) this.state.set(k, v);
  }
  async connect() {
    this.connected = true;
  }
  async exec(command: string, _o?: ExecOptions): Promise<ExecResult> {
    this.log.push(command);
    if (command.includes("os_release=")) {
      return { exitCode: 0, stdout: `hostname=${this.host}\nos_id=centos\nos_version=7\nkernel=${this.state.get("kernel") ?? "3.10.0-957.el7.x86_64"}\nboot_id=11111111-1111-1111-1111-111111111111\ncgroup_version=1\ndefault_iface=eth0\n`, stderr: "", durationMs: 1 };
    }
    for (const [re, h] of this.handlers) {
      const m = command.match(re);
      if (m) {
        const r = h(m, this.state);
        if (r === "hang") return { exitCode: null, signal: "KILL", timedOut: true, stdout: "", stderr: "", durationMs: 1 };
        return { exitCode: 0, stdout: "", stderr: "", durationMs: 1, ...r };
      }
    }
    return { exitCode: 127, stdout: "", stderr: `sh: ${command.split(" ")[0]}: command not found`, durationMs: 1 };
  }
  async put(content: Buffer | { localPath: string }, remotePath: string): Promise<PutResult> {
    const text = Buffer.isBuffer(content) ? content.toString() : `<file ${content.localPath}>`;
    this.state.set(`file:${remotePath}`, text);
    this.log.push(`put ${remotePath}`);
    return { sha256: "x", bytes: text.length, changed: true };
  }
  async get(): Promise<{ sha256: string; bytes: number }> {
    throw new Error("not used");
  }
  async close() {
    this.connected = false;
  }
}

export class FakeConnector implements Connector {
  constructor(readonly hosts: Map<string, FakeHost>, readonly down = new Set<string>()) {}
  async get(host: string) {
    if (this.down.has(host)) throw new TransportError(host, "connect", `connect ECONNREFUSED (${host})`);
    const h = this.hosts.get(host);
    if (!h) throw new TransportError(host, "connect", `no such host ${host}`);
    await h.connect();
    return h;
  }
  reconnect(host: string) {
    return this.get(host);
  }
  async closeAll() {}
}

export const instantClock: Clock = { now: () => Date.now(), sleep: async () => undefined, random: () => 0.5 };
