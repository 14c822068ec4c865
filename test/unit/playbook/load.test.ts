// Valid playbooks → the typed model, with defaults applied in one place.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Action } from "../../../src/model/playbook.js";
import { DEFAULTS, loadPlaybook, slugify, validatePlaybookFile } from "../../../src/playbook/index.js";

const valid = "test/fixtures/playbooks/valid";

function tmpPlaybook(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "remedy-pb-"));
  const file = join(dir, "pb.yml");
  writeFileSync(file, text);
  return file;
}

const kinds = (actions: Action[]) => actions.map((a) => a.kind);

describe("valid fixtures", () => {
  for (const f of ["run.yml", "copy.yml", "template.yml", "reboot.yml", "kube.yml", "fail.yml", "artifact.yml"]) {
    it(`${f} validates`, async () => {
      expect(await validatePlaybookFile(join(valid, f))).toEqual([]);
    });
  }

  it("run.yml: top level, check/apply/verify/rollback and registers", async () => {
    const file = join(valid, "run.yml");
    const pb = await loadPlaybook(file);
    expect(pb.sha256).toBe(createHash("sha256").update(readFileSync(file)).digest("hex"));
    expect(pb).toMatchObject({ file, name: "pipe-user-pages-soft", hosts: "k8s_cluster", become: true, anyErrorsFatal: false, serial: [1, "30%"], maxFailPercentage: 10 });
    // an unquoted 4.10 in vars keeps the author's text
    expect(pb.vars).toEqual({ pipe_pages: 0, sysctl_file: "/etc/sysctl.d/90-remedy-pipe.conf", kernel_minor: "4.10" });
    const [read, persist] = pb.steps;
    expect(read).toMatchObject({
      id: "read-the-live-value",
      tags: ["sysctl"],
      timeoutSec: 300,
      apply: [],
      rollback: [],
      check: { run: "sysctl -n fs.pipe-user-pages-soft", expectExit: [0], compliant: { exit: [0], equals: "{{ pipe_pages }}" }, register: "pipe_now" },
    });
    expect(read!.at).toBe(`${file}:14`);
    expect(persist!.id).toBe("persist-sysctl");
    expect(persist!.timeoutSec).toBe(60);
    expect(persist!.when?.source).toBe("facts.os_family == 'rhel' and facts.os_major in [7, 9]");
    expect(persist!.when?.ast).toBeDefined();
    expect(persist!.whenReason).toBe("only EL7 and EL9 are supported");
    expect(persist!.check).toEqual({ run: expect.stringContaining("grep -qx"), expectExit: [0, 1, 2], compliant: { exit: [0] } });
    expect(persist!.apply).toEqual([
      { kind: "run", run: expect.stringContaining("printf"), okExit: [0] },
      { kind: "run", run: "sysctl -p {{ sysctl_file }}", okExit: [0], timeoutSec: 30, register: "reload" },
      { kind: "run", run: expect.stringContaining("echo"), okExit: [0] },
    ]);
    // verify without run re-runs the check with the check's compliance rule
    expect(persist!.verify).toEqual({ compliant: { exit: [0] }, retries: 5, delaySec: 1 });
    expect(persist!.rollback).toEqual([{ kind: "run", run: "rm -f {{ sysctl_file }}", okExit: [0] }]);
  });

  it("copy.yml: src + sha256 and inline content", async () => {
    const pb = await loadPlaybook(join(valid, "copy.yml"));
    expect(pb.steps[0]!.apply).toEqual([
      { kind: "copy", src: "files/route.patch", dest: "/var/lib/remedy/route.patch", mode: "0644", owner: "root", group: "root", backup: true, sha256: "53e2d49f1d5b0518a0ba4b7a6656bd038162ed841a93536feec5317f4ce4562a", template: false },
    ]);
    expect(pb.steps[1]!.apply).toEqual([{ kind: "copy", content: "fs.pipe-user-pages-soft = 0\n", dest: "/etc/sysctl.d/90-x.conf", backup: false, template: false }]);
  });

  it("template.yml: template is a copy with template: true; not_applicable", async () => {
    const pb = await loadPlaybook(join(valid, "template.yml"));
    expect(pb.steps[0]!.check!.notApplicable).toEqual({ match: { exit: [0], stdout: "^generic-receive-offload: \\S+ \\[fixed\\]" }, reason: "GRO cannot be changed on this NIC" });
    expect(pb.steps[1]!.apply).toEqual([
      { kind: "copy", src: "files/ifcfg.tmpl", dest: "/etc/sysconfig/network-scripts/ifcfg-{{ facts.default_iface }}", mode: "0644", backup: true, template: true },
      { kind: "copy", content: "# {{ offload_features }} off on {{ host }}\n", dest: "/etc/remedy/offloads.note", backup: false, template: true },
    ]);
  });

  it("reboot.yml: reboot with options and reboot: true (defaults)", async () => {
    const pb = await loadPlaybook(join(valid, "reboot.yml"));
    expect(pb.serial).toEqual([1]);
    const apply = pb.steps[1]!.apply;
    expect(kinds(apply)).toEqual(["run", "reboot", "reboot"]);
    expect(apply[1]).toEqual({ kind: "reboot", timeoutSec: 900, testCommand: "uname -r", expect: "{{ target_kernel }}", stableSec: 30, command: DEFAULTS.rebootCommand, connectTimeoutSec: 5 });
    expect(apply[2]).toEqual({ kind: "reboot", timeoutSec: 600, testCommand: "whoami", stableSec: 0, command: 'shutdown -r now "Reboot initiated by remedy"', connectTimeoutSec: 10 });
    expect(pb.steps[1]!.verify).toEqual({ run: "uname -r | grep -q '^4\\.19\\.'", compliant: { exit: [0] }, retries: 3, delaySec: 2 });
  });

  it("kube.yml: cordon/drain/uncordon", async () => {
    const pb = await loadPlaybook(join(valid, "kube.yml"));
    expect(pb.serial).toEqual(["25%"]);
    expect(pb.steps[0]!.apply).toEqual([
      { kind: "cordon", timeoutSec: 60 },
      { kind: "drain", delegateTo: "{{ groups.kube_control_plane[0] }}", timeoutSec: 120, leaveCordonedOnFailure: true },
      { kind: "run", run: "touch /var/lib/remedy/runc-ok", okExit: [0] },
      { kind: "uncordon", node: "{{ host }}", delegateTo: "localhost", timeoutSec: 30 },
    ]);
    expect(pb.steps[0]!.rollback).toEqual([{ kind: "uncordon", timeoutSec: 60 }]);
  });

  it("fail.yml: an apply-only step", async () => {
    const pb = await loadPlaybook(join(valid, "fail.yml"));
    expect(pb.steps[0]!.check).toBeUndefined();
    expect(pb.steps[0]!.apply).toEqual([{ kind: "fail", message: expect.stringContaining("{{ host }} runs cgroup v2") }]);
  });

  it("artifact.yml: builder, key, build list and string", async () => {
    const pb = await loadPlaybook(join(valid, "artifact.yml"));
    expect(pb.steps[0]!.apply[0]).toEqual({
      kind: "artifact",
      name: "livepatch-route.ko",
      key: ["{{ facts.kernel }}", "{{ facts.arch }}"],
      builder: "kube_control_plane",
      build: ["kpatch-build -t vmlinux route.patch"],
      output: "livepatch-route.ko",
      dest: "/var/lib/remedy/livepatch-route.ko",
      mode: "0600",
      owner: "root",
      timeoutSec: 3600,
    });
    expect(pb.steps[1]!.apply[0]).toMatchObject({ kind: "artifact", key: ["{{ runc_version }}", "1"], builder: "controller", build: [expect.stringContaining("git clone")], timeoutSec: 1800 });
  });
});

