// SshTransport: one ssh2 connection per host, reused for every command; session channels bounded by a
// semaphore (OpenSSH MaxSessions is 10; an SFTP session holds one slot while open); host keys always verified
// unless explicitly turned off; per-command timeout kills the remote process group (signal request) and
// closes the channel. Connection loss mid-command rejects with TransportError "closed".
import { randomBytes } from "node:crypto";
import { Socket } from "node:net";
import type { Duplex, Readable } from "node:stream";
import ssh2 from "ssh2";
import type { Client as SshClient, ClientChannel, SFTPWrapper } from "ssh2";
import { TransportError } from "../errors.js";
import { needsSudo, wrapBecome } from "./become.js";
import { receiveToLocal } from "./local-file.js";
import { OutputBuffer } from "./output.js";
import { atomicPut, type PutBackend, type PutSource } from "./put.js";
import { shellQuote } from "./quote.js";
import { Semaphore } from "./semaphore.js";
import { sftpDownload, sftpUpload } from "./sftp.js";
import { connectError, connectPlan, describeTarget, handshakeTimeout } from "./ssh-connect.js";
import { handshakeCapMs, watchProgress } from "./handshake-watch.js";
import type { ConnectionSpec, ExecOptions, ExecResult, PutOptions, PutResult, Transport } from "./transport.js";

export interface SshTransportOptions {
  /** "exec" streams files through `cat` instead of SFTP (what happens anyway when SFTP is unavailable) */
  transfer?: "auto" | "exec";
  /** ms to keep a killed channel's slot before giving it back if the server never confirms the close */
  killGraceMs?: number;
  /** loud, non-fatal connection news: a changed host key with checking off, a key added by accept-new */
  onWarning?: (host: string, message: string) => void;
}

interface RunOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  become?: boolean;
  becomeUser?: string;
  stdin?: string | Buffer | Readable;
  /** receives stdout instead of the text buffer (binary downloads) */
  onStdout?: (chunk: Buffer) => void;
  onStdoutChunk?: (chunk: Buffer) => void;
}


/** exit status per channel, recorded as soon as the channel opens (see openChannel) */
const earlyExit = new WeakMap<ClientChannel, { code: number | null; signal?: string }>();

export class SshTransport implements Transport {
  readonly host: string;
  private client: SshClient | undefined;
  private ready = false;
  private connecting: Promise<void> | undefined;
  private dropReason = "";
  private readonly sessions: Semaphore;
  private opening: Promise<unknown> = Promise.resolve();
  private readonly inflight = new Set<(e: TransportError) => void>();
  private sftp: Promise<SFTPWrapper | null> | undefined;
  private sftpRelease: (() => void) | undefined;
  private jump: SshTransport | undefined;
  /** marks the line the prologue writes to stderr with the remote session id (see run) */
  private readonly pidToken = `remedy-sid-${randomBytes(4).toString("hex")}`;

  constructor(
    readonly spec: ConnectionSpec,
    private readonly options: SshTransportOptions = {},
  ) {
    this.host = spec.name;
    this.sessions = new Semaphore(spec.maxSessions > 0 ? spec.maxSessions : 8);
  }

  get connected(): boolean {
    return this.ready;
  }

