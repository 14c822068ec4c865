// Real UDP on loopback: senders bound to 127.77.x.y addresses (the lab's address range) exercise the IP → host map.
import { createSocket, type Socket } from "node:dgram";
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startPanicListener, type PanicListener, type PanicRecord } from "../../../src/diagnose/panic/index.js";
import { panicListenCommand } from "../../../src/cli/commands/panic-listen.js";
import { panicLines, sendPanic } from "../../../src/lab/panic.js";
import type { ExecResult } from "../../../src/transport/transport.js";

// an address block no lab uses (labs start at 127.77.0.1 and test labs at index 1024 = 127.77.4.0)
const NODE_A = "127.77.250.5";
const STRANGER = "127.77.250.6";

const listeners: PanicListener[] = [];
afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.close()));
});

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "remedy-panic-"));
}

function waitRecord(l: PanicListener, n = 1, timeoutMs = 10_000): Promise<PanicRecord[]> {
  const got: PanicRecord[] = [];
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`only ${got.length} of ${n} records within ${timeoutMs} ms`)), timeoutMs);
    l.onRecord((r) => {
      got.push(r);
      if (got.length === n) {
        clearTimeout(t);
        resolve(got);
      }
    });
  });
}

async function bound(address: string): Promise<Socket> {
  const s = createSocket("udp4");
  await new Promise<void>((res, rej) => {
    s.once("error", rej);
    s.bind({ address, port: 0 }, () => res());
  });
  return s;
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setImmediate(r));
}

/** Waits until count() reaches target, or stops moving for 20 ms (a dropped datagram never arrives). */
async function caughtUp(count: () => number, target: number): Promise<void> {
  let last = -1;
  let since = Date.now();
  while (count() < target) {
    const n = count();
    if (n !== last) [last, since] = [n, Date.now()];
    else if (Date.now() - since > 20) return;
    await new Promise((r) => setImmediate(r));
  }
}

function send(s: Socket, data: Buffer | string, port: number): Promise<void> {
  return new Promise((res, rej) => s.send(data, port, "127.0.0.1", (e) => (e ? rej(e) : res())));
}

