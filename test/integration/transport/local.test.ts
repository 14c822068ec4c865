import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { LocalTransport } from "../../../src/transport/local.js";

const t = new LocalTransport("localhost");

describe("LocalTransport exec", () => {
  it("same result shape as SSH: exit codes and streams are data", async () => {
    await t.connect();
    expect(t.connected).toBe(true);
    expect(await t.exec("echo o; echo e >&2; exit 4")).toMatchObject({ exitCode: 4, stdout: "o\n", stderr: "e\n" });
    expect((await t.exec("tr a-z A-Z", { stdin: "abc" })).stdout).toBe("ABC");
    expect(await t.exec("kill -TERM $$")).toMatchObject({ exitCode: null, signal: "TERM" });
  });

  it("a timeout kills the whole process group", async () => {
    const marker = `remedy-local-hang-${process.pid}-${Date.now()}`;
    const r = await t.exec(`sh -c 'sleep 1000; : ${marker}' & sleep 1000; : ${marker}`, { timeoutMs: 300 });
    expect(r).toMatchObject({ exitCode: null, signal: "KILL", timedOut: true });
    await new Promise((res) => setTimeout(res, 200));
    let left = "";
    try {
      left = execFileSync("pgrep", ["-f", marker], { encoding: "utf8" });
    } catch {
      left = "";
    }
    expect(left).toBe("");
  });

  it("an abort kills the command without marking it timed out", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const r = await t.exec("sleep 30", { signal: ac.signal });
    expect(r.exitCode).toBeNull();
    expect(r.timedOut).toBeUndefined();
  });
});
