import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
// @ts-expect-error plain .mjs module without types
import { PROBES, expectedAnswers, normalizeOutput, verifyHost } from "../../../bench/lib/probes.mjs";

type Probe = { name: string; cmd: string; exits: number[] };
const probes = PROBES as Probe[];

describe("the 8 probes agree across remedy's playbook and the ansible plays", () => {
  it("bench/probes.yml has the same names, commands and accepted exits", () => {
    const pb = parse(readFileSync("bench/probes.yml", "utf8"));
    expect(pb.steps).toHaveLength(8);
    pb.steps.forEach((s: { name: string; check: { run: string; expect_exit: number[]; compliant: { exit?: number[] } } }, i: number) => {
      expect(s.name).toBe(probes[i]!.name);
      expect(s.check.run).toBe(probes[i]!.cmd);
      expect(s.check.expect_exit).toEqual(probes[i]!.exits);
      expect(s.check.compliant.exit ?? [0]).toEqual(probes[i]!.exits);
    });
  });

  for (const [file, module] of [["bench/ansible/probes-raw.yml", "raw"], ["bench/ansible/probes-command.yml", "command"]] as const) {
    it(`${file} runs the same commands with the ${module} module and no fact gathering`, () => {
      const [play] = parse(readFileSync(file, "utf8"));
      expect(play.gather_facts).toBe(false);
      expect(play.tasks.map((t: Record<string, string>) => [t.name, t[module], t.failed_when])).toEqual(
        probes.map((p) => [p.name, p.cmd, `r.rc not in [${p.exits.join(", ")}]`]),
      );
    });
  }
});

const files: Record<string, string> = {
  "/proc/sys/kernel/osrelease": "3.10.0-957.el7.x86_64\n",
  "/proc/sys/fs/pipe-user-pages-soft": "16384\n",
  "/proc/sys/net/ipv4/ip_forward": "1\n",
  "/etc/os-release": 'NAME="CentOS Linux"\nID="centos"\n\n',
  "/etc/default/grub": "GRUB_TIMEOUT=5\nGRUB_DISABLE_SUBMENU=true\n",
};
const node = {
  read: (p: string) => files[p],
  list: (p: string) => (p === "/var/lib" ? ["rpm", "kpatch", ".hidden", "lab"] : undefined),
  exists: (p: string) => p === "/nothing",
  installed: (name: string) => (name === "kernel" ? ["kernel-3.10.0-957.el7.x86_64"] : []),
};
const good = () => [
  { ok: true, exit: 0, stdout: "3.10.0-957.el7.x86_64" },
  { ok: true, exit: 0, stdout: "16384" },
  { ok: true, exit: 0, stdout: "1" },
  { ok: true, exit: 1, stdout: "package kernel-ml is not installed" },
  { ok: true, exit: 0, stdout: 'NAME="CentOS Linux"\nID="centos"' },
  { ok: true, exit: 1, stdout: "0" },
  { ok: true, exit: 0, stdout: "kpatch\nlab\nrpm" },
  { ok: true, exit: 1, stdout: "" },
].map((g, i) => ({ name: probes[i]!.name, ...g }));

describe("verifyHost", () => {
  const expected = expectedAnswers(node);
  it("accepts the node's real answers", () => {
    expect(verifyHost(good(), expected)).toEqual([]);
  });
  it("accepts tty output (CRLF, ls in columns) as ansible raw prints it", () => {
    const g = good();
    g[0]!.stdout = "3.10.0-957.el7.x86_64\r\n";
    g[6]!.stdout = "kpatch  lab  rpm\r\n";
    expect(verifyHost(g, expected)).toEqual([]);
  });
  it("names a wrong kernel, a wrong exit code, a step that was not ok and a missing probe", () => {
    const g: Array<Record<string, unknown> | undefined> = good();
    g[0]!.stdout = "5.4.0-1.el7.x86_64";
    g[3]!.exit = 0;
    g[5]!.ok = false;
    g[7] = undefined;
    const p = verifyHost(g, expected);
    expect(p).toHaveLength(4);
    expect(p[0]).toMatch(/^kernel release: output "5.4.0-1.el7.x86_64", expected "3.10.0-957.el7.x86_64"/);
    expect(p[1]).toMatch(/^kernel-ml package: exit 0, expected 1/);
    expect(p[2]).toBe("grub menu entries: not ok");
    expect(p[3]).toBe("runc present: no result");
  });
  it("expects an installed kernel-ml and a present runc from the node's files", () => {
    const e = expectedAnswers({ ...node, installed: (n: string) => (n === "kernel-ml" ? ["kernel-ml-5.4.0-1.el7.elrepo.x86_64"] : []), exists: () => true });
    expect(e[3]).toEqual({ exit: 0, stdout: "kernel-ml-5.4.0-1.el7.elrepo.x86_64" });
    expect(e[7]).toEqual({ exit: 0, stdout: "" });
  });
  it("normalizes CR and trailing blanks only", () => {
    expect(normalizeOutput(" a\r\nb \r\n")).toBe("a\nb");
  });
});
