import { describe, expect, it } from "vitest";
import { budgetBlown, computeBatches, defaultSerialFor, serialSize } from "../../../src/engine/batches.js";
import { InputError } from "../../../src/errors.js";

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);
const sizes = (b: string[][]) => b.map((x) => x.length);

describe("serialSize", () => {
  it.each([
    [3, 10, 3],
    ["3", 10, 3],
    ["30%", 10, 3],
    ["25%", 10, 2], // floor
    ["1%", 10, 1], // at least one
    ["0%", 10, 1],
    ["100%", 7, 7],
    ["50%", 5, 2],
    ["12.5%", 16, 2],
    [0, 10, 0],
    [-1, 10, -1],
  ] as const)("%j of %i hosts → %i", (v, total, want) => {
    expect(serialSize(v, total)).toBe(want);
  });

  it.each(["abc", "30 percent", "%", "1.5", ""])("rejects %j", (v) => {
    expect(() => serialSize(v, 10)).toThrow(InputError);
  });

  it("rejects a fractional number", () => {
    expect(() => serialSize(1.5, 10)).toThrow(/whole number/);
  });
});

describe("computeBatches", () => {
  it.each([
    ["no serial = one batch", 5, undefined, [5]],
    ["empty list = one batch", 5, [], [5]],
    ["int", 10, [3], [3, 3, 3, 1]],
    ["int larger than the hosts", 3, [5], [3]],
    ["percentage", 10, ["30%"], [3, 3, 3, 1]],
    ["percentage of a small fleet is at least 1", 3, ["10%"], [1, 1, 1]],
    ["list: last value repeats", 10, [1, "30%"], [1, 3, 3, 3]],
    ["list: canary then growing", 20, [1, 5, 10], [1, 5, 10, 4]],
    ["list longer than needed", 3, [1, 1, 1, 1, 1], [1, 1, 1]],
    ["0 = the rest in one batch", 10, [0], [10]],
    ["a value <= 0 after others keeps the earlier batches (ansible drops them)", 10, [2, 0], [2, 8]],
    ["percentages are of all hosts, not of those left", 10, ["50%", "50%"], [5, 5]],
  ] as const)("%s: %i hosts, serial %j → %j", (_name, n, serial, want) => {
    const b = computeBatches(hosts(n), serial as unknown as Array<number | string> | undefined);
    expect(sizes(b)).toEqual(want);
    expect(b.flat()).toEqual(hosts(n)); // every host exactly once, in order
  });

  it("no hosts → no batches", () => {
    expect(computeBatches([], [1])).toEqual([]);
    expect(computeBatches([], undefined)).toEqual([]);
  });

  it("keeps host order across batches", () => {
    expect(computeBatches(["c", "a", "b"], [1, 2])).toEqual([["c"], ["a", "b"]]);
  });
});

describe("budgetBlown", () => {
  it.each([
    // size, failed, max%, anyErrorsFatal, blown
    [10, 0, undefined, false, false],
    [10, 0, 0, true, false],
    [10, 1, undefined, true, true], // any_errors_fatal: any failure
    [10, 1, 0, false, true], // 10% > 0%
    [10, 3, 30, false, false], // equal is not exceeded
    [10, 4, 30, false, true],
    [3, 1, 33, false, true], // 33.3% > 33
    [3, 1, 34, false, false],
    [4, 2, 50, false, false],
    [1, 1, 100, false, false], // 100% cannot be exceeded
    [5, 4, undefined, false, false], // no budget: only a fully failed batch stops the run
    [5, 5, undefined, false, true],
    [0, 0, 0, true, false],
  ] as const)("batch %i, %i failed, max %s%%, fatal %s → %s", (size, failed, max, fatal, want) => {
    expect(budgetBlown(size, failed, max, fatal)).toBe(want);
  });
});

describe("defaultSerialFor", () => {
  it("control plane and etcd members first, one at a time, then the rest in one batch", () => {
    const all = ["w1", "cp2", "w2", "etcd1", "cp1", "w3"];
    const groups = { kube_control_plane: ["cp1", "cp2"], etcd: ["cp1", "cp2", "etcd1"], kube_node: ["w1", "w2", "w3"] };
    const d = defaultSerialFor(all, groups);
    expect(d.hosts).toEqual(["cp2", "etcd1", "cp1", "w1", "w2", "w3"]);
    expect(d.serial).toEqual([1, 1, 1, 3]);
    expect(computeBatches(d.hosts, d.serial)).toEqual([["cp2"], ["etcd1"], ["cp1"], ["w1", "w2", "w3"]]);
  });

  it("only the targeted hosts count (a control-plane group member that is not targeted is ignored)", () => {
    const d = defaultSerialFor(["w1", "w2"], { kube_control_plane: ["cp1"] });
    expect(d).toEqual({ hosts: ["w1", "w2"], serial: undefined });
    expect(computeBatches(d.hosts, d.serial)).toEqual([["w1", "w2"]]);
  });

  it("only control-plane hosts → one at a time", () => {
    const d = defaultSerialFor(["cp1", "cp2", "cp3"], { "kube-master": ["cp1", "cp2", "cp3"] });
    expect(computeBatches(d.hosts, d.serial)).toEqual([["cp1"], ["cp2"], ["cp3"]]);
  });

  it("no groups → one batch", () => {
    expect(defaultSerialFor(["a", "b"], {})).toEqual({ hosts: ["a", "b"], serial: undefined });
  });
});
