// Where a host's var was set (for located messages), connection-variable checks, range limits, YAML value errors.
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.js";
import { connectionVarProblems, expandHostRange, hostVarOrigin, hostVars, loadInventory, MAX_RANGE_HOSTS } from "../../../src/inventory/index.js";

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "remedy-origins-"));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, ".."), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

describe("hostVarOrigin follows hostVars precedence", () => {
  it("host_vars file > host line > group_vars file (deeper group) > [group:vars] > all", async () => {
    const dir = tree({
      "inv.ini": "[all:vars]\na=0\nb=0\nc=0\nd=0\n[g]\nn1 b=1 e=1\n[g:vars]\nc=2\n[parent:children]\ng\n",
      "group_vars/g.yml": "d: 3\n",
      "host_vars/n1.yml": "e: 4\n",
    });
    const inv = await loadInventory(join(dir, "inv.ini"));
    const f = join(dir, "inv.ini");
    expect(hostVars(inv, "n1")).toMatchObject({ a: 0, b: 1, c: 2, d: 3, e: 4 });
    expect(hostVarOrigin(inv, "n1", "a")).toEqual({ file: f, line: 2, col: 3 });
    expect(hostVarOrigin(inv, "n1", "b")).toEqual({ file: f, line: 7, col: 6 });
    expect(hostVarOrigin(inv, "n1", "c")).toEqual({ file: f, line: 9, col: 3 });
    expect(hostVarOrigin(inv, "n1", "d")).toEqual({ file: join(dir, "group_vars/g.yml"), line: 1, col: 4 });
    expect(hostVarOrigin(inv, "n1", "e")).toEqual({ file: join(dir, "host_vars/n1.yml"), line: 1, col: 4 });
    expect(hostVarOrigin(inv, "n1", "nope")).toBeUndefined();
  });
});

describe("connectionVarProblems", () => {
  it("names each bad value once, where it was set, and hides secret values", async () => {
    const dir = tree({ "inv.yml": "all:\n  vars:\n    ansible_port: [2299, 22]\n  hosts:\n    n1:\n      ansible_become: maybe\n      ansible_become_pass: [s3cr3t-X]\n    n2:\n" });
    const inv = await loadInventory(join(dir, "inv.yml"));
    const p = connectionVarProblems(inv, ["n1", "n2"]);
    const text = p.map((x) => `${x.line}:${x.col} ${x.message}`).join("\n");
    expect(p).toHaveLength(3); // the group's port once, not per host
    expect(text).toContain("3:19 host n1: ansible_port=[2299,22] is a list, but one value belongs here");
    expect(text).toContain("6:23 host n1: ansible_become=maybe is not a boolean");
    expect(text).toContain("host n1: ansible_become_pass is a list");
    expect(text).not.toContain("s3cr3t-X");
  });
});

describe("host ranges and YAML values", () => {
  it(`refuses a range of more than ${MAX_RANGE_HOSTS} hosts without expanding it`, () => {
    expect(() => expandHostRange("node[1:30000000]")).toThrow(/expands to 30000000 hosts/);
    expect(() => expandHostRange("r[1:1000]n[1:1000]")).toThrow(/1000000/);
    expect(expandHostRange("n[1:3]")).toEqual(["n1", "n2", "n3"]);
  });
  it("undefined alias, alias bomb and scalar merge are located input errors", async () => {
    for (const [text, msg, line] of [
      ["all:\n  vars:\n    a: *nope\n", /alias \*nope refers to no anchor/, 3],
      ["all:\n  vars:\n    x: &x 1\n    y:\n      <<: *x\n", /merges a mapping/, 5],
    ] as const) {
      const dir = tree({ "inv.yml": text });
      const e = await loadInventory(join(dir, "inv.yml")).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).problems[0]).toMatchObject({ line });
      expect((e as Error).message).toMatch(msg);
    }
  });
});
