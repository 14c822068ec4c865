// Groups netconsole lines into one record per panic, per sender. No I/O: the clock and timers are injected.
// A record starts at a trigger line (Kernel panic / kernel BUG at / BUG: unable to handle / Oops), carries the
// sender's last context lines before it, and ends at `---[ end Kernel panic`, after a quiet gap, or at a hard cap.
// Every buffer is bounded (lines and bytes), and so is the number of senders tracked (least recently heard evicted),
// so a flood of garbage cannot grow memory without bound.
import { END_MARKER, messageOf, packetLines, TRIGGER } from "./text.js";

export interface PanicRecord {
  /** ISO time the trigger line arrived */
  time: string;
  /** inventory host of the sender, or its IP when unknown */
  host: string;
  ip: string;
  /** the first trigger line without its printk timestamp */
  reason: string;
  /** the `Kernel panic - not syncing: ...` line (no timestamp) when the record has one */
  panic?: string;
  /** context before the trigger, the trigger, and what followed, as received */
  lines: string[];
  /** lines not kept because the record hit its cap */
  droppedLines: number;
  /** why the record was closed */
  end: "marker" | "quiet" | "max-duration" | "evicted" | "shutdown";
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Sizes ("bytes") are counted in string characters (UTF-16 code units): cheap, and within 2x of the bytes held. */
export interface GrouperLimits {
  /** lines kept per sender before a trigger (ring buffer) */
  contextLines: number;
  contextBytes: number;
  /** a record ends after this long without a packet from its sender */
  quietMs: number;
  /** and at the latest this long after it started (a sender that never stops talking) */
  maxRecordMs: number;
  maxRecordLines: number;
  maxRecordBytes: number;
  /** senders tracked at once; the least recently heard one is evicted (its open record emitted first) */
  maxSenders: number;
}

export const DEFAULT_LIMITS: GrouperLimits = {
  contextLines: 20,
  contextBytes: 8 * 1024,
  quietMs: 2000,
  maxRecordMs: 60_000,
  maxRecordLines: 500,
  maxRecordBytes: 128 * 1024,
  maxSenders: 256,
};

export interface GrouperOptions {
  onRecord: (r: PanicRecord) => void;
  /** sender IP → inventory host (unknown senders are recorded as their IP) */
  hostOf?: (ip: string) => string | undefined;
  limits?: Partial<GrouperLimits>;
  now?: () => number;
  timers?: Timers;
}

interface OpenRecord {
  startedAt: number;
  lastAt: number;
  reason: string;
  panic?: string;
  lines: string[];
  bytes: number;
  dropped: number;
  timer: unknown;
}

interface Sender {
  ip: string;
  context: string[];
  contextBytes: number;
  record?: OpenRecord;
}

export class PanicGrouper {
  private readonly senders = new Map<string, Sender>();
  private readonly limits: GrouperLimits;
  private readonly now: () => number;
  private readonly timers: Timers;
  private closed = false;

  constructor(private readonly o: GrouperOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...o.limits };
    this.now = o.now ?? Date.now;
    this.timers = o.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
  }

  /** One datagram from ip. */
  push(ip: string, packet: Buffer): void {
    if (this.closed) return;
    const lines = packetLines(packet);
    if (lines.length === 0) return;
    const s = this.sender(ip);
    for (const line of lines) this.line(s, line);
  }

  /** Emits every open record (end "shutdown") and stops accepting packets. */
  close(): void {
    this.closed = true;
    for (const s of this.senders.values()) if (s.record) this.finish(s, "shutdown");
    this.senders.clear();
  }

  /** For tests and health output: what is held in memory now. */
  stats(): { senders: number; openRecords: number; bufferedBytes: number } {
    let open = 0;
    let bytes = 0;
    for (const s of this.senders.values()) {
      bytes += s.contextBytes;
      if (s.record) {
        open++;
        bytes += s.record.bytes;
      }
    }
    return { senders: this.senders.size, openRecords: open, bufferedBytes: bytes };
  }

  private sender(ip: string): Sender {
    let s = this.senders.get(ip);
    if (s) {
      this.senders.delete(ip); // re-insert: Map order is the LRU order
    } else {
      while (this.senders.size >= this.limits.maxSenders) {
        const oldest = this.senders.values().next().value as Sender;
        if (oldest.record) this.finish(oldest, "evicted");
        this.senders.delete(oldest.ip);
      }
      s = { ip, context: [], contextBytes: 0 };
    }
    this.senders.set(ip, s);
    return s;
  }

  private line(s: Sender, line: string): void {
    const msg = messageOf(line);
    const r = s.record;
    if (r) {
      r.lastAt = this.now();
      if (r.panic === undefined && /Kernel panic - not syncing/.test(msg)) r.panic = msg;
      if (r.lines.length < this.limits.maxRecordLines && r.bytes + line.length <= this.limits.maxRecordBytes) {
        r.lines.push(line);
        r.bytes += line.length;
      } else r.dropped++;
      if (END_MARKER.test(msg)) this.finish(s, "marker");
      return;
    }
    if (TRIGGER.test(msg)) {
      const t = this.now();
      const lines = [...s.context, line];
      const rec: OpenRecord = {
        startedAt: t,
        lastAt: t,
        reason: msg,
        ...(/Kernel panic - not syncing/.test(msg) ? { panic: msg } : {}),
        lines,
        bytes: s.contextBytes + line.length,
        dropped: 0,
        timer: undefined,
      };
      s.context = [];
      s.contextBytes = 0;
      s.record = rec;
      if (END_MARKER.test(msg)) return this.finish(s, "marker");
      this.arm(s, this.limits.quietMs);
      return;
    }
    s.context.push(line);
    s.contextBytes += line.length;
    while (s.context.length > this.limits.contextLines || s.contextBytes > this.limits.contextBytes) {
      s.contextBytes -= (s.context.shift() as string).length;
    }
  }

  /** One timer per open record; on firing it re-arms for the rest of the quiet gap if packets came meanwhile. */
  private arm(s: Sender, ms: number): void {
    const r = s.record as OpenRecord;
    r.timer = this.timers.setTimeout(() => {
      if (s.record !== r) return;
      const t = this.now();
      if (t - r.startedAt >= this.limits.maxRecordMs) return this.finish(s, "max-duration");
      const quietFor = t - r.lastAt;
      if (quietFor >= this.limits.quietMs) return this.finish(s, "quiet");
      this.arm(s, Math.min(this.limits.quietMs - quietFor, r.startedAt + this.limits.maxRecordMs - t));
    }, Math.max(1, ms));
  }

  private finish(s: Sender, end: PanicRecord["end"]): void {
    const r = s.record;
    if (!r) return;
    s.record = undefined;
    if (r.timer !== undefined) this.timers.clearTimeout(r.timer);
    const rec: PanicRecord = {
      time: new Date(r.startedAt).toISOString(),
      host: this.o.hostOf?.(s.ip) ?? s.ip,
      ip: s.ip,
      reason: r.reason,
      ...(r.panic !== undefined ? { panic: r.panic } : {}),
      lines: r.lines,
      droppedLines: r.dropped,
      end,
    };
    this.o.onRecord(rec);
  }
}