  connect(signal?: AbortSignal): Promise<void> {
    if (this.ready) return Promise.resolve();
    this.connecting ??= this.doConnect(signal).finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async doConnect(signal?: AbortSignal): Promise<void> {
    const spec = this.spec;
    if (signal?.aborted) throw new TransportError(this.host, "connect", `connection to ${describeTarget(spec)} aborted`);
    const plan = connectPlan(spec, (m) => this.options.onWarning?.(this.host, m));
    if (spec.proxyJump) {
      this.jump = new SshTransport(spec.proxyJump, this.options);
      try {
        await this.jump.connect(signal);
        plan.config.sock = await this.jump.forward(spec.hostname, spec.port);
      } catch (e) {
        await this.jump.close();
        this.jump = undefined;
        const te = e instanceof TransportError ? e : new TransportError(this.host, "connect", String(e), { cause: e });
        throw new TransportError(this.host, te.kind, `${describeTarget(spec)} via jump host ${spec.proxyJump.name}: ${te.message}`, { cause: e });
      }
    }
    const client = new ssh2.Client();
    this.client = client;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      let watch: { stop(): void } | undefined;
      const onAbort = () => fail(new TransportError(this.host, "connect", `connection to ${describeTarget(spec)} aborted`));
      const fail = (e: TransportError) => {
        if (settled) return;
        settled = true;
        watch?.stop();
        signal?.removeEventListener("abort", onAbort);
        client.end();
        client.destroy();
        reject(e);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      if (!plan.config.sock) {
        // Our own socket, so the connect timeout can count silence (bytes read) rather than the whole
        // handshake: a slow but answering sshd is not "unreachable" (handshake-watch.ts).
        const sock = new Socket();
        sock.connect({ host: spec.hostname, port: spec.port });
        plan.config.sock = sock;
        plan.config.readyTimeout = handshakeCapMs(spec.connectTimeoutMs);
        watch = watchProgress(
          () => sock.bytesRead + (sock.connecting ? 0 : 1),
          spec.connectTimeoutMs,
          () => fail(handshakeTimeout(spec, sock.connecting ? "no TCP connection" : sock.bytesRead === 0 ? "no SSH banner from the server" : "the server went silent during the SSH handshake")),
        );
      }
      client.on("ready", () => {
        if (settled) return;
        settled = true;
        watch?.stop();
        signal?.removeEventListener("abort", onAbort);
        this.ready = true;
        this.dropReason = "";
        resolve();
      });
      client.on("error", (err: Error & { level?: string }) => {
        if (!settled) return fail(connectError(spec, plan, err));
        this.dropReason = err.level === "client-timeout" ? `${err.message} (no keepalive answer)` : err.message;
      });
      client.on("close", () => {
        if (!settled) return fail(new TransportError(this.host, "connect", `${describeTarget(spec)} closed the connection during the handshake`, { shed: true }));
        if (client === this.client) this.onDrop();
      });
      try {
        client.connect(plan.config);
      } catch (e) {
        fail(new TransportError(this.host, "connect", `cannot connect to ${describeTarget(spec)}: ${(e as Error).message}`, { cause: e }));
      }
    });
  }

  private onDrop(): void {
    const wasReady = this.ready;
    this.ready = false;
    this.sftp = undefined;
    this.sftpRelease?.();
    this.sftpRelease = undefined;
    if (!wasReady && this.inflight.size === 0) return;
    const err = new TransportError(this.host, "closed", `connection to ${describeTarget(this.spec)} was lost${this.dropReason ? `: ${this.dropReason}` : ""}`);
    for (const fail of [...this.inflight]) fail(err);
    this.inflight.clear();
    void this.jump?.close();
  }

  private live(): SshClient {
    if (!this.ready || !this.client) {
      throw new TransportError(this.host, "closed", `not connected to ${describeTarget(this.spec)}${this.dropReason ? ` (connection lost: ${this.dropReason})` : ""}`);
    }
    return this.client;
  }

