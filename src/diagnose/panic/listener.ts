// UDP netconsole collector (seed 004, Netflix "Kubernetes And Kernel Panics"): receives the kernel's last words,
// groups them into one record per panic (grouper.ts), appends each record to a JSONL file (fsync per record),
// prints it, and optionally annotates the Kubernetes node with the reason.
import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import { mkdir, open, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import type { ExecOptions, ExecResult } from "../../transport/transport.js";
import { errorMessage } from "../../errors.js";
import { PanicGrouper, type GrouperLimits, type PanicRecord, type Timers } from "./grouper.js";
import { annotateCommand } from "./annotate.js";

/** netconsole's default target port (kernel Documentation/networking/netconsole.rst, domain-facts §6) */
export const DEFAULT_PANIC_PORT = 6666;

export interface PanicListenerOptions {
  /** default 6666; 0 = any free port (tests) */
  port?: number;
  /** default 0.0.0.0 */
  bind?: string;
  /** sender IP → inventory host name */
  hosts?: ReadonlyMap<string, string>;
  /** JSONL file records are appended to (fsync per record); none if undefined */
  outFile?: string;
  /** one human line per record (stdout) */
  print?: (s: string) => void;
  /** problems that do not stop the listener (write or kubectl failures) */
  warn?: (s: string) => void;
  /** run `kubectl annotate node ...` through this (controller or a delegate transport); off if undefined */
  annotate?: (command: string, opts?: ExecOptions) => Promise<ExecResult>;
  limits?: Partial<GrouperLimits>;
  now?: () => number;
  timers?: Timers;
}

export interface PanicListener {
  readonly port: number;
  readonly address: string;
  /** subscribe; called after the record is written and printed (before the annotation finishes) */
  onRecord(cb: (r: PanicRecord) => void): () => void;
  /** resolves once every record so far is written and annotated */
  idle(): Promise<void>;
  stats(): ReturnType<PanicGrouper["stats"]> & { records: number; packets: number };
  /** stops receiving, emits open records (end "shutdown"), waits for writes, closes the file */
  close(): Promise<void>;
}

/** IPv4-mapped IPv6 (`::ffff:10.0.0.5`, dual-stack sockets) → the IPv4 text the inventory holds. */
export function normalizeIp(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? (m[1] as string) : ip;
}

export function formatRecordLine(r: PanicRecord): string {
  const who = r.host === r.ip ? r.ip : `${r.host} (${r.ip})`;
  return `${r.time} kernel panic on ${who}: ${r.reason} [${r.lines.length} lines${r.droppedLines ? `, ${r.droppedLines} dropped` : ""}]\n`;
}

export async function startPanicListener(o: PanicListenerOptions = {}): Promise<PanicListener> {
  const bind = o.bind ?? "0.0.0.0";
  const warn = o.warn ?? (() => undefined);
  const subscribers = new Set<(r: PanicRecord) => void>();
  let file: FileHandle | undefined;
  let queue: Promise<void> = Promise.resolve();
  let records = 0;
  let packets = 0;

  if (o.outFile) {
    await mkdir(dirname(o.outFile), { recursive: true });
    file = await open(o.outFile, "a", 0o640);
  }

  const handle = async (r: PanicRecord): Promise<void> => {
    records++;
    if (file) {
      try {
        await file.write(JSON.stringify(r) + "\n");
        await file.sync();
      } catch (e) {
        warn(`panic-listen: cannot append to ${o.outFile}: ${errorMessage(e)}\n`);
      }
    }
    o.print?.(formatRecordLine(r));
    for (const cb of subscribers) {
      try {
        cb(r);
      } catch (e) {
        warn(`panic-listen: record subscriber failed: ${errorMessage(e)}\n`);
      }
    }
    if (o.annotate) {
      if (r.host === r.ip) {
        warn(`panic-listen: ${r.ip} is not in the inventory; no node to annotate\n`);
        return;
      }
      const cmd = annotateCommand(r.host, r.reason);
      if (!cmd) {
        warn(`panic-listen: ${JSON.stringify(r.host)} is not a valid Kubernetes node name; not annotated\n`);
        return;
      }
      try {
        const res = await o.annotate(cmd, { timeoutMs: 30_000 });
        if (res.exitCode !== 0) warn(`panic-listen: \`${cmd}\` exited ${res.exitCode ?? res.signal}: ${res.stderr.trim() || res.stdout.trim()}\n`);
      } catch (e) {
        warn(`panic-listen: \`${cmd}\` could not run: ${errorMessage(e)}\n`);
      }
    }
  };

  const grouper = new PanicGrouper({
    // records are handled one after another, so the file gets whole lines in arrival order
    onRecord: (r) => {
      queue = queue.then(() => handle(r)).catch((e: unknown) => warn(`panic-listen: record of ${r.ip} not fully handled: ${errorMessage(e)}\n`));
    },
    hostOf: (ip) => o.hosts?.get(ip),
    limits: o.limits,
    now: o.now,
    timers: o.timers,
  });

  // a roomy receive buffer: several nodes may panic at once (the kernel caps it at net.core.rmem_max)
  const sock: Socket = createSocket({ type: isIPv6(bind) ? "udp6" : "udp4", recvBufferSize: 1 << 20 });
  sock.on("message", (msg, rinfo) => {
    packets++;
    try {
      grouper.push(normalizeIp(rinfo.address), msg);
    } catch (e) {
      warn(`panic-listen: dropped a packet from ${rinfo.address}: ${errorMessage(e)}\n`); // a bug; keep listening
    }
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    sock.once("error", onError);
    sock.bind({ port: o.port ?? DEFAULT_PANIC_PORT, address: bind, exclusive: true }, () => {
      sock.off("error", onError);
      resolve();
    });
  }).catch(async (e: unknown) => {
    await file?.close();
    throw new Error(`panic-listen: cannot listen on udp ${bind}:${o.port ?? DEFAULT_PANIC_PORT}: ${errorMessage(e)}`, { cause: e });
  });
  sock.on("error", (e) => warn(`panic-listen: socket error: ${errorMessage(e)}\n`));
  const addr = sock.address();

  let closing: Promise<void> | undefined;
  return {
    port: addr.port,
    address: addr.address,
    onRecord(cb) {
      subscribers.add(cb);
      return () => subscribers.delete(cb);
    },
    idle: async () => {
      for (let q = queue; ; q = queue) {
        await q;
        if (q === queue) return;
      }
    },
    stats: () => ({ ...grouper.stats(), records, packets }),
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => sock.close(() => resolve()));
        grouper.close();
        for (let q = queue; ; q = queue) {
          await q;
          if (q === queue) break;
        }
        await file?.close();
      })();
      return closing;
    },
  };
}
