// Ansible habits on the CLI, on "hosts" that are this machine (ansible_connection=local): -e @file and
// key=value pairs, --skip-tags, --list-hosts, --list-tasks, default inventory from the environment and
// ansible.cfg, `remedy config`, --timeout as a default, journals in the state dir, a declined prompt.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cli } from "../../helpers/cli.js";

const FIX = resolve("test/fixtures/cli");
let root: string;
let work: string;
let inv: string;
let pb: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "remedy-habits-"));
  work = join(root, "work");
  mkdirSync(work);
  inv = join(root, "hosts.ini");
  writeFileSync(inv, "[nodes]\nn1 ansible_connection=local\nn2 ansible_connection=local\nn3 ansible_connection=local\n");
  pb = join(root, "habits.yml");
  copyFileSync(join(FIX, "habits.yml"), pb);
  copyFileSync(join(FIX, "timeouts.yml"), join(root, "timeouts.yml"));
  // no ansible.cfg or REMEDY_* of this machine leaks in; journals go to a temp state dir
  env = { PATH: process.env.PATH, HOME: join(root, "home"), ANSIBLE_CONFIG: join(root, "none.cfg"), REMEDY_STATE_DIR: join(root, "state") };
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("listing without connecting", () => {
  it("--list-hosts: the pattern, limit and hosts (a trailing [..] is a subscript)", async () => {
    const r = await cli(["check", pb, "-i", inv, "--list-hosts", "-l", "nodes[1:2]", "-e", `work=${work}`], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`playbook: ${pb} (habits)\n  pattern: nodes  limit: nodes[1:2]\n  hosts (2):\n    n2\n    n3\n`);
    expect(readdirSync(work)).toEqual([]);
  });

  it("--list-tasks: each step with its tags and when; --tags and --skip-tags filter", async () => {
    const all = await cli(["check", pb, "-i", inv, "--list-tasks", "-e", `work=${work}`], { env });
    expect(all.stdout).toContain("  steps (2):\n    flag file exists    TAGS: [flag]\n    marker file exists  TAGS: [marker, slow]  WHEN: facts.os_family == 'debian' or facts.os_family != 'debian'\n");
    const tagged = await cli(["check", pb, "-i", inv, "--list-tasks", "-t", "marker", "-e", `work=${work}`], { env });
    expect(tagged.stdout).toContain("  steps (1):\n    marker file exists");
    const skipped = await cli(["check", pb, "-i", inv, "--list-tasks", "--skip-tags", "slow", "-e", `work=${work}`], { env });
    expect(skipped.stdout).toContain("  steps (1):\n    flag file exists  TAGS: [flag]\n");
  });
});

