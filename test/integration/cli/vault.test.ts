// ansible-vault on the CLI: fixtures encrypted by the real ansible-vault (test/fixtures/vault/generate.sh),
// opened with --vault-password-file / --vault-id / ANSIBLE_VAULT_PASSWORD_FILE / ansible.cfg; decrypted values
// reach the commands but never the output; without a password the run is refused before connecting.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cli } from "../../helpers/cli.js";

const FIX = resolve("test/fixtures/vault");
const SECRETS = ["tok-1.1-s3cr3t", "db pass 1.2 with spaces", "extra-1.2-value"];
let root: string;
let env: NodeJS.ProcessEnv;
const pb = join(FIX, "secrets.yml");

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "remedy-vault-cli-"));
  env = { PATH: process.env.PATH, HOME: join(root, "home"), ANSIBLE_CONFIG: join(root, "none.cfg"), REMEDY_STATE_DIR: join(root, "state") };
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const work = () => mkdtempSync(join(root, "work-"));
const inv = join(FIX, "inventory");
const extra = `@${join(FIX, "extra-vault.yml")}`;
const noSecretIn = (s: string) => SECRETS.forEach((x) => expect(s).not.toContain(x));

describe("vaulted inventory and -e @file", () => {
  it("remedy inventory loads vaulted files with the password and never shows a decrypted value", async () => {
    // in-process, without the helper's JSON-lines parsing (inventory --json is one pretty document)
    const { runCli } = await import("../../../src/cli/program.js");
    const r = { stdout: "", stderr: "", code: 0 };
    const io = { out: (x: string) => void (r.stdout += x), err: (x: string) => void (r.stderr += x), isTTY: false, ask: async () => "no", signal: new AbortController().signal, env, cwd: root };
    r.code = await runCli(["inventory", "-i", inv, "--json", "--vault-password-file", join(FIX, "vault-pass.txt")], io);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('"n1_port": "<vaulted>"');
    expect(r.stdout).toContain('"plain_value": "visible"');
    for (const s of [...SECRETS, "whole-file-1.1-value", "2201"]) expect(r.stdout).not.toContain(s);
    const none = await cli(["inventory", "-i", inv, "--graph"], { env });
    expect(none.code).toBe(4);
  });

  it("--vault-password-file and --vault-id prod@file: apply writes the plaintext values; the output shows none of them", async () => {
    const w = work();
    const r = await cli(
      ["apply", pb, "-i", inv, "--yes", "-v", "-e", `work=${w}`, "-e", extra, "--vault-password-file", join(FIX, "vault-pass.txt"), "--vault-id", `prod@${join(FIX, "prod-pass.txt")}`],
      { env },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(w, "n1.secrets"), "utf8")).toBe("tok-1.1-s3cr3t|db pass 1.2 with spaces|extra-1.2-value\n");
    expect(readdirSync(w).sort()).toEqual(["n1.secrets", "n2.secrets"]);
    // secret vars reach the commands as "$REMEDY_SECRET_<name>" (values on stdin), so the shown commands hold none
    expect(r.stdout).toContain('echo wrote "$REMEDY_SECRET_app_token"');
    noSecretIn(r.stdout + r.stderr);
    // what a command prints back is masked: `echo wrote {{ app_token }}` shows in the events as "wrote <redacted>"
    const applied = await cli(["apply", pb, "-i", inv, "--yes", "--json", "-e", `work=${work()}`, "-e", extra, "--vault-password-file", join(FIX, "vault-pass.txt"), "--vault-id", `prod@${join(FIX, "prod-pass.txt")}`], { env });
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("wrote <redacted>");
    noSecretIn(applied.stdout + applied.stderr);
    const json = await cli(["check", pb, "-i", inv, "--json", "-e", `work=${work()}`, "-e", extra, "--vault-password-file", join(FIX, "vault-pass.txt"), "--vault-id", `prod@${join(FIX, "prod-pass.txt")}`], { env });
    expect(json.code, json.stderr).toBe(2);
    noSecretIn(json.stdout + json.stderr);
  });

  it("a decrypted vault value travels like a secret whatever its var is called: off the command line, the exact value on the node", async () => {
    const w = work();
    const pbPort = join(w, "..", `port-${Date.now()}.yml`);
    // n1_port (2201) comes from the whole vaulted host_vars/n1.yml; its name does not look secret
    writeFileSync(pbPort, `name: vaulted port\nhosts: n1\nsteps:\n  - name: port written\n    check:\n      run: "test -f ${w}/port"\n      expect_exit: [0, 1]\n      compliant: { exit: [0] }\n    apply:\n      - "printf %s {{ n1_port }} > ${w}/port"\n`);
    const r = await cli(["apply", pbPort, "-i", inv, "--yes", "-v", "--vault-password-file", join(FIX, "vault-pass.txt"), "--vault-id", `prod@${join(FIX, "prod-pass.txt")}`], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(w, "port"), "utf8")).toBe("2201");
    expect(r.stdout).toContain('printf %s "$REMEDY_SECRET_n1_port"');
    expect(r.stdout + r.stderr).not.toContain("2201");
  });

  it("ANSIBLE_VAULT_PASSWORD_FILE, ansible.cfg vault_password_file (an executable is run), --ask-vault-pass", async () => {
    const dir = mkdtempSync(join(root, "cfg-"));
    const script = join(dir, "vault-pass.sh");
    writeFileSync(script, `#!/bin/sh\necho 'correct horse battery staple'\n`);
    chmodSync(script, 0o755);
    writeFileSync(join(dir, "ansible.cfg"), "[defaults]\nvault_password_file = vault-pass.sh\n");
    const prod = ["--vault-id", `prod@${join(FIX, "prod-pass.txt")}`];
    const viaCfg = await cli(["check", pb, "-i", inv, "-e", `work=${work()}`, "-e", extra, ...prod], { env: { ...env, ANSIBLE_CONFIG: join(dir, "ansible.cfg") } });
    expect(viaCfg.code, viaCfg.stderr).toBe(2);
    const viaEnv = await cli(["check", pb, "-i", inv, "-e", `work=${work()}`, "-e", extra, ...prod], { env: { ...env, ANSIBLE_VAULT_PASSWORD_FILE: join(FIX, "vault-pass.txt") } });
    expect(viaEnv.code, viaEnv.stderr).toBe(2);
    const asked = await cli(["check", pb, "-i", inv, "-e", `work=${work()}`, "-e", extra, ...prod, "--ask-vault-pass"], { env, secret: "correct horse battery staple" });
    expect(asked.code, asked.stderr).toBe(2);
    const cfg = await cli(["config"], { env: { ...env, ANSIBLE_CONFIG: join(dir, "ansible.cfg") } });
    expect(cfg.stdout).toMatch(new RegExp(`^vault_password_file +${join(dir, "vault-pass.sh")} +${join(dir, "ansible.cfg")}:2 \\[defaults\\] vault_password_file$`, "m"));
  });

  it("without a password: exit 4 before connecting, naming the vaulted file (whole) or file:line (inline)", async () => {
    const whole = await cli(["check", pb, "-i", inv, "-e", `work=${work()}`], { env });
    expect(whole.code).toBe(4);
    expect(whole.stderr).toMatch(/host_vars\/n1\.yml:1:1: this file is encrypted with ansible-vault; pass --vault-password-file FILE or --ask-vault-pass/);

    const copy = mkdtempSync(join(root, "inv-"));
    cpSync(inv, copy, { recursive: true });
    rmSync(join(copy, "host_vars"), { recursive: true });
    const w = work();
    const inline = await cli(["apply", pb, "-i", copy, "--yes", "-e", `work=${w}`], { env });
    expect(inline.code).toBe(4);
    expect(inline.stderr).toContain(`${join(copy, "group_vars", "nodes.yml")}:2:19: this value is encrypted with ansible-vault; pass --vault-password-file`);
    expect(readdirSync(w)).toEqual([]);

    const wrong = await cli(["check", pb, "-i", copy, "-e", `work=${w}`, "--vault-password-file", join(FIX, "prod-pass.txt")], { env });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toMatch(/nodes\.yml:2:19: no vault password given opens this value; tried .*prod-pass\.txt/);

    const extraOnly = await cli(["check", pb, "-i", copy, "-e", `work=${w}`, "-e", extra, "--vault-password-file", join(FIX, "vault-pass.txt")], { env });
    expect(extraOnly.code).toBe(4);
    expect(extraOnly.stderr).toMatch(/extra-vault\.yml:1:1: no vault password given opens this file \(vault id prod\)/);

    const ask = await cli(["check", pb, "-i", copy, "-e", `work=${w}`, "--ask-vault-pass"], { env });
    expect(ask.code).toBe(4);
    expect(ask.stderr).toContain("--ask-vault-pass: no terminal to ask the vault password on; use --vault-password-file FILE");
  });
});

