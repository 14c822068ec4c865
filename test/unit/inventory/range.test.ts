import { describe, expect, it } from "vitest";
import { expandHostRange, RangeSyntaxError, splitHostPort } from "../../../src/inventory/range.js";

describe("expandHostRange", () => {
  it("expands zero-padded numeric ranges", () => {
    expect(expandHostRange("node[01:03]")).toEqual(["node01", "node02", "node03"]);
    expect(expandHostRange("node[01:20]")).toHaveLength(20);
    expect(expandHostRange("node[01:20]").at(-1)).toBe("node20");
  });
  it("expands unpadded ranges without padding", () => {
    expect(expandHostRange("n[8:11]")).toEqual(["n8", "n9", "n10", "n11"]);
  });
  it("supports a step", () => {
    expect(expandHostRange("node[01:09:2]")).toEqual(["node01", "node03", "node05", "node07", "node09"]);
  });
  it("supports letter ranges and a tail", () => {
    expect(expandHostRange("node[a:c]")).toEqual(["nodea", "nodeb", "nodec"]);
    expect(expandHostRange("web[1:3].example.com")).toEqual(["web1.example.com", "web2.example.com", "web3.example.com"]);
  });
  it("expands several ranges left to right", () => {
    expect(expandHostRange("r[1:2]-n[a:b]")).toEqual(["r1-na", "r1-nb", "r2-na", "r2-nb"]);
  });
  it("defaults an empty begin to 0", () => {
    expect(expandHostRange("n[:2]")).toEqual(["n0", "n1", "n2"]);
  });
  it.each([
    ["node[05:01]", /runs backwards; write \[01:05\]/],
    ["node[c:a]", /runs backwards/],
    ["node[01:100]", /same width; write \[001:100\] or \[1:100\]/],
    ["node[1:]", /no end value/],
    ["node[1:2:0]", /positive integer/],
    ["node[1:z]", /two numbers .* or two single letters/],
    ["node[1]x[1:2", /unclosed|begin:end/],
  ])("rejects %s", (pattern, msg) => {
    expect(() => expandHostRange(pattern)).toThrow(RangeSyntaxError);
    expect(() => expandHostRange(pattern)).toThrow(msg);
  });
});

describe("splitHostPort", () => {
  it("splits host:port, keeps ranges and IPv6 whole", () => {
    expect(splitHostPort("node1:2222")).toEqual({ host: "node1", port: 2222 });
    expect(splitHostPort("node[01:03]:22")).toEqual({ host: "node[01:03]", port: 22 });
    expect(splitHostPort("node[01:03]")).toEqual({ host: "node[01:03]" });
    expect(splitHostPort("fe80::1")).toEqual({ host: "fe80::1" });
    expect(splitHostPort("[fe80::1]:2200")).toEqual({ host: "fe80::1", port: 2200 });
    expect(splitHostPort("10.0.0.1")).toEqual({ host: "10.0.0.1" });
  });
});
