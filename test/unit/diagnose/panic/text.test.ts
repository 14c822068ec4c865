import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_LINE_CHARS, MAX_PACKET_BYTES, messageOf, packetLines, TRIGGER } from "../../../../src/diagnose/panic/text.js";
import { annotateCommand, MAX_ANNOTATION_CHARS } from "../../../../src/diagnose/panic/annotate.js";
import { inventoryIpMap } from "../../../../src/diagnose/panic/hosts.js";
import { formatRecordLine, normalizeIp } from "../../../../src/diagnose/panic/listener.js";
import { loadInventory } from "../../../../src/inventory/index.js";

describe("packetLines", () => {
  it("splits, drops empty lines and CR", () => {
    expect(packetLines(Buffer.from("a\r\n\nb\n"))).toEqual(["a", "b"]);
  });
  it("truncates a packet to 8 KiB and a line to MAX_LINE_CHARS", () => {
    const big = Buffer.alloc(60_000, "y");
    const lines = packetLines(Buffer.concat([Buffer.from("x".repeat(100) + "\n"), big]));
    expect(lines).toHaveLength(2);
    expect(lines[1]?.length).toBe(MAX_LINE_CHARS);
    expect(lines[1]?.endsWith("…")).toBe(true);
    const many = packetLines(Buffer.from("z\n".repeat(20_000)));
    expect(many).toHaveLength(MAX_PACKET_BYTES / 2);
  });
  it("replaces invalid UTF-8 and control characters", () => {
    const lines = packetLines(Buffer.from([0x6f, 0x6b, 0xff, 0xfe, 0x00, 0x1b, 0x5b, 0x09, 0x21]));
    expect(lines).toEqual(["ok\ufffd\ufffd\ufffd\ufffd[\t!"]);
  });
});

describe("messageOf / TRIGGER", () => {
  it("strips printk time, caller id, extended header and syslog level", () => {
    expect(messageOf("[ 8374.456345] panic+0x103/0x2db")).toBe("panic+0x103/0x2db");
    expect(messageOf("[    5.000000][    T1] Kernel panic - not syncing: x")).toBe("Kernel panic - not syncing: x");
    expect(messageOf("6,339,5140900,-;NET: Registered protocol family 10")).toBe("NET: Registered protocol family 10");
    expect(messageOf("<4>kernel BUG at net/core/skbuff.c:4044!")).toBe("kernel BUG at net/core/skbuff.c:4044!");
  });
  it("matches the panic/BUG/Oops headers only", () => {
    for (const t of ["Kernel panic - not syncing: Fatal exception", "kernel BUG at net/core/skbuff.c:4044!", "BUG: unable to handle page fault for address: 0", "Oops: 0000 [#1] SMP PTI"]) expect(TRIGGER.test(t)).toBe(true);
    for (const t of ["CPU: 1 PID: 0", "Call Trace:", "oopsie", "BUG: soft lockup - CPU#0 stuck for 22s!"]) expect(TRIGGER.test(t)).toBe(false);
  });
});

describe("annotateCommand", () => {
  it("shell-quotes the reason so /bin/sh passes it to kubectl as one argument", () => {
    const reason = `Kernel panic - not syncing: it's $(rm -rf /) "bad"`;
    const cmd = annotateCommand("node-a", reason) as string;
    const argv = execFileSync("/bin/sh", ["-c", cmd.replace(/^kubectl/, "printf '%s\\n'")], { encoding: "utf8" }).split("\n");
    expect(argv.slice(0, 5)).toEqual(["annotate", "node", "node-a", `remedy.io/kernel-panic=${reason}`, "--overwrite"]);
  });
  it("truncates the value to 256 characters (code points)", () => {
    const cmd = annotateCommand("n1", "é".repeat(400)) as string;
    const argv = execFileSync("/bin/sh", ["-c", cmd.replace(/^kubectl/, "printf '%s\\n'")], { encoding: "utf8" }).split("\n");
    expect(argv[3]).toBe(`remedy.io/kernel-panic=${"é".repeat(MAX_ANNOTATION_CHARS)}`);
  });
  it("refuses names that are not Kubernetes node names (e.g. an IP-less flag)", () => {
    expect(annotateCommand("--all", "x")).toBeUndefined();
    expect(annotateCommand("Node_A", "x")).toBeUndefined();
  });
});

describe("inventoryIpMap / normalizeIp / formatRecordLine", () => {
  it("maps ansible_host (or the host name) to the inventory host; names are resolved", async () => {
    const dir = mkdtempSync(join(tmpdir(), "remedy-panic-inv-"));
    const f = join(dir, "hosts.ini");
    writeFileSync(f, "[k8s]\nnode-a ansible_host=127.77.200.5\nnode-b ansible_host=node-b.example\n10.1.1.1\nnode-c ansible_host=127.77.200.5\nnode-d ansible_host=nowhere.invalid\n");
    const inv = await loadInventory(f);
    const r = await inventoryIpMap(inv, undefined, async (n) => {
      if (n === "node-b.example") return ["10.9.9.9", "fd00::9"];
      throw new Error(`getaddrinfo ENOTFOUND ${n}`);
    });
    expect([...r.map]).toEqual([
      ["127.77.200.5", "node-a"],
      ["10.9.9.9", "node-b"],
      ["fd00::9", "node-b"],
      ["10.1.1.1", "10.1.1.1"],
    ]);
    expect(r.shared).toEqual([{ ip: "127.77.200.5", hosts: ["node-a", "node-c"] }]);
    expect(r.unresolved.map((u) => u.host)).toEqual(["node-d"]);
  });
  it("normalizes IPv4-mapped IPv6 senders", () => {
    expect(normalizeIp("::ffff:10.0.0.5")).toBe("10.0.0.5");
    expect(normalizeIp("fd00::1")).toBe("fd00::1");
  });
  it("prints one line per record", () => {
    const line = formatRecordLine({ time: "2026-01-01T00:00:00.000Z", host: "node-a", ip: "10.0.0.5", reason: "Oops", lines: ["a", "b"], droppedLines: 0, end: "quiet" });
    expect(line).toBe("2026-01-01T00:00:00.000Z kernel panic on node-a (10.0.0.5): Oops [2 lines]\n");
  });
});