  /** A TCP stream to host:port opened from this host (ProxyJump). */
  forward(host: string, port: number): Promise<Duplex> {
    const client = this.live();
    return new Promise((resolve, reject) =>
      client.forwardOut("127.0.0.1", 0, host, port, (err, stream) =>
        err ? reject(new TransportError(this.host, "connect", `jump host ${describeTarget(this.spec)} cannot reach ${host}:${port}: ${err.message}`, { cause: err })) : resolve(stream),
      ),
    );
  }

  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return this.run(command, opts);
  }

  /** Opens channels one at a time: ssh2 misbehaves when many channel opens are outstanding (mscdex/ssh2#1395). */
  private openChannel(client: SshClient, command: string): Promise<ClientChannel> {
    const p = this.opening.then(
      () =>
        new Promise<ClientChannel>((resolve, reject) => {
          const onDrop = (e: TransportError) => reject(e);
          this.inflight.add(onDrop);
          try {
            client.exec(command, (err, ch) => {
              this.inflight.delete(onDrop);
              if (err) reject(new TransportError(this.host, this.ready ? "channel" : "closed", `cannot open a session channel on ${describeTarget(this.spec)}: ${err.message}`, { cause: err }));
              else {
                // a fast command's exit status can arrive in the same packet burst, before run() attaches its
                // listeners (after an await): record it now so it is not lost
                ch.on("exit", (code: number | null, sig?: string) => {
                  earlyExit.set(ch, typeof code === "number" ? { code } : { code: null, signal: sig ? sig.replace(/^SIG/, "") : undefined });
                });
                resolve(ch);
              }
            });
          } catch (e) {
            this.inflight.delete(onDrop);
            reject(new TransportError(this.host, "closed", `not connected to ${describeTarget(this.spec)}: ${(e as Error).message}`, { cause: e }));
          }
        }),
    );
    this.opening = p.catch(() => undefined);
    return p;
  }

  private async run(command: string, o: RunOptions): Promise<ExecResult> {
    const client = this.live();
    const becomeOpts = { become: o.become ?? this.spec.become, becomeUser: o.becomeUser ?? this.spec.becomeUser };
    // The login shell reports its pid (= the session id: sshd calls setsid) on stderr, then becomes /bin/sh.
    // OpenSSH ignores signal requests for root logins (no post-auth privsep), so a timeout kills the session
    // by that id from a second channel.
    const full = `echo ${this.pidToken}:$$ >&2; exec /bin/sh -c ${shellQuote(wrapBecome(command, this.spec.user, becomeOpts))}`;
    const start = Date.now();
    const stopped = (why: string): ExecResult => ({ exitCode: null, signal: "KILL", stdout: "", stderr: `remedy: ${why} before the command started`, durationMs: Date.now() - start });
    let release: () => void;
    try {
      release = await this.sessions.acquire(o.signal);
    } catch {
      return stopped("aborted");
    }
    let channel: ClientChannel;
    try {
      channel = await this.openChannel(client, full);
    } catch (e) {
      release();
      throw e;
    }
    return new Promise<ExecResult>((resolve, reject) => {
      const out = new OutputBuffer();
      const err = new OutputBuffer();
      const sid = new SidFilter(this.pidToken, (c) => err.push(c));
      let killWanted = false;
      const killSession = () => {
        if (sid.pid !== undefined) void this.killSession(sid.pid, becomeOpts);
      };
      sid.onPid = () => killWanted && killSession();
      let exit: { code: number | null; signal?: string } | undefined = earlyExit.get(channel);
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const result = (extra: Partial<ExecResult> = {}): ExecResult => ({
        exitCode: exit?.code ?? null,
        ...(exit?.signal ? { signal: exit.signal } : {}),
        stdout: out.text("stdout"),
        stderr: (sid.flush(), err.text("stderr")),
        durationMs: Date.now() - start,
        ...extra,
      });
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        o.signal?.removeEventListener("abort", onAbort);
        this.inflight.delete(onDrop);
        fn();
      };
      const onDrop = (e: TransportError) => {
        release();
        // The command had already reported its exit status: the drop came after it (e.g. `reboot`).
        settle(() => (exit ? resolve(result()) : reject(e)));
      };
      const kill = (timedOut: boolean) => {
        killWanted = true;
        killSession();
        sendSignal(channel, "KILL");
        channel.close();
        // Give the slot back when the server confirms the close, or after a grace period if it never does.
        setTimeout(release, this.options.killGraceMs ?? 10_000).unref();
        settle(() => resolve(result({ exitCode: null, signal: "KILL", ...(timedOut ? { timedOut: true } : {}) })));
      };
      const onAbort = () => kill(false);
      this.inflight.add(onDrop);
      if (o.timeoutMs !== undefined && o.timeoutMs > 0) timer = setTimeout(() => kill(true), o.timeoutMs);
      if (o.signal?.aborted) kill(false);
      else o.signal?.addEventListener("abort", onAbort, { once: true });

      channel.on("data", (c: Buffer) => {
        if (o.onStdout) return o.onStdout(c);
        out.push(c);
        o.onStdoutChunk?.(c);
      });
      channel.stderr.on("data", (c: Buffer) => sid.push(c));
      channel.on("exit", () => {
        exit = earlyExit.get(channel);
      });
      channel.on("close", () => {
        release();
        if (exit || this.ready) return settle(() => resolve(result()));
        // Channel closed by the connection going away: onDrop decides (it runs from the client's close).
        setImmediate(() => settle(() => (exit || this.ready ? resolve(result()) : reject(new TransportError(this.host, "closed", `connection to ${describeTarget(this.spec)} was lost while running a command`)))));
      });
      channel.on("error", () => undefined);
      const stdin = o.stdin;
      if (stdin === undefined) channel.end();
      else if (typeof stdin === "string" || Buffer.isBuffer(stdin)) channel.end(stdin);
      else {
        stdin.on("error", (e) => {
          err.push(Buffer.from(`remedy: reading stdin failed: ${e.message}\n`));
          channel.end();
        });
        stdin.pipe(channel);
      }
    });
  }

  /** Kill every process of a remote session; uses a channel outside the semaphore (the slots may all be hung). */
  private killSession(pid: number, becomeOpts: { become: boolean; becomeUser?: string }): Promise<void> {
    // close() waits for pending kills, so a run that ends right after a timeout still kills the command
    const p = this.doKillSession(pid, becomeOpts).finally(() => this.pendingKills.delete(p));
    this.pendingKills.add(p);
    return p;
  }

  private readonly pendingKills = new Set<Promise<void>>();

  private async doKillSession(pid: number, becomeOpts: { become: boolean; becomeUser?: string }): Promise<void> {
    if (!this.ready || !this.client) return;
    const cmd = wrapBecome(`pkill -KILL -s ${pid} 2>/dev/null || kill -KILL -- -${pid} 2>/dev/null || true`, this.spec.user, becomeOpts);
    try {
      const ch = await this.openChannel(this.client, cmd);
      ch.on("error", () => undefined);
      ch.stderr.resume();
      ch.resume();
      ch.end();
      await new Promise<void>((resolve) => {
        ch.once("close", () => resolve());
        setTimeout(resolve, 5000).unref();
      });
    } catch {
      /* best effort: the channel close still ends what it can */
    }
  }

  private async openSftp(): Promise<SFTPWrapper | null> {
    if (this.options.transfer === "exec") return null;
    if (!this.sftp) {
      const client = this.live();
      this.sftp = (async () => {
        // The SFTP subsystem is a session channel too: it holds a slot (unless that would leave none for exec).
        const release = this.sessions.size >= 2 ? await this.sessions.acquire() : () => undefined;
        try {
          const s = await new Promise<SFTPWrapper>((resolve, reject) => client.sftp((e, w) => (e ? reject(e) : resolve(w))));
          this.sftpRelease = release;
          s.on("close", () => {
            if (this.sftpRelease === release) {
              this.sftpRelease = undefined;
              this.sftp = undefined;
            }
            release();
          });
          return s;
        } catch {
          release();
          return null; // no SFTP subsystem: stream through exec
        }
      })();
    }
    return this.sftp;
  }

  private backend(becomeUser?: string): PutBackend {
    return {
      host: this.host,
      run: (command, o) => this.run(command, { become: o.become, becomeUser, stdin: o.stdin }),
      upload: async (tmp, source, become) => {
        const sudo = needsSudo(this.spec.user, { become, becomeUser: becomeUser ?? this.spec.becomeUser });
        const sftp = sudo ? null : await this.openSftp();
        if (sftp) return this.whileConnected(sftpUpload(sftp, tmp, source));
        await this.uploadViaExec(tmp, source, become);
      },
    };
  }

  /** SFTP requests pending when the connection drops never settle on their own: fail them with the drop. */
  private whileConnected<T>(p: Promise<T>): Promise<T> {
    let onDrop!: (e: TransportError) => void;
    const dropped = new Promise<never>((_, reject) => (onDrop = reject));
    this.inflight.add(onDrop);
    return Promise.race([p, dropped]).finally(() => this.inflight.delete(onDrop));
  }

  private async uploadViaExec(tmp: string, source: PutSource, become: boolean): Promise<void> {
    const { createReadStream } = await import("node:fs");
    const stdin = Buffer.isBuffer(source) ? source : createReadStream(source.localPath);
    const t = shellQuote(tmp);
    const r = await this.run(`umask 077 && set -C && cat > ${t} && { sync -- ${t} 2>/dev/null || sync; }`, { become, stdin });
    if (r.exitCode !== 0) throw new Error(r.stderr.trim() || `cat exited ${r.exitCode ?? r.signal}`);
  }

  put(content: Buffer | { localPath: string }, remotePath: string, opts: PutOptions = {}): Promise<PutResult> {
    this.live();
    return atomicPut(this.backend(), content, remotePath, { ...opts, become: opts.become ?? this.spec.become });
  }

  async get(remotePath: string, localPath: string): Promise<{ sha256: string; bytes: number }> {
    this.live();
    const sftp = await this.openSftp();
    try {
      return await receiveToLocal(localPath, async (out, onChunk) => {
        if (sftp) return this.whileConnected(sftpDownload(sftp, remotePath, out, onChunk));
        const r = await this.run(`cat -- ${shellQuote(remotePath)}`, {
          onStdout: (c) => {
            onChunk(c);
            out.write(c);
          },
        });
        if (r.exitCode !== 0) throw new Error(r.stderr.trim() || `cat exited ${r.exitCode ?? r.signal}`);
      });
    } catch (e) {
      if (e instanceof TransportError) throw e;
      const text = (e as Error).message;
      const code = (e as { code?: unknown }).code;
      const why = code === 2 || /No such file/i.test(text) ? "no such file" : code === 3 || /Permission denied/i.test(text) ? "permission denied" : text;
      throw new TransportError(this.host, "sftp", `cannot read ${remotePath} on ${this.host} into ${localPath}: ${why}`, { cause: e });
    }
  }

  async close(): Promise<void> {
    if (this.pendingKills.size) await Promise.allSettled([...this.pendingKills]);
    const client = this.client;
    this.client = undefined;
    const sftp = this.sftp;
    this.sftp = undefined;
    if (client) {
      const s = await sftp?.catch(() => null);
      s?.end();
      await new Promise<void>((resolve) => {
        if (!this.ready) return resolve();
        client.once("close", () => resolve());
        client.end();
        setTimeout(resolve, 2000).unref();
      });
    }
    this.ready = false;
    for (const fail of [...this.inflight]) fail(new TransportError(this.host, "closed", `connection to ${describeTarget(this.spec)} was closed by remedy`));
    this.inflight.clear();
    this.sftpRelease?.();
    this.sftpRelease = undefined;
    await this.jump?.close();
    this.jump = undefined;
  }
}

