import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { batchScript, parseBatch, newToken } from "../../../src/engine/batch-script.js";

const run = (script: string) => {
  const r = spawnSync("/bin/sh", ["-c", script], { encoding: "utf8" });
  return { stdout: r.stdout, stderr: r.stderr };
};

/** Runs the commands as one batch under /bin/sh (5 s deadline each) and parses what came back. */
const batch = (commands: string[]) => {
  const items = commands.map((command) => ({ command, timeoutSec: 5 }));
  const token = newToken();
  return parseBatch(run(batchScript(items, token)), token, items, 40);
};

describe("batched checks", () => {
  it("reports each command's exit code, stdout and stderr apart, byte for byte", () => {
    const got = batch(["printf 'a\\nb'", "echo oops >&2; exit 3", "printf '%s\\n' \"it's\" '$(x)'; cat", "printf ''"]);
    expect(got.get(0)).toMatchObject({ exitCode: 0, stdout: "a\nb", stderr: "" });
    expect(got.get(1)).toMatchObject({ exitCode: 3, stdout: "", stderr: "oops\n" });
    expect(got.get(2)).toMatchObject({ exitCode: 0, stdout: "it's\n$(x)\n" });
    expect(got.get(3)).toMatchObject({ exitCode: 0, stdout: "" });
  });
  it("each check's stderr is its own, with or without a final newline, whatever the neighbours wrote", () => {
    const got = batch(["printf 'no newline' >&2", "printf 'x\\n\\n' >&2; echo out", "true", "echo one >&2; echo two >&2; exit 1"]);
    expect([0, 1, 2, 3].map((i) => got.get(i)?.stderr)).toEqual(["no newline", "x\n\n", "", "one\ntwo\n"]);
    expect(got.get(1)).toMatchObject({ exitCode: 0, stdout: "out\n" });
    expect(got.get(3)).toMatchObject({ exitCode: 1 });
  });
  it("a check whose stderr marks are missing (stream cut) is absent, not reported with an empty stderr", () => {
    const token = newToken();
    const items = [{ command: "a", timeoutSec: 1 }];
    const stdout = `\n${token}-OUT 0\nok\n${token}-ERR 0 0\n\n${token}-END\n`;
    expect(parseBatch({ stdout, stderr: `\n${token}-EIN 0\nhalf an err` }, token, items, 1).has(0)).toBe(false);
    expect(parseBatch({ stdout, stderr: `\n${token}-EIN 0\nerr\n\n${token}-EOUT 0\n` }, token, items, 1).get(0)).toMatchObject({ exitCode: 0, stdout: "ok", stderr: "err\n" });
  });
  it("a torn batch yields only the complete sections", () => {
    const token = "REMEDY-x";
    const items = [{ command: "a", timeoutSec: 1 }, { command: "b", timeoutSec: 1 }];
    const text = `\n${token}-OUT 0\nfirst\n${token}-ERR 0 0\n\n${token}-OUT 1\npart`;
    const got = parseBatch({ stdout: text, stderr: `\n${token}-EIN 0\n\n${token}-EOUT 0\n\n${token}-EIN 1\nhalf` }, token, items, 1);
    expect([...got.keys()]).toEqual([0]);
    expect(got.get(0)?.stdout).toBe("first");
  });
});
