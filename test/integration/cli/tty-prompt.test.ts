// The interactive apply on a real terminal (tmux): the live line, the grouped pending list, the prompt;
// answering "n" applies nothing and exits 1. Uses the built bin (npm run build) on local hosts.
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
    await waitFor("the apply prompt", async () => (screen().includes("[y/N]") ? true : undefined), 60_000);
    const before = screen();
    expect(before).toContain("Pending changes: 2 of 2 host(s) would change");
    expect(before).toMatch(/~ would change — same on 2 hosts: n\[1:2\]/);
    expect(before).toMatch(/\$ touch .*\/<host>\.flag/);
    expect(before).toMatch(/Apply these changes to 2 host\(s\)\? \[y\/N\]/);
    tmux("send-keys", "-t", session, "n", "Enter");
    await waitFor("remedy to exit", async () => (existsSync(exitFile) && readFileSync(exitFile, "utf8").trim() !== "" ? true : undefined), 60_000);
    expect(readFileSync(exitFile, "utf8").trim()).toBe("1");
    expect(screen()).toContain("Nothing applied.");
    expect(readdirSync(work)).toEqual([]);
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
