import { describe, expect, it } from "vitest";
import { PanicGrouper, type GrouperLimits, type PanicRecord } from "../../../../src/diagnose/panic/grouper.js";
import { panicLines } from "../../../../src/lab/panic.js";
import { FakeClock } from "./fake-clock.js";

function setup(limits: Partial<GrouperLimits> = {}, hosts: Record<string, string> = { "10.0.0.5": "node-a" }) {
  const clock = new FakeClock();
  const records: PanicRecord[] = [];
  const g = new PanicGrouper({ onRecord: (r) => records.push(r), hostOf: (ip) => hosts[ip], limits, now: clock.now, timers: clock });
  const send = (ip: string, ...lines: string[]) => {
    for (const l of lines) g.push(ip, Buffer.from(l));
  };
  return { clock, records, g, send };
}

// seed 004: what a real panic looks like on the wire, one datagram per line
const NETFLIX = [
  "Kernel panic - not syncing: buffer overrun at 0x4ba4c73e73acce54\n",
  "[ 8374.456345] CPU: 1 PID: 139616 Comm: insmod Kdump: loaded Tainted: G OE\n",
  "[ 8374.458506] Hardware name: Amazon EC2 r5.2xlarge/, BIOS 1.0 10/16/2017\n",
  "[ 8374.555629] Call Trace:\n",
  "[ 8374.556147] <TASK>\n",
  "[ 8374.556601] dump_stack_lvl+0x45/0x5b\n",
  "[ 8374.557361] panic+0x103/0x2db\n",
];

