// The shipped playbooks without a lab: they load, carry their header, ship route.patch byte for byte, keep checks
// read-only, and their match rules decide correctly on the exact tool outputs of domain-facts.md.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadPlaybook, validatePlaybookFile } from "../../../src/playbook/index.js";
import { decideCheck } from "../../../src/engine/decide.js";
import type { Playbook, Step } from "../../../src/model/playbook.js";
import type { ExecResult } from "../../../src/transport/transport.js";

const DIR = fileURLToPath(new URL("../../../playbooks/", import.meta.url));
const FILES = readdirSync(DIR).filter((f) => f.endsWith(".yml")).sort();
const ROUTE_SHA = "53e2d49f1d5b0518a0ba4b7a6656bd038162ed841a93536feec5317f4ce4562a";

const load = (f: string) => loadPlaybook(join(DIR, f));
const step = (pb: Playbook, id: string): Step => {
  const s = pb.steps.find((x) => x.id === id);
  if (!s) throw new Error(`${pb.file}: no step ${id}`);
  return s;
};
const result = (stdout: string, exitCode = 0): ExecResult => ({ stdout, stderr: "", exitCode, signal: null, timedOut: false, durationMs: 1 }) as ExecResult;

describe("playbooks/*.yml", () => {
  it("are the seven playbooks of the issue", () => {
    expect(FILES).toEqual(["ethtool-offload.yml", "kernel-upgrade.yml", "kpatch-route.yml", "netconsole.yml", "runc-nokmem.yml", "runc-upgrade.yml", "sysctl-revert.yml"]);
  });

  it.each(FILES)("%s validates (schema + semantics) and loads", async (f) => {
    expect(await validatePlaybookFile(join(DIR, f))).toEqual([]);
    const pb = await load(f);
    expect(pb.become).toBe(true);
    expect(pb.steps.length).toBeGreaterThan(0);
  });

  it.each(FILES)("%s starts with the header: symptom, cause, sources, changes, reboot, undo, variables", (f) => {
    const header = readFileSync(join(DIR, f), "utf8").split("\nname:")[0]!;
    for (const word of ["Symptom", "Cause", "Source", "What it changes", "Reboots:", "Undo:", "Variables"]) expect(header, `${f} header lacks ${word}`).toContain(word);
  });

  // A check runs in dry runs: it must only observe. Anything that writes, installs or (re)starts is refused here.
  const WRITES = [
    /\b(yum|dnf)\s+(-y\s+)?(--\S+\s+)*(install|localinstall|remove|erase|update)\b/,
    /\bsystemctl\s+(start|stop|restart|enable|disable|daemon-reload)\b/,
    /\bsysctl\s+(-\w+\s+)*-w\b/,
    /\bsed\s+-i\b/,
    /(^|[;&|]\s*|\s)(rm|mv|cp|mkdir|tee|touch|chmod|insmod|rmmod|modprobe|reboot|shutdown)\s/m,
    /\bethtool\s+-K\b/,
    /\bnmcli\s+(c|con|connection)\s+(modify|up|down)\b/,
    /\b(grub2-set-default|grub2-mkconfig|grub2-editenv)\b|\bgrubby\s+--set/,
    /\bkpatch\s+(load|unload|install|uninstall)\b/,
    /\bdocker\s+(run|rm|stop|kill)\b/,
    />>?\s*(?!\/dev\/null|&)[^\s&]/,
  ];
  it.each(FILES)("%s: every check is read-only", async (f) => {
    for (const s of (await load(f)).steps) {
      if (!s.check) continue;
      const body = s.check.run.replace(/^\s*#.*$/gm, "");
      for (const re of WRITES) expect(re.test(body), `${f} step ${s.id} check matches ${re}:\n${body}`).toBe(false);
    }
  });
});

describe("route.patch (pingcap/kdt kpatchs/route.patch, domain-facts §1.1)", () => {
  const patch = readFileSync(join(DIR, "files/route.patch"));
  it("is 485 bytes with the documented sha256 and md5, TAB-indented, no diff header line", () => {
    expect(patch.length).toBe(485);
    expect(createHash("sha256").update(patch).digest("hex")).toBe(ROUTE_SHA);
    expect(createHash("md5").update(patch).digest("hex")).toBe("04b942a6ebbd14f1fc1d0ede8da2959f");
    const text = patch.toString("utf8");
    expect(text).toContain("\n \t\tif (fnhe->fnhe_daddr == daddr) {\n");
    expect(text).toContain("\n+\t\t\tfnhe->fnhe_daddr = 0;\n");
    expect(text.startsWith("--- a/net/ipv4/route.c\t2018-10-05")).toBe(true);
    expect(text).not.toMatch(/^diff /m);
  });

  it("kpatch-route builds from a byte-identical copy (the printf in the artifact build) and copies files/route.patch with its sha256", async () => {
    const pb = await load("kpatch-route.yml");
    const s = step(pb, "livepatch-route");
    const copy = s.apply.find((a) => a.kind === "copy");
    expect(copy).toMatchObject({ src: "files/route.patch", sha256: ROUTE_SHA });
    const art = s.apply.find((a) => a.kind === "artifact");
    if (art?.kind !== "artifact") throw new Error("no artifact action");
    expect(art.key).toContain("{{ facts.kernel }}");
    const cmd = art.build.find((b) => b.includes("printf '%b\\n'"));
    expect(cmd).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), "remedy-route-"));
    try {
      execFileSync("sh", ["-c", cmd!], { cwd: dir, stdio: "pipe" });
      expect(readFileSync(join(dir, "route.patch")).equals(patch)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("match rules against the documented tool outputs", () => {
  it("ethtool-offload: off/off compliant, on not, `on [fixed]` not applicable (domain-facts §2.1)", async () => {
    const c = step(await load("ethtool-offload.yml"), "offload-live").check!;
    expect(decideCheck(c, result("generic-segmentation-offload: off\ngeneric-receive-offload: off\n")).kind).toBe("compliant");
    expect(decideCheck(c, result("generic-segmentation-offload: off [requested on]\ngeneric-receive-offload: off\n")).kind).toBe("compliant");
    expect(decideCheck(c, result("generic-segmentation-offload: on\ngeneric-receive-offload: on\n")).kind).toBe("not_compliant");
    expect(decideCheck(c, result("generic-segmentation-offload: off\ngeneric-receive-offload: on\n")).kind).toBe("not_compliant");
    const fixed = decideCheck(c, result("generic-segmentation-offload: on\ngeneric-receive-offload: on [fixed]\n"));
    expect(fixed).toMatchObject({ kind: "not_applicable", reason: expect.stringContaining("[fixed]") });
    expect(decideCheck(c, result("", 2)).kind).toBe("error");
  });

  it("kpatch-route: `kpatch list` with livepatch_route [enabled] is compliant, enabling.../absent are not (domain-facts §1.4)", async () => {
    const c = step(await load("kpatch-route.yml"), "livepatch-route").check!;
    const list = (state: string) => `Loaded patch modules:\nlivepatch_route [${state}]\n\nInstalled patch modules:\nlivepatch_route (3.10.0-957.el7.x86_64)\nkpatch.service: enabled\n`;
    expect(decideCheck(c, result(list("enabled"))).kind).toBe("compliant");
    expect(decideCheck(c, result(list("enabling..."), 1)).kind).toBe("not_compliant");
    expect(decideCheck(c, result(list("enabling..."), 0)).kind).toBe("not_compliant");
    expect(decideCheck(c, result("Loaded patch modules:\n\nInstalled patch modules:\n", 1)).kind).toBe("not_compliant");
  });

  it("runc-upgrade: only `runc version 1.0.0-rc93` is non-compliant (domain-facts §3.1)", async () => {
    const c = step(await load("runc-upgrade.yml"), "runc-not-rc93").check!;
    const v = (x: string) => decideCheck(c, result(`runc version ${x}\ncommit: 12644e614e25b05da6fd08a38ffa0cfe1903fdec\nspec: 1.0.2-dev\n`)).kind;
    expect(v("1.0.0-rc93")).toBe("not_compliant");
    expect(v("1.0.0-rc93+dev")).toBe("not_compliant");
    expect(v("1.0.0-rc94")).toBe("compliant");
    expect(v("1.1.1")).toBe("compliant");
    expect(v("1.0.0-rc5+dev.docker-18.06")).toBe("compliant");
  });

  it("sysctl-revert: the gate shell accepts rc94+ and final releases, refuses older runc", async () => {
    const run = step(await load("sysctl-revert.yml"), "runc-fixed").check!.run;
    // the version logic of the check, run against fake runc binaries
    const dir = mkdtempSync(join(tmpdir(), "remedy-gate-"));
    try {
      const gate = (version: string): number => {
        const bin = join(dir, "runc");
        execFileSync("sh", ["-c", `printf '#!/bin/sh\\necho "runc version %s"\\n' '${version}' >${bin} && chmod 755 ${bin}`]);
        const cmd = run.replace(/\{\{ runc_bin\.stdout \| default\(''\) \| trim \}\}/, bin);
        try {
          execFileSync("sh", ["-c", cmd], { stdio: "pipe" });
          return 0;
        } catch (e) {
          return (e as { status: number }).status;
        }
      };
      expect(gate("1.0.0-rc93")).toBe(1);
      expect(gate("1.0.0-rc5+dev.docker-18.06")).toBe(1);
      expect(gate("1.0.0-rc94")).toBe(0);
      expect(gate("1.0.0-rc95")).toBe(0);
      expect(gate("1.0.0")).toBe(0);
      expect(gate("1.1.1")).toBe(0);
      expect(gate("0.1.1")).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("netconsole: the config check compares the whole file with the template (SYSLOGPORT=6666 explicit)", async () => {
    const pb = await load("netconsole.yml");
    const s = step(pb, "netconsole-config");
    const tpl = s.apply[0];
    expect(tpl).toMatchObject({ kind: "copy", template: true, dest: "/etc/sysconfig/netconsole" });
    expect(s.check!.compliant.equals).toBe((tpl as { content: string }).content);
    expect(s.check!.compliant.equals).toMatch(/^SYSLOGPORT=\{\{ netconsole_port \}\}$/m);
    expect(pb.vars.netconsole_port).toBe(6666);
    expect(pb.vars.netconsole_target).toBe("");
    expect(step(pb, "collector-set").apply[0]).toMatchObject({ kind: "fail" });
  });

  it("netconsole: the sysconfig template is declared shell syntax and its inputs are typed (issue 13)", async () => {
    const pb = await load("netconsole.yml");
    expect(step(pb, "netconsole-config").apply[0]).toMatchObject({ kind: "copy", template: true, syntax: "shell" });
    expect(pb.inputs).toMatchObject({ netconsole_target: { type: "host", required: true }, netconsole_port: { type: "port" }, netconsole_dev: { type: "interface" }, netconsole_mac: { type: "mac" } });
  });

  it("every shipped playbook declares a typed input for each of its vars", async () => {
    for (const f of FILES) {
      const pb = await load(f);
      expect(Object.keys(pb.inputs ?? {}).sort(), f).toEqual(expect.arrayContaining(Object.keys(pb.varsAt ?? {}).sort()));
    }
  });
});