describe("defaults", () => {
  it("a minimal playbook gets every default", async () => {
    const pb = await loadPlaybook(tmpPlaybook("name: min\nhosts: all\nsteps:\n  - name: Only a check\n    check: test -e /x\n  - name: Fix it\n    check: test -e /y\n    apply: touch /y\n    verify: test -e /y\n"));
    expect(pb).toMatchObject({ vars: {}, anyErrorsFatal: false, become: false });
    expect(pb.serial).toBeUndefined();
    expect(pb.maxFailPercentage).toBeUndefined();
    expect(pb.description).toBeUndefined();
    expect(pb.steps[0]).toEqual({
      id: "only-a-check",
      name: "Only a check",
      tags: [],
      check: { run: "test -e /x", expectExit: [0, 1], compliant: { exit: [0] } },
      apply: [],
      rollback: [],
      timeoutSec: 300,
      at: `${pb.file}:4`,
    });
    expect(pb.steps[1]!.apply).toEqual([{ kind: "run", run: "touch /y", okExit: [0] }]);
    expect(pb.steps[1]!.verify).toEqual({ run: "test -e /y", compliant: { exit: [0] }, retries: 3, delaySec: 2 });
  });

  it("scalar exit codes become lists; a compliant match without exit gets [0]", async () => {
    const pb = await loadPlaybook(
      tmpPlaybook("name: m\nhosts: all\nsteps:\n  - name: s\n    check:\n      run: x\n      expect_exit: 3\n      compliant: {stdout: ok}\n    apply:\n      - {run: y, ok_exit: 2}\n"),
    );
    expect(pb.steps[0]!.check).toEqual({ run: "x", expectExit: [3], compliant: { exit: [0], stdout: "ok" } });
    expect(pb.steps[0]!.apply).toEqual([{ kind: "run", run: "y", okExit: [2] }]);
  });

  it("drain: true defaults to 300 s and does not leave the node cordoned", async () => {
    const pb = await loadPlaybook(tmpPlaybook("name: m\nhosts: all\nsteps:\n  - name: s\n    apply:\n      - drain: true\n"));
    expect(pb.steps[0]!.apply).toEqual([{ kind: "drain", timeoutSec: 300, leaveCordonedOnFailure: false }]);
  });

  it("extra vars override playbook vars", async () => {
    const pb = await loadPlaybook(tmpPlaybook("name: m\nhosts: all\nvars: {a: 1, b: two}\nsteps:\n  - name: s\n    check: echo {{ a }}\n"), { extraVars: { a: "9", c: "x" } });
    expect(pb.vars).toEqual({ a: "9", b: "two", c: "x" });
  });

  it("slugify makes ids from names", () => {
    expect(slugify("Set GRUB default (EL7)")).toBe("set-grub-default-el7");
    expect(slugify("  fs.pipe-user-pages-soft = 0 ")).toBe("fs.pipe-user-pages-soft-0");
    expect(slugify("!!!")).toBe("step");
  });
});