describe("PanicGrouper", () => {
  it("groups the lab's 16-line skb_segment panic into one record after the quiet gap", () => {
    const { clock, records, send } = setup();
    send("10.0.0.5", "[ 3600.100000] eth0: link up\n", ...panicLines(3601.22, "node-a"));
    expect(records).toHaveLength(0);
    clock.advance(1999);
    expect(records).toHaveLength(0);
    clock.advance(1);
    expect(records).toHaveLength(1);
    const r = records[0] as PanicRecord;
    expect(r.host).toBe("node-a");
    expect(r.ip).toBe("10.0.0.5");
    expect(r.reason).toBe("kernel BUG at net/core/skbuff.c:4044!");
    expect(r.panic).toBe("Kernel panic - not syncing: Fatal exception in interrupt");
    // context before the trigger: the unrelated line and the cut-here line; then all 15 lines from the trigger on
    expect(r.lines).toHaveLength(17);
    expect(r.lines[0]).toBe("[ 3600.100000] eth0: link up");
    expect(r.lines[1]).toMatch(/\] ------------\[ cut here \]------------$/);
    expect(r.lines[16]).toMatch(/Kernel panic - not syncing: Fatal exception in interrupt$/);
    expect(r.end).toBe("quiet");
    expect(r.time).toBe(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)).toISOString());
  });

  it("records the Netflix example (trigger in the first packet, no timestamp) and strips timestamps from the reason", () => {
    const { clock, records, send } = setup();
    send("10.0.0.5", ...NETFLIX);
    clock.advance(2000);
    expect(records).toHaveLength(1);
    expect(records[0]?.reason).toBe("Kernel panic - not syncing: buffer overrun at 0x4ba4c73e73acce54");
    expect(records[0]?.lines).toHaveLength(7);
    const t = setup();
    t.send("10.0.0.5", "[  123.456789] BUG: unable to handle kernel NULL pointer dereference at 0000000000000008\n");
    t.clock.advance(2000);
    expect(t.records[0]?.reason).toBe("BUG: unable to handle kernel NULL pointer dereference at 0000000000000008");
  });

  it("ends a record at `---[ end Kernel panic` without waiting", () => {
    const { records, send, clock } = setup();
    send("10.0.0.5", "[ 1.0] Kernel panic - not syncing: Fatal exception\n", "[ 1.1] Kernel Offset: disabled\n", "[ 1.2] ---[ end Kernel panic - not syncing: Fatal exception ]---\n");
    expect(records).toHaveLength(1);
    expect(records[0]?.end).toBe("marker");
    expect(clock.timers).toBe(0);
    // lines after the end marker are context for a later panic, not a new record
    send("10.0.0.5", "[ 1.3] after\n");
    clock.advance(5000);
    expect(records).toHaveLength(1);
  });

  it("keeps a record open while packets keep coming (the quiet gap restarts)", () => {
    const { records, send, clock } = setup();
    send("10.0.0.5", "[ 1.0] kernel BUG at mm/slub.c:3000!\n");
    for (let i = 0; i < 5; i++) {
      clock.advance(1500);
      send("10.0.0.5", `[ 2.${i}] trace ${i}\n`);
    }
    expect(records).toHaveLength(0);
    clock.advance(2000);
    expect(records).toHaveLength(1);
    expect(records[0]?.lines).toHaveLength(6);
  });

  it("keeps only the last N context lines (ring buffer) and caps a record's lines", () => {
    const { records, send, clock } = setup({ contextLines: 3, maxRecordLines: 10 });
    for (let i = 0; i < 50; i++) send("10.0.0.5", `[ 1.${i}] noise ${i}\n`);
    send("10.0.0.5", "[ 2.0] Oops: 0002 [#1] SMP\n");
    for (let i = 0; i < 40; i++) send("10.0.0.5", `[ 3.${i}] trace ${i}\n`);
    clock.advance(2000);
    const r = records[0] as PanicRecord;
    expect(r.lines.slice(0, 3)).toEqual(["[ 1.47] noise 47", "[ 1.48] noise 48", "[ 1.49] noise 49"]);
    expect(r.lines).toHaveLength(10);
    expect(r.droppedLines).toBe(4 + 40 - 10);
    expect(r.reason).toBe("Oops: 0002 [#1] SMP");
  });

  it("caps the context by bytes too", () => {
    const { g, send } = setup({ contextLines: 1000, contextBytes: 4096 });
    for (let i = 0; i < 100; i++) send("10.0.0.5", "x".repeat(1000));
    expect(g.stats().bufferedBytes).toBeLessThanOrEqual(4096);
  });

  it("keeps senders apart; an unknown sender is recorded under its IP", () => {
    const { records, send, clock } = setup();
    send("10.0.0.5", "[ 1.0] kernel BUG at net/core/skbuff.c:4230!\n");
    send("10.0.0.9", "[ 7.0] Kernel panic - not syncing: Out of memory\n");
    send("10.0.0.5", "[ 1.1] RIP: 0010:skb_segment+0x3c3/0x3e0\n");
    send("10.0.0.9", "[ 7.1] CPU: 0 PID: 1\n");
    clock.advance(2000);
    expect(records.map((r) => [r.host, r.ip, r.lines.length])).toEqual([
      ["node-a", "10.0.0.5", 2],
      ["10.0.0.9", "10.0.0.9", 2],
    ]);
  });

  it("evicts the least recently heard sender beyond maxSenders, emitting its open record first", () => {
    const { records, send, g } = setup({ maxSenders: 3 });
    send("10.0.0.1", "[ 1.0] Kernel panic - not syncing: one\n");
    send("10.0.0.2", "hello\n");
    send("10.0.0.3", "hello\n");
    send("10.0.0.1", "[ 1.1] still one\n"); // 10.0.0.1 becomes the most recent
    send("10.0.0.4", "hello\n"); // evicts 10.0.0.2 (no record)
    expect(records).toHaveLength(0);
    send("10.0.0.5", "hello\n"); // evicts 10.0.0.3
    send("10.0.0.6", "hello\n"); // evicts 10.0.0.1 with its open record
    expect(records).toHaveLength(1);
    expect(records[0]?.end).toBe("evicted");
    expect(records[0]?.lines).toEqual(["[ 1.0] Kernel panic - not syncing: one", "[ 1.1] still one"]);
    expect(g.stats().senders).toBe(3);
  });

  it("closes a record that never goes quiet after maxRecordMs", () => {
    const { records, send, clock } = setup({ maxRecordMs: 10_000 });
    send("10.0.0.5", "[ 1.0] Kernel panic - not syncing: stuck\n");
    for (let i = 0; i < 30 && records.length === 0; i++) {
      clock.advance(500);
      send("10.0.0.5", "more\n");
    }
    expect(records).toHaveLength(1);
    expect(records[0]?.end).toBe("max-duration");
  });

  it("close() emits open records as shutdown and ignores later packets", () => {
    const { records, send, g, clock } = setup();
    send("10.0.0.5", "[ 1.0] kernel BUG at fs/inode.c:1!\n");
    g.close();
    expect(records.map((r) => r.end)).toEqual(["shutdown"]);
    send("10.0.0.5", "[ 1.0] Kernel panic - not syncing: late\n");
    clock.advance(5000);
    expect(records).toHaveLength(1);
    expect(clock.timers).toBe(0);
  });

  it("treats several lines in one datagram as separate lines (extended netconsole header stripped for matching)", () => {
    const { records, send, clock } = setup();
    send("10.0.0.5", "4,1234,8374456345,-;Kernel panic - not syncing: extended\n4,1235,8374456346,-;CPU: 1\n");
    clock.advance(2000);
    expect(records[0]?.reason).toBe("Kernel panic - not syncing: extended");
    expect(records[0]?.lines).toHaveLength(2);
  });
});