describe("inline !vault values in a playbook's own vars", () => {
  const pbVars = join(FIX, "playbook-vars.yml");
  const PB_SECRETS = ["pb-1.1-deploy-key", "pb 1.2 build label"];
  // the "nodes" are this machine: their run locks, applied plans and audit log go under the temp dir
  const tenv = () => ({ ...env, REMEDY_TARGET_STATE_DIR: join(root, "target"), REMEDY_TARGET_AUDIT_LOG: join(root, "target", "audit.jsonl") });
  const passwords = ["--vault-password-file", join(FIX, "vault-pass.txt"), "--vault-id", `prod@${join(FIX, "prod-pass.txt")}`];
  // an inventory with nothing vaulted: only the playbook's own values need the password
  const plainInv = () => {
    const p = join(mkdtempSync(join(root, "plain-")), "hosts.ini");
    writeFileSync(p, "[nodes]\nn1 ansible_connection=local\nn2 ansible_connection=local\n");
    return p;
  };

  it("decrypt like the inventory's: the plaintext reaches the node, as \"$REMEDY_SECRET_<name>\", never the output, events or plan", async () => {
    const w = work();
    const r = await cli(["apply", pbVars, "-i", plainInv(), "--yes", "-v", "-e", `work=${w}`, ...passwords], { env: tenv() });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(w, "n1.pbvars"), "utf8")).toBe("pb-1.1-deploy-key|pb 1.2 build label|visible-label\n");
    // build_label does not look secret by its name: it is one because it was vaulted
    expect(r.stdout).toContain(`"$REMEDY_SECRET_deploy_key" "$REMEDY_SECRET_build_label" visible-label`);
    PB_SECRETS.forEach((x) => expect(r.stdout + r.stderr).not.toContain(x));

    const json = await cli(["apply", pbVars, "-i", plainInv(), "--yes", "--json", "-e", `work=${work()}`, ...passwords], { env: tenv() });
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout).toContain("wrote <redacted>");
    PB_SECRETS.forEach((x) => expect(json.stdout + json.stderr).not.toContain(x));

    const planFile = join(work(), "plan.json");
    const planInv = plainInv();
    const planWork = work();
    const plan = await cli(["plan", pbVars, "-i", planInv, "-o", planFile, "-e", `work=${planWork}`, ...passwords], { env: tenv() });
    expect(plan.code, plan.stderr).toBe(2);
    PB_SECRETS.forEach((x) => expect(readFileSync(planFile, "utf8") + plan.stdout + plan.stderr).not.toContain(x));
    const approved = await cli(["apply", pbVars, "-i", planInv, "--plan", planFile, "-e", `work=${planWork}`, ...passwords], { env: tenv() });
    expect(approved.code, approved.stdout + approved.stderr).toBe(0);
    expect(readFileSync(join(planWork, "n2.pbvars"), "utf8")).toBe("pb-1.1-deploy-key|pb 1.2 build label|visible-label\n");
    // nor in the run journals of these applies
    const runs = join(root, "state", "runs");
    const journals = readdirSync(runs).map((f) => readFileSync(join(runs, f), "utf8")).join("\n");
    expect(journals).toContain("playbook vars written"); // the journals of these runs are there
    PB_SECRETS.forEach((x) => expect(journals).not.toContain(x));
    const audit = readFileSync(join(root, "target", "audit.jsonl"), "utf8");
    expect(audit).toContain("playbook vars written");
    PB_SECRETS.forEach((x) => expect(audit).not.toContain(x));
  });

  it("without a password: exit 4 before connecting, naming the playbook's file:line:col; a value -e or every host overrides is not needed", async () => {
    const w = work();
    const inv1 = plainInv();
    const none = await cli(["apply", pbVars, "-i", inv1, "--yes", "-e", `work=${w}`], { env: tenv() });
    expect(none.code).toBe(4);
    expect(none.stderr).toContain(`${pbVars}:6:22: this value is encrypted with ansible-vault; pass --vault-password-file FILE or --ask-vault-pass, or set ANSIBLE_VAULT_PASSWORD_FILE`);
    expect(readdirSync(w)).toEqual([]);

    const wrong = await cli(["check", pbVars, "-i", inv1, "-e", `work=${w}`, "--vault-password-file", join(FIX, "prod-pass.txt")], { env: tenv() });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toMatch(/playbook-vars\.yml:6:22: no vault password given opens this value; tried .*prod-pass\.txt/);

    // deploy_key from -e, build_label from every host's inventory vars: nothing vaulted is needed
    const overridden = join(mkdtempSync(join(root, "over-")), "hosts.ini");
    writeFileSync(overridden, "[nodes]\nn1 ansible_connection=local build_label=b1\nn2 ansible_connection=local build_label=b2\n");
    const ok = await cli(["apply", pbVars, "-i", overridden, "--yes", "-e", `work=${w}`, "-e", "deploy_key=given"], { env: tenv() });
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(join(w, "n2.pbvars"), "utf8")).toBe("given|b2|visible-label\n");
    // one host without the override needs the vaulted default
    writeFileSync(overridden, "[nodes]\nn1 ansible_connection=local build_label=b1\nn2 ansible_connection=local\n");
    const needed = await cli(["check", pbVars, "-i", overridden, "-e", `work=${work()}`, "-e", "deploy_key=given"], { env: tenv() });
    expect(needed.code).toBe(4);
    expect(needed.stderr).toContain(`${pbVars}:13:23: this value is encrypted with ansible-vault (vault id prod)`);
  });

  it("a !vault value outside vars: is refused with its place", async () => {
    const bad = join(work(), "bad.yml");
    const vaulted = readFileSync(pbVars, "utf8").split("\n").slice(6, 12).join("\n");
    writeFileSync(bad, `name: misplaced\nhosts: nodes\nsteps:\n  - name: s\n    check:\n      run: !vault |\n${vaulted}\n`);
    const r = await cli(["validate", bad], { env: tenv() });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`${bad}:6:19: a \`!vault\` value is read only under \`vars:\``);
  });
});
