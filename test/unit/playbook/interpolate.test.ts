// {{ }} interpolation: shell mode makes every value literal data for `sh -c`.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../../src/cli/exit-codes.js";
import { sampleFacts } from "../../helpers/facts.js";
import { interpolate, InterpolationError, parseTemplate, TemplateSyntaxError, type Scope } from "../../../src/playbook/index.js";

const facts = sampleFacts({ boot_id: "b1" });

function scope(vars: Record<string, unknown> = {}): Scope {
  return {
    vars,
    facts,
    host: "node1",
    groups: { kube_control_plane: ["cp1", "cp2"], kube_node: ["node1"] },
    registered: { kver: { stdout: "4.19.12-1.el7.elrepo.x86_64\n", stderr: "", rc: 0, stdout_lines: ["4.19.12-1.el7.elrepo.x86_64"], compliant: false } },
  };
}

/** What `sh -c <cmd>` prints. */
const sh = (cmd: string): string => execFileSync("/bin/sh", ["-c", cmd], { encoding: "utf8" });

const NASTY = [
  "plain",
  "two words",
  "it's",
  'say "hi"',
  "$(touch /tmp/remedy-pwned)",
  "`id`",
  "a; rm -rf /tmp/nothing",
  "line1\nline2\n",
  "$HOME ${PATH} $1 \\ \\n",
  "*",
  "-n",
  "a|b&c>d<e",
  "'",
  "''\"\"",
  "",
  "tab\there",
  "ünïcödé ✓",
];

describe("shell mode quoting", () => {
  for (const v of NASTY) {
    it(`passes ${JSON.stringify(v)} through sh -c as literal data`, () => {
      const cmd = interpolate("printf %s {{ v }}", scope({ v }), "shell");
      expect(sh(cmd)).toBe(v);
    });
  }

  it("quotes each list item as its own word", () => {
    const cmd = interpolate("printf '<%s>' {{ items }}", scope({ items: ["a b", "$(x)", "c"] }), "shell");
    expect(sh(cmd)).toBe("<a b><$(x)><c>");
  });

  it("quotes registered output and fact values", () => {
    expect(interpolate("echo {{ kver.stdout | trim }} {{ facts.kernel }}", scope(), "shell")).toBe("echo 4.19.12-1.el7.elrepo.x86_64 3.10.0-957.el7.x86_64");
    expect(sh(interpolate("printf %s {{ kver.stdout }}", scope(), "shell"))).toBe("4.19.12-1.el7.elrepo.x86_64\n");
  });

  it("raw leaves the value unquoted (author's responsibility)", () => {
    const s = scope({ opts: "-K eth0 gro off", pat: "a b" });
    expect(interpolate("ethtool {{ opts | raw }}", s, "shell")).toBe("ethtool -K eth0 gro off");
    expect(sh(interpolate("printf %s \"{{ pat | raw }}\"", s, "shell"))).toBe("a b");
  });

  it("numbers and booleans render as text", () => {
    expect(interpolate("sysctl -w x={{ n }} {{ b }}", scope({ n: 0, b: true }), "shell")).toBe("sysctl -w x=0 true");
  });
});

describe("plain mode", () => {
  it("does not quote, unless | quote", () => {
    const s = scope({ v: "a b" });
    expect(interpolate("dest=/etc/{{ v }}", s, "plain")).toBe("dest=/etc/a b");
    expect(interpolate("{{ v | quote }}", s, "plain")).toBe("'a b'");
  });

  it("looks up dotted and bracketed paths", () => {
    const s = scope({ m: { "a-b": ["x", "y"] } });
    expect(interpolate("{{ host }} {{ inventory_hostname }} {{ groups.kube_control_plane[0] }} {{ groups['kube_node'][-1] }}", s, "plain")).toBe("node1 node1 cp1 node1");
    expect(interpolate("{{ kver.rc }} {{ kver.stdout_lines[0] }} {{ kver.compliant }} {{ m['a-b'][1] }}", s, "plain")).toBe("0 4.19.12-1.el7.elrepo.x86_64 false y");
    expect(interpolate("{{ facts.os_major }}/{{ vars.m['a-b'][0] }}", s, "plain")).toBe("7/x");
  });

  it("default() covers undefined and null; trim trims", () => {
    const s = scope({ nothing: null, padded: "  x \n" });
    expect(interpolate("[{{ missing | default('none') }}][{{ nothing | default(3) }}][{{ padded | trim }}]", s, "plain")).toBe("[none][3][x]");
    expect(interpolate("{{ missing | default('a b') }}", s, "shell")).toBe("'a b'");
  });

  it("writes a literal {{ with a string head", () => {
    expect(interpolate("docker inspect --format {{ '{{.State.Pid}}' }} c", scope(), "shell")).toBe("docker inspect --format '{{.State.Pid}}' c");
    expect(interpolate("{{ '{{' }}", scope(), "plain")).toBe("{{");
  });

  it("leaves text without {{ untouched", () => {
    expect(interpolate("awk '{print $1}' } }", scope(), "shell")).toBe("awk '{print $1}' } }");
  });
});

describe("errors", () => {
  it("an undefined name throws InterpolationError naming it and the defined names", () => {
    let err: unknown;
    try {
      interpolate("echo {{ target_kernel }}", scope({ other: 1 }), "shell");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InterpolationError);
    const e = err as InterpolationError;
    expect(e.exitCode).toBe(ExitCode.Failed);
    expect(e.variable).toBe("target_kernel");
    expect(e.message).toContain('undefined variable "target_kernel" on node1');
    expect(e.message).toContain("defined names: facts, groups, host, inventory_hostname, kver, other, vars");
  });

  it("a missing key, an index out of range and a lookup into a scalar are errors", () => {
    expect(() => interpolate("{{ kver.stdou }}", scope(), "plain")).toThrow(/kver has no key "stdou"; keys: compliant, rc, stderr, stdout, stdout_lines/);
    expect(() => interpolate("{{ groups.kube_node[3] }}", scope(), "plain")).toThrow(/out of range: groups.kube_node has 1 item/);
    expect(() => interpolate("{{ facts.kernel.x }}", scope(), "plain")).toThrow(/cannot look up "x" in facts.kernel: it is string/);
    expect(() => interpolate("{{ missing | trim }}", scope(), "plain")).toThrow(InterpolationError);
  });

  it("facts missing from the scope are reported as not gathered", () => {
    const s = { ...scope(), facts: undefined };
    expect(() => interpolate("{{ facts.kernel }}", s, "plain")).toThrow(/facts were not gathered for node1/);
  });

  it.each([
    ["{{ a b }}", 5, /expected "\|" and a filter/],
    ["x {{ a | nope }}", 9, /unknown filter "nope"/],
    ["{{ a | default }}", 7, /takes 1 argument/],
    ["{{ a | raw | quote }}", 2, /cannot be combined/],
    ["echo {{ a", 5, /not closed/],
    ["{{ }}", 3, /expected a variable name/],
    ["{{ a[x] }}", 5, /an index or a quoted key/],
  ])("syntax error in %j at offset %i (0-based)", (t, offset, re) => {
    let err: unknown;
    try {
      parseTemplate(t);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplateSyntaxError);
    expect((err as TemplateSyntaxError).message).toMatch(re);
    expect((err as TemplateSyntaxError).offset).toBe(offset);
  });
});
