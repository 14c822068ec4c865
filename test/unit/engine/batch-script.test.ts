// The batch script runs each check in a forked subshell under the batch's watchdog (its own deadline on
// the node): what a check sees and what comes back must be what `sh -c <check>` gives.
import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { batchScript, isPlainCommand, parseBatch, newToken } from "../../../src/engine/batch-script.js";

/** Both streams of a batch: each check's stderr comes back on the channel's stderr, between its marks. */
const run = (script: string, shell = "/bin/sh") => {
  const r = spawnSync(shell, ["-c", script], { encoding: "utf8" });
  return { stdout: r.stdout, stderr: r.stderr };
};
const alone = (command: string) => {
  try {
    return { exitCode: 0, stdout: execFileSync("/bin/sh", ["-c", command], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }) };
  } catch (e) {
    const x = e as { status: number; stdout: string };
    return { exitCode: x.status, stdout: x.stdout };
  }
};

describe("batch script semantics", () => {
  const commands = [
    `echo "[$e][$l][$o][$r]"`, // the batch's own variables are not visible
    "exit 5", // ends only its own check
    "if then fi", // a syntax error fails only its own check
    "printf 'no newline'",
    "printf 'two\\n\\n'",
    "x=1; echo $x; cd /; pwd", // state stays inside the check
    "echo $x; pwd | grep -c '^/$' >/dev/null; echo done",
    "cat; echo read-nothing", // stdin is closed
  ];
  const items = commands.map((command) => ({ command, timeoutSec: 5 }));

  it("each check's exit code and stdout are what `sh -c` gives for it alone", () => {
    const token = newToken();
    const got = parseBatch(run(`cd /tmp && ${batchScript(items, token)}`), token, items, 80);
    expect(got.size).toBe(items.length);
    commands.forEach((c, i) => {
      const want = alone(c);
      const g = got.get(i)!;
      expect({ i, exitCode: g.exitCode, stdout: g.stdout }).toEqual({ i, exitCode: want.exitCode, stdout: want.stdout });
    });
    expect(got.get(0)!.stdout).toBe("[][][][]\n");
    expect(got.get(2)!.exitCode).not.toBe(0);
    expect(got.get(2)!.stderr).toMatch(/syntax|unexpected/i);
  });

  it("a fake mark with another token in a check's output does not split it", () => {
    const token = newToken();
    const other = newToken();
    const items2 = [{ command: `printf '\\n%s 1 0\\nfake\\n' ${other}-ERR; echo real`, timeoutSec: 5 }, { command: "echo second", timeoutSec: 5 }];
    const got = parseBatch(run(batchScript(items2, token)), token, items2, 10);
    expect(got.get(0)!.stdout).toBe(`\n${other}-ERR 1 0\nfake\nreal\n`);
    expect(got.get(1)!.stdout).toBe("second\n");
  });

  it("a check's own exit code or signal is its result, and the shell's notices about it stay out of its stderr", () => {
    const items = [
      { command: "exit 124", timeoutSec: 5 },
      { command: "sh -c 'kill -TERM $$'", timeoutSec: 5 }, // killed by a signal: bash would say "Terminated"
      { command: "sleep 0.1 & wait", timeoutSec: 5 },
      { command: "echo after", timeoutSec: 5 },
    ];
    const token = newToken();
    const got = parseBatch(run(batchScript(items, token)), token, items, 10);
    expect(got.get(0)).toMatchObject({ exitCode: 124 });
    expect(got.get(1)).toMatchObject({ exitCode: 143 });
    expect(got.get(2)).toMatchObject({ exitCode: 0 });
    expect(got.get(3)).toMatchObject({ exitCode: 0, stdout: "after\n" });
    for (const i of [0, 1, 2, 3]) {
      expect(got.get(i)!.timedOut, `check ${i}`).toBeFalsy();
      expect(got.get(i)!.stderr, `check ${i}`).toBe("");
    }
  });

  it("the batch starts no process of its own (no watchdog coprocess, no temp file, no background job)", () => {
    const s = batchScript([{ command: "uname -r", timeoutSec: 5 }, { command: "echo $HOME", timeoutSec: 5 }], newToken());
    expect(s).not.toMatch(/coproc|mktemp|\brm\b|\bsleep\b|&\s*p=\$!|\$\(/);
    expect(s).toMatch(/\n\( uname -r \) 2>&"\$se" \{se\}>&- <\/dev\/null; r=\$\?\n/);
  });

  it("runs the same under bash as its login shell and under a POSIX sh (it re-runs itself under bash)", () => {
    const items = [{ command: "echo $BASH_VERSION | grep -c . ; exit 3", timeoutSec: 5 }];
    for (const shell of ["/bin/bash", "/bin/sh"]) {
      const token = newToken();
      expect(parseBatch(run(batchScript(items, token), shell), token, items, 1).get(0), shell).toMatchObject({ exitCode: 3, stdout: "1\n" });
    }
  });
});

describe("which checks run as they are", () => {
  it("a lexically simple command runs as the job itself; anything the shell would interpret goes through eval in a subshell", () => {
    for (const c of ["uname -r", "rpm -q kernel-ml", "grep -c 'menu entry' /etc/default/grub", 'test -e "/usr/bin/run c"', "ls /var/lib/*.d", "exit 5", "cd /", "[ -e /x ]", "systemctl is-enabled kpatch.service"]) {
      expect(isPlainCommand(c), c).toBe(true);
    }
    for (const c of ["echo $HOME", "a | b", "a; b", "a && b", "x=1", "X=1 cmd", "if then fi", "while true", "! true", "echo `id`", "echo \"$x\"", "a > /tmp/x", "(a)", "{ a; }", "a # c", "echo 'a\nb'", "cat\\ x", "time ls", "~/bin/x", "[[ -e /x ]]", "it's"]) {
      expect(isPlainCommand(c), c).toBe(false);
    }
  });

  it("both kinds report what `sh -c` gives (plain ones included: exit, cd and syntax stay inside the check)", () => {
    const commands = ["exit 7", "cd /", "uname -r", "no-such-command-xyz", "printf 'a b'", "if then fi", "test -e /"];
    const items = commands.map((command) => ({ command, timeoutSec: 5 }));
    const token = newToken();
    const got = parseBatch(run(batchScript(items, token)), token, items, 10);
    commands.forEach((c, i) => {
      const want = alone(c);
      expect({ c, exitCode: got.get(i)?.exitCode, stdout: got.get(i)?.stdout }).toEqual({ c, exitCode: want.exitCode, stdout: want.stdout });
    });
  });
});
