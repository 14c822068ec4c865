// `when` expressions: parse errors with columns, evaluation tables, RPM version comparison.
import { describe, expect, it } from "vitest";
import { sampleFacts } from "../../helpers/facts.js";
import { compareVersions, ConditionError, evalCondition, ExpressionSyntaxError, InterpolationError, parseCondition, type Scope } from "../../../src/playbook/index.js";

const scope: Scope = {
  vars: { target_kernel: "4.19.12-1.el7.elrepo.x86_64", flag: "false", on: "yes", n: "7", list: ["a", "b"], map: { k: 1 }, nothing: null },
  facts: sampleFacts({ boot_id: "b1" }),

  host: "node1",
  groups: { kube_control_plane: ["cp1"], kube_node: ["node1", "node2"] },
  registered: { k: { stdout: "4.19.12-1.el7.elrepo.x86_64\n", stderr: "", rc: 0, stdout_lines: ["4.19.12-1.el7.elrepo.x86_64"] } },
};

const ev = (src: string) => evalCondition(parseCondition(src), scope);

describe("evaluation", () => {
  it.each<[string, boolean]>([
    ["true", true],
    ["false", false],
    ["facts.os_major == 7", true],
    ["facts.os_major != 7", false],
    ["facts.os_major == '7'", true],
    ["n == 7", true],
    ["facts.os_major >= 7 and facts.os_major < 9", true],
    ["facts.os_major > 7 or facts.os_id == 'centos'", true],
    ["not facts.os_major == 9", true],
    ["not (facts.os_major == 7 and facts.arch == 'x86_64')", false],
    ["facts.os_major in [7, 9]", true],
    ["facts.os_id not in ['rocky', 'almalinux']", true],
    ["'cp1' in groups.kube_control_plane", true],
    ["host in groups.kube_node", true],
    ["host in groups['kube_control_plane']", false],
    ["'el7' in facts.kernel", true],
    ["'k' in map", true],
    ["groups.kube_node[-1] == 'node2'", true],
    ["k.rc == 0 and k.stdout_lines[0] == target_kernel", true],
    ["version_compare(facts.kernel, '<', '4.19')", true],
    ["version_compare(k.stdout, '>=', '4.19')", true],
    ["version_compare(facts.kernel, '==', '3.10.0-957.el7.x86_64')", true],
    ["version_compare(facts.os_version, 'ge', '7.6')", true],
    ["matches(facts.kernel, '^3\\.10\\.0-')", true],
    ["matches(k.stdout, '^4\\.19\\.')", true],
    ["contains(facts.kernel, 'el7')", true],
    ["contains(list, 'c')", false],
    ["defined(k.stdout)", true],
    ["defined(nope)", false],
    ["defined(facts.nope)", false],
    ["nope is not defined", true],
    ["facts.kernel is defined", true],
    ["defined(nope) and nope.rc == 0", false],
    ["flag", false],
    ["on", true],
    ["nothing == null", true],
    ["list == ['a', 'b']", true],
    ["'b' < 'c'", true],
    ["-1 < 0", true],
    ['"double" == \'double\'', true],
    ["True and not False", true],
  ])("%s → %s", (src, want) => {
    expect(ev(src)).toBe(want);
  });

  it("an undefined name is an InterpolationError; wrong types are ConditionErrors", () => {
    expect(() => ev("nope == 1")).toThrow(InterpolationError);
    expect(() => ev("facts.kernel")).toThrow(ConditionError);
    expect(() => ev("list < 3")).toThrow(/for versions use version_compare/);
    expect(() => ev("1 in 2")).toThrow(ConditionError);
    expect(() => ev("version_compare('1', op, '2')")).toThrow(InterpolationError);
  });

  it("evaluates a Condition without an AST (e.g. read back from JSON) by parsing its source", () => {
    expect(evalCondition({ source: "facts.os_major == 7" }, scope)).toBe(true);
  });
});

describe("syntax errors name the column", () => {
  it.each<[string, number, RegExp]>([
    ["facts.os_major = 7", 16, /use "==" to compare/],
    ["facts.os_major == ", 19, /unexpected end of expression; expected a value/],
    ["(a == 1", 8, /"\)" to close \(/],
    ["a == 1 b", 8, /expected "and", "or" or the end/],
    ["foo(a)", 1, /unknown function "foo"/],
    ["version_compare(a, '~', '1')", 20, /operator must be one of/],
    ["version_compare(a, '<')", 1, /takes 3 argument/],
    ["matches(a, '(')", 12, /invalid regex/],
    ["defined('x')", 1, /defined\(\) takes a variable/],
    ["a == 'open", 6, /unterminated string/],
    ["a && b", 3, /use "and", "or", "not"/],
    ["kernel == 4.19.2", 11, /quote version strings/],
    ["a is empty", 6, /"defined" after "is"/],
    ["", 1, /empty expression/],
    ["a and or b", 7, /expected a value/],
  ])("%j at column %i", (src, col, re) => {
    let err: unknown;
    try {
      parseCondition(src);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExpressionSyntaxError);
    expect((err as ExpressionSyntaxError).col).toBe(col);
    expect((err as ExpressionSyntaxError).message).toMatch(re);
  });
});

describe("compareVersions (rpm)", () => {
  it.each<[string, string, -1 | 0 | 1]>([
    ["4.19.12-1.el7.elrepo.x86_64", "4.19", 1],
    ["3.10.0-957.el7.x86_64", "4.19", -1],
    ["3.10.0-1160.el7.x86_64", "3.10.0-957.el7.x86_64", 1],
    ["3.10.0-957.21.3.el7.x86_64", "3.10.0-957.el7.x86_64", 1],
    ["5.4.268-1.el7.elrepo.x86_64", "4.19.12-1.el7.elrepo.x86_64", 1],
    ["4.19.12-1.el7", "4.19.12", 0],
    ["4.19", "4.19.0", -1],
    ["1.0", "1.0", 0],
    ["1.01", "1.1", 0],
    ["1.10", "1.9", 1],
    ["1.0a", "1.0", 1],
    ["1.0a", "1.0.1", -1],
    ["1.0~rc1", "1.0", -1],
    ["1.0~rc1", "1.0~rc2", -1],
    ["1.0^git1", "1.0", 1],
    ["1.0^git1", "1.0.1", -1],
    ["1:1.0", "2.0", 1],
    ["1.1.1", "1.1.0-rc93", 1],
    ["7.6.1810", "7.6", 1],
    ["9.1", "9.10", -1],
    ["a", "1", -1],
  ])("%s vs %s → %i", (a, b, want) => {
    expect(compareVersions(a, b)).toBe(want);
    expect(compareVersions(b, a)).toBe(want === 0 ? 0 : -want);
  });
});
