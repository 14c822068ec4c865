import { spawn } from "node:child_process";
import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain .mjs module without types
import { Canvas, crc32, encodePng } from "../../../bench/lib/png.mjs";
// @ts-expect-error plain .mjs module without types
import { PALETTE, logTicks, renderChart } from "../../../bench/lib/chart.mjs";
// @ts-expect-error plain .mjs module without types
import { interleave, osSplit, parseArgs } from "../../../bench/lib/args.mjs";
// @ts-expect-error plain .mjs module without types
import { ProcessTree, parsePssKb, parseStat } from "../../../bench/lib/proc.mjs";

/** Decodes our own PNGs (filter 0, single IDAT) back to RGB. */
function decode(png: Buffer): { w: number; h: number; px: (x: number, y: number) => number[] } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let off = 8;
  let w = 0, h = 0;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString("ascii", off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    expect(png.readUInt32BE(off + 8 + len)).toBe(crc32(png.subarray(off + 4, off + 8 + len)));
    if (type === "IHDR") [w, h] = [data.readUInt32BE(0), data.readUInt32BE(4)];
    if (type === "IDAT") idat.push(data);
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  return { w, h, px: (x, y) => [...raw.subarray(y * (w * 3 + 1) + 1 + x * 3, y * (w * 3 + 1) + 4 + x * 3)] };
}

describe("png", () => {
  it("crc32 matches the PNG spec's IEND chunk crc", () => {
    expect(crc32(Buffer.from("IEND"))).toBe(0xae426082);
  });
  it("encodes pixels that decode back", () => {
    const c = new Canvas(4, 3, [255, 255, 255]);
    c.set(2, 1, [10, 20, 30]);
    const d = decode(encodePng(4, 3, c.rgb));
    expect([d.w, d.h]).toEqual([4, 3]);
    expect(d.px(2, 1)).toEqual([10, 20, 30]);
    expect(d.px(0, 0)).toEqual([255, 255, 255]);
  });
  it("draws lines end to end and text with ink", () => {
    const c = new Canvas(20, 20);
    c.line(0, 0, 19, 19, [0, 0, 0]);
    expect(c.get(0, 0)).toEqual([0, 0, 0]);
    expect(c.get(10, 10)).toEqual([0, 0, 0]);
    expect(c.get(19, 19)).toEqual([0, 0, 0]);
    expect(c.get(19, 0)).toEqual([255, 255, 255]);
    const t = new Canvas(12, 7);
    expect(t.text(0, 0, "1", [0, 0, 0])).toBe(6);
    expect(t.get(2, 6)).toEqual([0, 0, 0]); // the foot of the "1"
  });
  it("charts each series in its colour on decade ticks", () => {
    expect(logTicks(1, 100)).toEqual([1, 10, 100]);
    expect(logTicks(0.3, 25)).toEqual([0.1, 1, 10, 100]);
    const png = renderChart({ title: "t", yLabel: "s", series: [{ name: "remedy", points: [{ x: 1, y: 0.5 }, { x: 100, y: 2 }] }, { name: "ansible-raw", points: [{ x: 1, y: 1 }, { x: 100, y: 20 }] }] });
    const d = decode(png);
    const colours = new Set<string>();
    for (let y = 0; y < d.h; y += 2) for (let x = 0; x < d.w; x += 2) colours.add(d.px(x, y).join(","));
    expect(colours.has(PALETTE.remedy.join(","))).toBe(true);
    expect(colours.has(PALETTE["ansible-raw"].join(","))).toBe(true);
  });
});

describe("args", () => {
  it("parses sizes, repeat, tools and defaults", () => {
    // the reference sizes of issue 16: 10, 100, 300, 500 (ansible's command-module configurations only up to 100)
    expect(parseArgs([])).toMatchObject({ hosts: [10, 100, 300, 500], repeat: 3, apply: true, os: "mix", latency: [20, 50], latencyHosts: [10], saturate: false });
    expect(parseArgs(["--hosts", "100,1,10,10", "--repeat=1", "--tools", "remedy,ansible-raw", "--no-apply"])).toMatchObject({
      hosts: [1, 10, 100], repeat: 1, tools: ["remedy", "ansible-raw"], apply: false,
    });
  });
  it("--quick: 10 and 100 hosts, remedy + floor + ansible-raw, one repeat; later flags still override", () => {
    expect(parseArgs(["--quick"])).toMatchObject({ quick: true, hosts: [10, 100], repeat: 1, tools: ["remedy", "floor", "ansible-raw"], apply: true, latencyHosts: [10] });
    expect(parseArgs(["--quick", "--no-apply", "--latency", "0"])).toMatchObject({ hosts: [10, 100], apply: false, latency: [] });
    expect(parseArgs(["--hosts", "300,500", "--saturate", "--latency", "50", "--latency-hosts", "100"])).toMatchObject({ hosts: [300, 500], saturate: true, latency: [50], latencyHosts: [100] });
  });
  it("names the bad flag and the fix", () => {
    expect(() => parseArgs(["--hosts", "0"])).toThrow(/--hosts 0: expected an integer from 1 to 1000/);
    expect(() => parseArgs(["--tools", "salt"])).toThrow(/--tools salt: unknown; choose from remedy/);
    expect(() => parseArgs(["--repeat"])).toThrow(/--repeat needs a value/);
    expect(() => parseArgs(["--fast"])).toThrow(/unknown argument --fast/);
  });
  it("splits personalities and rotates the tool order per repeat", () => {
    expect(osSplit(5, "mix")).toEqual({ el7: 3, el9: 2 });
    expect(osSplit(5, "el9")).toEqual({ el7: 0, el9: 5 });
    expect(interleave(["a", "b", "c"], 0)).toEqual(["a", "b", "c"]);
    expect(interleave(["a", "b", "c"], 4)).toEqual(["b", "c", "a"]);
  });
});

describe("proc", () => {
  it("parses /proc/<pid>/stat with a command name holding spaces and parens", () => {
    const fields = ["S", "77", ...Array(9).fill("0"), "250", "30", "12", "4", ...Array(4).fill("0"), "9999", "0", "1234"];
    const s = parseStat(`42 (a (b) c) ${fields.join(" ")}`);
    expect(s).toMatchObject({ comm: "a (b) c", ppid: 77, utime: 250, stime: 30, cutime: 12, cstime: 4, starttime: 9999, rssPages: 1234 });
    expect(parsePssKb("Rss: 10 kB\nPss:                 2048 kB\n")).toBe(2048 * 1024);
  });
  it("tracks a grandchild of the measured process and lets it go when it exits", async () => {
    const child = spawn("sh", ["-c", "sleep 5 & echo $!; wait"], { stdio: ["ignore", "pipe", "ignore"] });
    const grandchild = await new Promise<number>((r) => child.stdout.once("data", (d) => r(Number(String(d).trim()))));
    const tree = new ProcessTree(child.pid, undefined);
    expect(tree.scan()).toEqual(expect.arrayContaining([child.pid, grandchild]));
    process.kill(grandchild, "SIGKILL");
    await new Promise((r) => child.once("close", r));
    expect(tree.scan()).not.toContain(grandchild);
  });
});