describe("semantic rules that need context", () => {
  it("a step may use names registered earlier in the same step (check → apply → verify)", async () => {
    const file = tmpPlaybook(
      "name: m\nhosts: all\nsteps:\n  - name: s\n    check: {run: uname -r, register: k}\n    apply:\n      - {run: 'echo {{ k.stdout }}', register: out}\n      - echo {{ out.rc }}\n    verify: test {{ k.stdout_lines[0] }} = x\n",
    );
    expect(await validatePlaybookFile(file)).toEqual([]);
  });

  it("an unknown plain name is left for run time, unless knownVars are given", async () => {
    const file = tmpPlaybook("name: m\nhosts: all\nsteps:\n  - name: s\n    check: echo {{ from_inventory }}\n");
    expect(await validatePlaybookFile(file)).toEqual([]);
    expect((await validatePlaybookFile(file, { knownVars: ["from_inventori"] })).map((p) => p.message)).toEqual([
      'steps[0].check: undefined variable "from_inventory"; did you mean "from_inventori"?',
    ]);
    expect(await validatePlaybookFile(file, { knownVars: ["from_inventory"] })).toEqual([]);
  });

  it("default() and defined() accept undefined names", async () => {
    const file = tmpPlaybook("name: m\nhosts: all\nsteps:\n  - name: s\n    when: not defined(nothing.stdout)\n    check: echo {{ nothing.stdout | default('') }}\n");
    expect(await validatePlaybookFile(file)).toEqual([]);
  });

  it("a register name may not shadow a var", async () => {
    const file = tmpPlaybook("name: m\nhosts: all\nvars: {k: 1}\nsteps:\n  - name: s\n    check: {run: x, register: k}\n");
    expect((await validatePlaybookFile(file)).map((p) => [p.line, p.message])).toEqual([[6, 'steps[0].check.register: register name "k" is already a var; pick another name']]);
  });

  it("copy needs exactly one of src or content", async () => {
    const file = tmpPlaybook("name: m\nhosts: all\nsteps:\n  - name: s\n    apply:\n      - copy: {dest: /x}\n");
    expect((await validatePlaybookFile(file)).map((p) => p.message)).toEqual(['steps[0].apply[0].copy: needs exactly one of "src" (a file next to the playbook) or "content"']);
  });

  it("template src files have their {{ }} checked too", async () => {
    const file = tmpPlaybook("name: m\nhosts: all\nsteps:\n  - name: s\n    apply:\n      - template: {src: t.j2, dest: /x}\n");
    writeFileSync(join(file, "..", "t.j2"), "# {{ host }}\na={{ facts.kernal }}\n");
    expect(await validatePlaybookFile(file)).toEqual([
      { file: join(file, "..", "t.j2"), line: 2, col: 3, message: `unknown fact "kernal"; did you mean "facts.kernel"? (template of steps[0].apply[0].template.src in ${file})` },
    ]);
  });

  it("{{ }} in vars is refused (vars are not templated)", async () => {
    const file = tmpPlaybook("name: m\nhosts: all\nvars:\n  a: '{{ b }}'\nsteps:\n  - name: s\n    check: x\n");
    expect((await validatePlaybookFile(file)).map((p) => [p.line, p.col])).toEqual([[4, 6]]);
  });
});

describe("YAML conveniences", () => {
  it("x- keys are ignored and <<: merges anchors", async () => {
    const pb = await loadPlaybook("test/fixtures/playbooks/valid/anchors.yml");
    expect(pb.steps.map((s) => s.check)).toEqual([
      { run: "sysctl -n fs.pipe-user-pages-soft", expectExit: [0], compliant: { exit: [0] }, timeoutSec: 10 },
      { run: "sysctl -n fs.inotify.max_user_watches", expectExit: [0], compliant: { exit: [0] }, timeoutSec: 20 },
    ]);
  });
});

describe("positions inside strings", () => {
  it("points into plain and quoted scalars, and at the start when escapes shift columns", async () => {
    const file = tmpPlaybook('name: m\nhosts: all\nsteps:\n  - name: a\n    when: "x = 1"\n    check: t\n  - name: b\n    when: "\\ty = 1"\n    check: t\n');
    expect((await validatePlaybookFile(file)).map((p) => [p.line, p.col])).toEqual([
      [5, 14],
      [8, 11],
    ]);
  });
});
