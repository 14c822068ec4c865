// The interactive apply on a real terminal (tmux): the live line, the grouped pending list, the prompt;
// answering "n" applies nothing and exits 1; "d" shows the full list (with --diff text) and asks again, "yes"
// applies. Uses the built bin (npm run build) on local hosts.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "../../helpers/wait.js";

const BIN = resolve("dist/cli/main.js");
const session = `remedy-tty-${process.pid}`;
const root = mkdtempSync(join(tmpdir(), "remedy-tty-"));
const tmux = (...args: string[]) => execFileSync("tmux", args, { encoding: "utf8" });
const screen = () => tmux("capture-pane", "-p", "-t", session, "-S", "-200");

afterAll(() => {
  try {
    tmux("kill-session", "-t", session);
  } catch {
    /* already gone */
  }
  rmSync(root, { recursive: true, force: true });
});

describe("interactive apply on a terminal", () => {
  it("declining the prompt applies nothing and exits 1", async () => {
    expect(existsSync(BIN), "run npm run build first").toBe(true);
    const work = join(root, "work");
    execFileSync("mkdir", ["-p", work]);
    const inv = join(root, "hosts.ini");
    writeFileSync(inv, "[nodes]\nn1 ansible_connection=local\nn2 ansible_connection=local\n");
    const exitFile = join(root, "exit");
    const script = join(root, "run.sh");
    writeFileSync(
      script,
      `export REMEDY_STATE_DIR=${root}/state ANSIBLE_CONFIG=${root}/none.cfg\n` +
        `${process.execPath} ${BIN} apply ${resolve("test/fixtures/cli/habits.yml")} -i ${inv} -e work=${work}\n` +
        `echo $? > ${exitFile}\nsleep 600\n`,
    );
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "50", `bash ${script}`);
    await waitFor("the apply prompt", async () => (screen().includes("[y/N, d = details]") ? true : undefined), 60_000);
    const before = screen();
    expect(before).toContain("Pending changes: 2 of 2 host(s) would change");
    expect(before).toMatch(/~ would change — same on 2 hosts: n\[1:2\]/);
    expect(before).toMatch(/\$ touch .*\/<host>\.flag/);
    expect(before).toMatch(/Apply these changes to 2 host\(s\)\? \[y\/N, d = details\]/);
    tmux("send-keys", "-t", session, "n", "Enter");
    await waitFor("remedy to exit", async () => (existsSync(exitFile) && readFileSync(exitFile, "utf8").trim() !== "" ? true : undefined), 60_000);
    expect(readFileSync(exitFile, "utf8").trim()).toBe("1");
    expect(screen()).toContain("Nothing applied.");
    expect(readdirSync(work)).toEqual([]);
  }, 120_000);

  it("--diff: the pending list shows each diff once across hosts; d shows the full list and asks again; yes applies", async () => {
    const work = join(root, "work-diff");
    execFileSync("mkdir", ["-p", work]);
    writeFileSync(join(work, "n1.conf"), "listen 80\nworkers 2\ntimeout 30\nlog info\n");
    writeFileSync(join(work, "n2.conf"), "listen 80\nworkers 2\ntimeout 30\nlog info\n");
    const inv = join(root, "hosts-diff.ini");
    writeFileSync(inv, "[nodes]\nn1 ansible_connection=local\nn2 ansible_connection=local\n");
    const secret = "Tty-S3cret-77";
    const exitFile = join(root, "exit-diff");
    const script = join(root, "diff.sh");
    writeFileSync(
      script,
      `export REMEDY_STATE_DIR=${root}/state ANSIBLE_CONFIG=${root}/none.cfg REMEDY_TARGET_STATE_DIR=${root}/target REMEDY_TARGET_AUDIT_LOG=${root}/audit.jsonl\n` +
        `${process.execPath} ${BIN} apply ${resolve("test/fixtures/cli/diff/diff.yml")} -i ${inv} -e work=${work} -e port=5432 -e db_password=${secret} --diff\n` +
        `echo $? > ${exitFile}\nsleep 600\n`,
    );
    tmux("kill-session", "-t", session);
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "50", `bash ${script}`);
    const prompts = () => screen().split("[y/N, d = details]").length - 1;
    await waitFor("the apply prompt", async () => (prompts() === 1 ? true : undefined), 60_000).catch((e: Error) => {
      throw new Error(`${e.message}; screen:\n${screen()}`);
    });
    const before = screen();
    expect(before).toContain("Pending changes: 2 of 2 host(s) would change");
    // the same diff on both hosts: one group, the diff text once
    expect(before).toMatch(/~ would change — same on 2 hosts: n\[1:2\]\n(.*\n)*? +diff:\n +--- <host>:.*\/<host>\.conf\n/);
    expect(before.split("+workers 4").length - 1).toBe(1);
    expect(before).toContain("+password=<redacted>");
    expect(before).not.toContain("Pending changes in full");
    tmux("send-keys", "-t", session, "d", "Enter");
    await waitFor("the prompt again", async () => (prompts() === 2 ? true : undefined), 30_000);
    const details = screen();
    expect(details).toContain("Pending changes in full: 2 of 2 host(s) would change");
    expect(details.split("+workers 4").length - 1).toBe(2); // summary, then the details
    expect(readFileSync(join(work, "n1.conf"), "utf8")).toContain("workers 2"); // nothing applied yet
    tmux("send-keys", "-t", session, "yes", "Enter");
    await waitFor("remedy to exit", async () => (existsSync(exitFile) && readFileSync(exitFile, "utf8").trim() !== "" ? true : undefined), 60_000);
    expect(readFileSync(exitFile, "utf8").trim(), screen()).toBe("0");
    expect(readFileSync(join(work, "n2.conf"), "utf8")).toContain("workers 4");
    expect(readFileSync(join(work, "n2.cred"), "utf8")).toContain(`password=${secret}`);
    expect(screen()).not.toContain(secret);
  }, 120_000);

  it("--ask-vault-pass reads the password on the terminal without echoing it", async () => {
    const fix = resolve("test/fixtures/vault");
    const exitFile = join(root, "exit-vault");
    const script = join(root, "vault.sh");
    writeFileSync(
      script,
      `export REMEDY_STATE_DIR=${root}/state ANSIBLE_CONFIG=${root}/none.cfg\n` +
        `${process.execPath} ${BIN} check ${fix}/secrets.yml -i ${fix}/inventory -l n1 -e work=${root} -e @${fix}/extra-vault.yml ` +
        `--vault-id prod@${fix}/prod-pass.txt --ask-vault-pass\n` +
        `echo $? > ${exitFile}\nsleep 600\n`,
    );
    tmux("kill-session", "-t", session);
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "50", `bash ${script}`);
    await waitFor("the vault password prompt", async () => (screen().includes("Vault password:") ? true : undefined), 20_000).catch((e: Error) => {
      throw new Error(`${e.message}; screen:\n${screen()}`);
    });
    tmux("send-keys", "-t", session, "-l", "correct horse battery staple");
    tmux("send-keys", "-t", session, "Enter");
    await waitFor("remedy to exit", async () => (existsSync(exitFile) && readFileSync(exitFile, "utf8").trim() !== "" ? true : undefined), 60_000);
    expect(readFileSync(exitFile, "utf8").trim(), screen()).toBe("2"); // decrypted: the check ran and found changes
    expect(screen()).not.toContain("correct horse");
  }, 120_000);
});
