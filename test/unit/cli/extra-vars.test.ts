// -e like ansible-playbook: @file (YAML/JSON, repeatable, later wins), key=value pairs split with quoting.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseExtraVars } from "../../../src/cli/options.js";
import { InputError } from "../../../src/errors.js";

describe("-e / --extra-vars", () => {
  it("splits key=value pairs like ansible: two vars, quotes kept together and removed", () => {
    expect(parseExtraVars(["a=1 b=2"])).toEqual({ a: "1", b: "2" });
    expect(parseExtraVars([`msg="hello world" who='the team' n=3`])).toEqual({ msg: "hello world", who: "the team", n: "3" });
    expect(parseExtraVars([`q="say \\"hi\\""`])).toEqual({ q: 'say "hi"' });
    expect(parseExtraVars(["url=http://x/?a=b"])).toEqual({ url: "http://x/?a=b" });
    expect(() => parseExtraVars([`a="open`])).toThrow('unbalanced " quote');
    expect(() => parseExtraVars(["a=1 stray"])).toThrow(/expected key=value, @file or a JSON object/);
  });

  it("@file: YAML or JSON, relative to the working directory, repeatable, later wins (also over key=value)", () => {
    const dir = mkdtempSync(join(tmpdir(), "remedy-ev-"));
    writeFileSync(join(dir, "a.yml"), "kernel: 5.4.94\nlist: [1, 2]\nnested:\n  k: v\n");
    writeFileSync(join(dir, "b.json"), JSON.stringify({ kernel: "6.1", extra: true }));
    expect(parseExtraVars(["kernel=1", "@a.yml"], { cwd: dir })).toEqual({ kernel: "5.4.94", list: [1, 2], nested: { k: "v" } });
    expect(parseExtraVars(["@a.yml", `@${join(dir, "b.json")}`], { cwd: dir })).toEqual({ kernel: "6.1", list: [1, 2], nested: { k: "v" }, extra: true });
    expect(parseExtraVars(["@b.json", "kernel=7"], { cwd: dir })).toMatchObject({ kernel: "7" });
  });

  it("@file errors name the flag, the file and the fix", () => {
    const dir = mkdtempSync(join(tmpdir(), "remedy-ev-"));
    writeFileSync(join(dir, "list.yml"), "- a\n- b\n");
    writeFileSync(join(dir, "bad.yml"), "a: [1\n");
    writeFileSync(join(dir, "key.yml"), "1x: 2\n");
    expect(() => parseExtraVars(["@missing.yml"], { cwd: dir })).toThrow(`-e @missing.yml: cannot read ${join(dir, "missing.yml")} (ENOENT)`);
    expect(() => parseExtraVars(["@list.yml"], { cwd: dir })).toThrow("must hold a mapping of variable names to values");
    expect(() => parseExtraVars(["@bad.yml"], { cwd: dir })).toThrow(/bad\.yml:2:1: invalid YAML/);
    expect(() => parseExtraVars(["@key.yml"], { cwd: dir })).toThrow(/"1x" in .* is not a valid variable name/);
    expect(() => parseExtraVars(["@"], { cwd: dir })).toThrow(InputError);
  });

  it("inline JSON or YAML mappings", () => {
    expect(parseExtraVars(['{"a": [1, 2]}', "{b: c}"])).toEqual({ a: [1, 2], b: "c" });
  });
});