describe("runs", () => {
  it("--skip-tags leaves the tagged steps out of check and apply", async () => {
    const w = mkdtempSync(join(root, "skip-"));
    const r = await cli(["apply", pb, "-i", inv, "-l", "n1", "--yes", "--skip-tags", "marker", "-e", `work=${w}`], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(w).sort()).toEqual(["n1.flag"]);
  });

  it("-e @file and -e 'a=1 b=2' (later wins) reach the playbook", async () => {
    const w = mkdtempSync(join(root, "ev-"));
    writeFileSync(join(root, "vars.yml"), `work: /nonexistent\n`);
    const r = await cli(["check", pb, "-i", inv, "-l", "n1", "--list-tasks", "-e", "@vars.yml", "-e", `work=${w} other=x`], { env, cwd: root });
    expect(r.code, r.stderr).toBe(0);
    const applied = await cli(["apply", pb, "-i", inv, "-l", "n1", "--yes", "-e", `@${join(root, "vars.yml")}`, "-e", `work=${w} other=x`], { env });
    expect(applied.code, applied.stderr).toBe(0);
    expect(readdirSync(w).sort()).toEqual(["n1.flag", "n1.marker"]);
  });

  it("--timeout is a default: a step's own timeout: stays", async () => {
    const r = await cli(["apply", join(root, "timeouts.yml"), "-i", inv, "-l", "n1", "--yes", "--timeout", "1"], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^own timeout\n  \+ changed — 1 host: n1$/m);
    expect(r.stdout).toMatch(/^✗ \[n1\] default timeout: FAILED \(`sleep 2` timed out after 1s/m);
  });

  it("apply journals go to the state dir, not the working directory", async () => {
    const w = mkdtempSync(join(root, "journal-"));
    const cwd = mkdtempSync(join(root, "cwd-"));
    const r = await cli(["apply", pb, "-i", inv, "-l", "n2", "--yes", "-e", `work=${w}`], { env, cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(cwd, ".remedy"))).toBe(false);
    const runs = readdirSync(join(root, "state", "runs"));
    expect(runs.some((f) => r.stderr.includes(join(root, "state", "runs", f)))).toBe(true);
  });

  it("a declined interactive apply exits 1 and changes nothing", async () => {
    const w = mkdtempSync(join(root, "decline-"));
    const r = await cli(["apply", pb, "-i", inv, "-l", "n3", "-e", `work=${w}`], { env, tty: true, answer: false });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Nothing applied.");
    expect(readdirSync(w)).toEqual([]);
  });
});

describe("default inventory and settings", () => {
  it("without -i: REMEDY_INVENTORY, else ansible.cfg's inventory (relative to the cfg), else a clear error (exit 4)", async () => {
    const none = await cli(["check", pb, "--list-hosts"], { env, cwd: root });
    expect(none.code).toBe(4);
    expect(none.stderr).toContain("no inventory: pass -i <file or directory>, set REMEDY_INVENTORY, or set `inventory =` under [defaults] in ansible.cfg");

    const fromEnv = await cli(["check", pb, "--list-hosts"], { env: { ...env, REMEDY_INVENTORY: inv }, cwd: root });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(fromEnv.stdout).toContain("hosts (3):");
    const verbose = await cli(["check", pb, "--list-hosts", "-v", "-f", "7", "-u", "ops", "-b", "--private-key", "keys/fleet"], { env: { ...env, REMEDY_INVENTORY: inv }, cwd: root });
    expect(verbose.code, verbose.stderr).toBe(0);
    expect(verbose.stderr).toContain(
      `settings:\n  inventory = ${inv}  (environment REMEDY_INVENTORY)\n  remote_user = ops  (command line (-u/--user))\n` +
        `  private_key_file = ${join(root, "keys/fleet")}  (command line (--private-key))\n  become = true  (command line (-b/--become))\n  forks = 7  (command line (-f/--forks))\n`,
    );

    const proj = mkdtempSync(join(root, "proj-"));
    mkdirSync(join(proj, "inventory"));
    writeFileSync(join(proj, "inventory", "hosts.ini"), "[nodes]\nonly ansible_connection=local\n");
    writeFileSync(join(proj, "ansible.cfg"), "[defaults]\ninventory = inventory/hosts.ini\nforks = 5\n");
    const { ANSIBLE_CONFIG: _unset, ...noCfgEnv } = env;
    const fromCwdCfg = await cli(["check", pb, "--list-hosts"], { env: noCfgEnv, cwd: proj });
    expect(fromCwdCfg.code, fromCwdCfg.stderr).toBe(0);
    expect(fromCwdCfg.stdout).toContain("hosts (1):\n    only\n");

    const fromAnsibleConfig = await cli(["check", pb, "--list-hosts"], { env: { ...env, ANSIBLE_CONFIG: join(proj, "ansible.cfg") }, cwd: root });
    expect(fromAnsibleConfig.stdout).toContain("hosts (1):\n    only\n");
    // -i beats both
    const flag = await cli(["check", pb, "--list-hosts", "-i", inv], { env: { ...env, REMEDY_INVENTORY: "/nonexistent", ANSIBLE_CONFIG: join(proj, "ansible.cfg") }, cwd: root });
    expect(flag.stdout).toContain("hosts (3):");

    const cfg = await cli(["config", "--json"], { env: noCfgEnv, cwd: proj });
    const doc = JSON.parse(cfg.stdout) as { ansibleCfg: string; settings: Array<{ key: string; value?: string; source: string }> };
    expect(doc.ansibleCfg).toBe(join(proj, "ansible.cfg"));
    expect(doc.settings.find((s) => s.key === "inventory")).toEqual({ key: "inventory", value: join(proj, "inventory", "hosts.ini"), source: `${join(proj, "ansible.cfg")}:2 [defaults] inventory` });
    expect(doc.settings.find((s) => s.key === "forks")).toMatchObject({ value: "5", source: `${join(proj, "ansible.cfg")}:3 [defaults] forks` });
    const text = await cli(["config", "-u", "ops"], { env: { ...noCfgEnv, ANSIBLE_FORKS: "7" }, cwd: proj });
    expect(text.stdout).toMatch(/^remote_user +ops +command line \(-u\/--user\)$/m);
    expect(text.stdout).toMatch(/^forks +7 +environment ANSIBLE_FORKS$/m);
    expect(text.stdout).toMatch(/^ansible\.cfg: .*proj-.*\/ansible\.cfg$/m);
  });

  it("unlock uses the same default inventory (REMEDY_INVENTORY, else ansible.cfg), and says so without one (exit 4)", async () => {
    const target = mkdtempSync(join(root, "target-"));
    const tenv = { ...env, REMEDY_TARGET_STATE_DIR: target };
    const none = await cli(["unlock", "-l", "nodes"], { env: tenv, cwd: root });
    expect(none.code).toBe(4);
    expect(none.stderr).toContain("no inventory: pass -i <file or directory>, set REMEDY_INVENTORY, or set `inventory =` under [defaults] in ansible.cfg");
    const fromEnv = await cli(["unlock", "-l", "nodes"], { env: { ...tenv, REMEDY_INVENTORY: inv }, cwd: root });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(fromEnv.stdout).toBe("n1: not locked\nn2: not locked\nn3: not locked\n");

    const proj = mkdtempSync(join(root, "unlock-proj-"));
    writeFileSync(join(proj, "hosts.ini"), "[nodes]\nonly ansible_connection=local\n");
    writeFileSync(join(proj, "ansible.cfg"), "[defaults]\ninventory = hosts.ini\n");
    const fromCfg = await cli(["unlock", "-l", "all"], { env: { ...tenv, ANSIBLE_CONFIG: join(proj, "ansible.cfg") }, cwd: root });
    expect(fromCfg.code, fromCfg.stderr).toBe(0);
    expect(fromCfg.stdout).toBe("only: not locked\n");
  });

  it("panic-listen uses the same default inventory and says where it came from", async () => {
    const mapped = join(root, "mapped.ini");
    writeFileSync(mapped, "[nodes]\nn1 ansible_host=127.0.0.11\nn2 ansible_host=127.0.0.12\n");
    const stopped = AbortSignal.abort(); // listen, then stop at once
    const args = ["panic-listen", "-p", "0", "--bind", "127.0.0.1", "-o", join(root, "panics.jsonl")];
    const fromEnv = await cli(args, { env: { ...env, REMEDY_INVENTORY: mapped }, cwd: root, signal: stopped });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(fromEnv.stderr).toContain(`panic-listen: inventory ${mapped} (environment REMEDY_INVENTORY)\n`);
    expect(fromEnv.stderr).toMatch(/listening on udp 127\.0\.0\.1:\d+ \(2 known addresses\)/);
    const without = await cli(args, { env, cwd: root, signal: stopped });
    expect(without.code, without.stderr).toBe(0);
    expect(without.stderr).toMatch(/\(0 known addresses\)/);
    const kubectlOn = await cli([...args, "--annotate", "--kubectl-on", "n1"], { env, cwd: root, signal: stopped });
    expect(kubectlOn.code).toBe(4);
    expect(kubectlOn.stderr).toContain("--kubectl-on needs an inventory");
  });

  it("remedy inventory uses the same default inventory", async () => {
    const r = await cli(["inventory", "--graph"], { env: { ...env, REMEDY_INVENTORY: inv }, cwd: root });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("n1");
  });
});