/** Channel.signal() refuses once stdin is at EOF, but OpenSSH still honours the request: send it directly. */
function sendSignal(channel: ClientChannel, name: string): void {
  const ch = channel as unknown as { outgoing?: { id: number; state: string }; _client?: { _protocol?: { signal(id: number, s: string): void } } };
  const state = ch.outgoing?.state;
  if (ch.outgoing && (state === "open" || state === "eof")) {
    try {
      ch._client?._protocol?.signal(ch.outgoing.id, name);
    } catch {
      /* the close below still ends the channel */
    }
  }
}

/** Takes the prologue's "<token>:<pid>" line out of stderr and remembers the pid. */
class SidFilter {
  pid: number | undefined;
  onPid: (() => void) | undefined;
  private head: Buffer | null = Buffer.alloc(0);
  constructor(
    private readonly token: string,
    private readonly sink: (c: Buffer) => void,
  ) {}

  push(c: Buffer): void {
    if (this.head === null) return this.sink(c);
    this.head = Buffer.concat([this.head, c]);
    const at = this.head.indexOf(this.token + ":");
    if (at < 0) {
      if (this.head.length > 65536) this.flush();
      return;
    }
    const nl = this.head.indexOf(10, at);
    if (nl < 0) return;
    const pid = Number(this.head.subarray(at + this.token.length + 1, nl).toString("latin1"));
    const rest = Buffer.concat([this.head.subarray(0, at), this.head.subarray(nl + 1)]);
    this.head = null;
    if (Number.isInteger(pid) && pid > 1) {
      this.pid = pid;
      this.onPid?.();
    }
    if (rest.length) this.sink(rest);
  }

  flush(): void {
    if (this.head?.length) this.sink(this.head);
    this.head = null;
  }
}
