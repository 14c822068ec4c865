// The batch script runs each check in its own `sh -c` under timeout(1) (its own deadline on the node):
// what a check sees and what comes back must be what `sh -c <check>` gives.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { batchScript, parseBatch, newToken } from "../../../src/engine/prefetch.js";

const run = (script: string) => execFileSync("/bin/sh", ["-c", script], { encoding: "utf8" });
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

  it("each check runs under its own deadline (timeout(1)), so a hung check costs its own timeout once", () => {
    const script = batchScript([{ command: "true", timeoutSec: 7 }, { command: "true", timeoutSec: 2.5 }], newToken());
    expect(script).toContain("timeout -k 2 7 /bin/sh -c");
    expect(script).toContain("timeout -k 2 3 /bin/sh -c");
  });
});