describe("panic-listen over UDP", () => {
  it("records the lab's panic from a known node once, appends it to the JSONL file and annotates the node", async () => {
    const dir = tmp();
    const out = join(dir, "sub", "panics.jsonl");
    const annotations: string[] = [];
    const annotate = async (cmd: string): Promise<ExecResult> => {
      annotations.push(cmd);
      return { exitCode: 0, stdout: "node/node-a annotated\n", stderr: "", durationMs: 1 };
    };
    const warnings: string[] = [];
    const printed: string[] = [];
    const l = await startPanicListener({
      port: 0,
      bind: "127.0.0.1",
      hosts: new Map([[NODE_A, "node-a"]]),
      outFile: out,
      print: (s) => printed.push(s),
      warn: (s) => warnings.push(s),
      annotate,
      limits: { quietMs: 300 },
    });
    listeners.push(l);
    const rec = waitRecord(l, 2);
    await sendPanic(NODE_A, { ip: "127.0.0.1", port: l.port }, panicLines(3601.22, "node-a"));
    await sendPanic(STRANGER, { ip: "127.0.0.1", port: l.port }, ["[  12.000000] Kernel panic - not syncing: VFS: Unable to mount root fs\n"]);
    // by sender, not by arrival: when the event loop stalls longer than quietMs (a loaded CI machine), both
    // records fall due in one turn, and the known node's annotation (async) lets the stranger's finish first
    const got = await rec;
    const a = got.find((r) => r.ip === NODE_A);
    const b = got.find((r) => r.ip === STRANGER);
    await l.idle();
    expect(a?.host).toBe("node-a");
    expect(a?.ip).toBe(NODE_A);
    expect(a?.reason).toBe("kernel BUG at net/core/skbuff.c:4044!");
    expect(a?.lines).toHaveLength(16);
    expect(b?.host).toBe(STRANGER);
    const file = readFileSync(out, "utf8").trim().split("\n").map((x) => JSON.parse(x) as PanicRecord);
    expect(file.map((r) => [r.host, r.reason]).sort()).toEqual([
      [STRANGER, "Kernel panic - not syncing: VFS: Unable to mount root fs"],
      ["node-a", "kernel BUG at net/core/skbuff.c:4044!"],
    ].sort());
    expect(printed.join("")).toContain("kernel panic on node-a (127.77.250.5): kernel BUG at net/core/skbuff.c:4044!");
    expect(annotations).toEqual(["kubectl annotate node node-a 'remedy.io/kernel-panic=kernel BUG at net/core/skbuff.c:4044!' --overwrite"]);
    expect(warnings.join("")).toContain(`${STRANGER} is not in the inventory`);
  });

  it("survives 10,000 garbage and oversized packets from many senders without growing memory, then still records a panic", async () => {
    // records stay open through the flood (long quiet gap), so only the caps keep memory bounded
    const limits = { quietMs: 60_000, maxSenders: 64, maxRecordLines: 50, maxRecordBytes: 16 * 1024, contextBytes: 4 * 1024 };
    const l = await startPanicListener({ port: 0, bind: "127.0.0.1", hosts: new Map([[NODE_A, "node-a"]]), limits });
    listeners.push(l);
    v8.setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void; // a real full GC, so heapUsed measures what is retained
    const heap = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const senders = await Promise.all(Array.from({ length: 97 }, (_, i) => bound(`127.77.251.${i + 1}`)));
    const big = Buffer.alloc(60_000, 0x41);
    const junk = Buffer.from(Array.from({ length: 1500 }, (_, i) => (i * 7919) % 256));
    const before = heap();
    for (let i = 0; i < 10_000; i++) {
      // first half: 97 senders (more than maxSenders: LRU eviction); second half: 49 senders whose records fill up
      // (counts prime to 5, so every sender gets every kind of packet)
      const s = senders[i < 5000 ? i % 97 : i % 49] as Socket;
      const kind = i % 5;
      // oversized, binary junk, a trigger that opens a record, an 8000-byte line, a long noise line
      const data = kind === 0 ? big : kind === 1 ? junk : kind === 2 ? `[ ${i}.0] Oops: ${i} ${"x".repeat(900)}\n` : kind === 3 ? "y".repeat(8000) : `[ ${i}.1] noise ${"z".repeat(700)}\n`;
      await send(s, data, l.port);
      // pace the flood so the socket buffer (a few 60 KB datagrams) does not overflow: we want them processed
      if (i % 4 === 3) await caughtUp(() => l.stats().packets, i + 1);
    }
    await until(() => l.stats().packets >= 10_000, 2000);
    const st = l.stats();
    const grown = heap() - before;
    console.log(`flood: ${st.packets} packets, ${st.senders} senders, ${st.openRecords} open records, ${st.bufferedBytes} chars buffered, heap +${Math.round(grown / 1024)} KiB`);
    expect(st.packets).toBeGreaterThanOrEqual(9_900); // loopback may still drop a few
    expect(st.senders).toBeLessThanOrEqual(64);
    expect(st.openRecords).toBeGreaterThanOrEqual(49);
    expect(st.bufferedBytes).toBeLessThanOrEqual(64 * (4 * 1024 + 16 * 1024));
    // ~8 M characters arrived; unbounded buffering would retain several MiB, the caps keep it near 1 MiB
    expect(grown).toBeLessThan(4 * 1024 * 1024);
    await Promise.all(senders.map((s) => new Promise<void>((r) => s.close(() => r()))));
    const rec = new Promise<PanicRecord>((resolve) => l.onRecord((r) => r.host === "node-a" && resolve(r)));
    await sendPanic(NODE_A, { ip: "127.0.0.1", port: l.port }, [...panicLines(10.5, "node-a"), "[   10.600000] ---[ end Kernel panic - not syncing: Fatal exception in interrupt ]---\n"]);
    const r = await rec;
    expect(r.reason).toBe("kernel BUG at net/core/skbuff.c:4044!");
    expect(r.end).toBe("marker");
    expect(r.lines).toHaveLength(17);
  });

  it("appends to an existing JSONL file (a restart keeps earlier records) and ends a record at the end marker", async () => {
    const out = join(tmp(), "panics.jsonl");
    writeFileSync(out, '{"earlier":true}\n');
    const l = await startPanicListener({ port: 0, bind: "127.0.0.1", outFile: out });
    listeners.push(l);
    const rec = waitRecord(l, 1, 1500); // well below the 2 s quiet gap: the marker closes it
    await sendPanic(NODE_A, { ip: "127.0.0.1", port: l.port }, ["[ 1.0] Kernel panic - not syncing: x\n", "[ 1.1] ---[ end Kernel panic - not syncing: x ]---\n"]);
    await rec;
    await l.idle();
    const lines = readFileSync(out, "utf8").split("\n");
    expect(lines[0]).toBe('{"earlier":true}');
    expect(JSON.parse(lines[1] as string)).toMatchObject({ host: NODE_A, ip: NODE_A, end: "marker", reason: "Kernel panic - not syncing: x" });
    expect(lines[2]).toBe("");
  });

  it("panicListenCommand runs until aborted, flushing a record still open at the stop", async () => {
    const dir = tmp();
    const out = join(dir, "panics.jsonl");
    const ac = new AbortController();
    let port = 0;
    let finished: (code: number) => void = () => undefined;
    const done = new Promise<number>((r) => (finished = r));
    const listening = new Promise<void>((resolve) => {
      void panicListenCommand({
        port: 0,
        bind: "127.0.0.1",
        outFile: out,
        hosts: new Map([[NODE_A, "node-a"]]),
        print: () => undefined,
        warn: () => undefined,
        signal: ac.signal,
        onListening: (a) => {
          port = a.port;
          resolve();
        },
      }).then((r) => finished(r.exitCode));
    });
    await listening;
    await sendPanic(NODE_A, { ip: "127.0.0.1", port }, ["[ 5.0] Kernel panic - not syncing: Attempted to kill init!\n"]);
    await new Promise((r) => setTimeout(r, 200)); // arrives, but the 2 s quiet gap has not passed
    expect(existsSync(out) ? readFileSync(out, "utf8") : "").toBe("");
    ac.abort();
    expect(await done).toBe(0);
    const recs = readFileSync(out, "utf8").trim().split("\n").map((x) => JSON.parse(x) as PanicRecord);
    expect(recs).toHaveLength(1);
    expect(recs[0]?.end).toBe("shutdown");
    expect(recs[0]?.host).toBe("node-a");
  });
});
