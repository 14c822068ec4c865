import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { batchScript, parseBatch, newToken } from "../../../src/engine/prefetch.js";

const run = (script: string) => {
  try {
    return execFileSync("/bin/sh", ["-c", script], { encoding: "utf8" });
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? "");
  }
};

describe("batched checks", () => {
  it("reports each command's exit code, stdout and stderr apart, byte for byte", () => {
    const items = [
      { command: "printf 'a\\nb'", timeoutSec: 5 },
      { command: "echo oops >&2; exit 3", timeoutSec: 5 },
      { command: "printf '%s\\n' \"it's\" '$(x)'; cat", timeoutSec: 5 },
      { command: "printf ''", timeoutSec: 5 },
    ];
    const token = newToken();
    const got = parseBatch(run(batchScript(items, token)), token, items, 40);
    expect(got.get(0)).toMatchObject({ exitCode: 0, stdout: "a\nb", stderr: "" });
    expect(got.get(1)).toMatchObject({ exitCode: 3, stdout: "", stderr: "oops\n" });
    expect(got.get(2)).toMatchObject({ exitCode: 0, stdout: "it's\n$(x)\n" });
    expect(got.get(3)).toMatchObject({ exitCode: 0, stdout: "" });
  });
  it("a torn batch yields only the complete sections", () => {
    const token = "REMEDY-x";
    const items = [{ command: "a", timeoutSec: 1 }, { command: "b", timeoutSec: 1 }];
    const text = `\n${token}-OUT 0\nfirst\n${token}-ERR 0 0 0\n\n${token}-OUT 1\npart`;
    const got = parseBatch(text, token, items, 1);
    expect([...got.keys()]).toEqual([0]);
    expect(got.get(0)?.stdout).toBe("first");
  });
});
