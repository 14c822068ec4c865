import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { collectScript, diagnoseExitCode, effectiveRunc, parseCollected, parseKpatchList, renderTable, SECTIONS, type HostDiagnosis } from "../../../src/diagnose/index.js";

describe("parseCollected", () => {
  it("records sections the host never printed (cut-short script) instead of throwing", () => {
    const obs = parseCollected("\n===REMEDY:uname===\n3.10.0-957.el7.x86_64\n===REMEDY:os===\nID=centos\n");
    expect(obs.kernel).toBe("3.10.0-957.el7.x86_64");
    expect(obs.missingSections).toContain("end");
    expect(obs.kmem.state).toBe("absent");
    expect(obs.netconsole).toBeUndefined();
    expect(obs.pipeUserPagesSoft).toBeUndefined();
  });

  it("kpatch list two-section format, including transition states and a stalled section", () => {
    const k = parseKpatchList([
      "Loaded patch modules:",
      "livepatch_route [enabled]",
      "kpatch_other [disabling...]",
      "Installed patch modules:",
      "livepatch_route (3.10.0-957.el7.x86_64)",
      "livepatch_route (3.10.0-1160.el7.x86_64)",
      "Stalled processes:",
      "1234 bash",
    ]);
    expect(k.available).toBe(true);
    expect(k.loaded).toEqual([{ name: "livepatch_route", state: "enabled" }, { name: "kpatch_other", state: "disabling..." }]);
    expect(k.installed.map((i) => i.kernel)).toEqual(["3.10.0-957.el7.x86_64", "3.10.0-1160.el7.x86_64"]);
    expect(parseKpatchList(["@@absent"]).available).toBe(false);
  });

  it("effective runc follows docker info's commit, then its default runtime", () => {
    const binaries = [
      { path: "/usr/bin/docker-runc", version: "1.0.0-rc5+dev.docker-18.06", commit: "a592beb5bc4c4092b1b1bac971afed27687340c5" },
      { path: "/usr/bin/runc", version: "1.0.0-rc93", commit: "12644e614e25b05da6fd08a38ffa0cfe1903fdec" },
    ];
    expect(effectiveRunc({ binaries, dockerRuncCommit: "12644e614e25b05da6fd08a38ffa0cfe1903fdec" })?.path).toBe("/usr/bin/runc");
    expect(effectiveRunc({ binaries, dockerDefaultRuntime: "docker-runc" })?.path).toBe("/usr/bin/docker-runc");
    expect(effectiveRunc({ binaries: [] })).toBeUndefined();
  });

  it("the real script runs under sh on this machine, prints every section and parses", () => {
    const out = execFileSync("sh", ["-c", collectScript()], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const obs = parseCollected(out);
    expect(obs.missingSections).toEqual([]);
    expect(obs.kernel).toMatch(/^\d+\.\d+/);
    for (const s of SECTIONS) expect(out).toContain(`===REMEDY:${s}===`);
  });
});

describe("exit code and table", () => {
  const clean: HostDiagnosis = { host: "a", status: "ok", kernel: "k", os: "o", clean: true, findings: [], missingSections: [] };
  const dirty: HostDiagnosis = {
    ...clean,
    host: "b",
    clean: false,
    findings: [{ id: "slub-kmem", severity: "critical", title: "t", evidence: { line: "SLUB: x", count: 3, source: "kernel" }, recommend: "runc-nokmem.yml" }],
  };
  const down: HostDiagnosis = { host: "c", status: "unreachable", error: "refused" };
  const failed: HostDiagnosis = { host: "d", status: "failed", error: "timeout" };
  it("0 clean, 2 findings, 3 unreachable, 1 failed (in that order of precedence)", () => {
    expect(diagnoseExitCode([clean])).toBe(0);
    expect(diagnoseExitCode([clean, dirty])).toBe(2);
    expect(diagnoseExitCode([dirty, down])).toBe(3);
    expect(diagnoseExitCode([dirty, down, failed])).toBe(1);
  });
  it("table: clean hosts say clean, findings show count, evidence and playbook", () => {
    const t = renderTable([clean, dirty, down]);
    expect(t).toMatch(/^a\s+clean$/m);
    expect(t).toMatch(/^b\s+critical\s+slub-kmem\s+3\s+runc-nokmem\.yml$/m);
    expect(t).toContain("kernel log: SLUB: x");
    expect(t).toMatch(/^c\s+UNREACHABLE: refused$/m);
  });
});

describe("CLI registration", () => {
  it("remedy --help lists diagnose and panic-listen; diagnose rejects a bad --forks (exit 4)", async () => {
    const { cli } = await import("../../helpers/cli.js");
    const h = await cli(["--help"]);
    expect(h.stdout).toMatch(/^\s+diagnose\b/m);
    expect(h.stdout).toMatch(/^\s+panic-listen\b/m);
    const bad = await cli(["diagnose", "-i", "/nonexistent", "--forks", "0"]);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toContain("--forks");
  });
});
