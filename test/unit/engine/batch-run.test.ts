// Per-check deadlines kept by the controller: armed by a check's start mark, disarmed by its end mark; a check
// still running at its deadline ends the session, is reported timed out and never run again, and the checks
// after it run in the next batch.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { CheckDeadlines, runBatch } from "../../../src/engine/batch-run.js";
import { LocalTransport } from "../../../src/transport/local.js";
import type { ExecOptions, ExecResult, PutResult, Transport } from "../../../src/transport/transport.js";
import { ManualTimers } from "../../helpers/manual-timers.js";

const T = "REMEDY-0011223344556677";
const items = (n: number, timeoutSec = 5) => Array.from({ length: n }, (_, i) => ({ command: `c${i}`, timeoutSec }));

describe("CheckDeadlines", () => {
  it("arms one deadline per check as its start mark arrives and disarms it at its end mark", async () => {
    const clock = new ManualTimers();
    const fired: number[] = [];
    const d = new CheckDeadlines(items(2), T, clock, (i) => fired.push(i));
    d.feed(`\n${T}-OUT 0\n`);
    expect(clock.waiting).toBe(1);
    await clock.advance(4999);
    expect(fired).toEqual([]);
    d.feed(`out\n${T}-ERR 0 0\n`);
    expect(clock.waiting).toBe(0);
    await clock.advance(60_000);
    expect(fired).toEqual([]);
    expect(d.expired).toBeUndefined();
  });

  it("a check still running at its deadline expires, once, and nothing after it is armed", async () => {
    const clock = new ManualTimers();
    const fired: number[] = [];
    const d = new CheckDeadlines([...items(1), { command: "slow", timeoutSec: 30 }, ...items(1)], T, clock, (i) => fired.push(i));
    d.feed(`\n${T}-OUT 0\n\n${T}-ERR 0 0\n\n${T}-OUT 1\npartial`);
    await clock.advance(29_999);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toEqual([1]);
    expect(d.expired).toBe(1);
    d.feed(`\n${T}-ERR 1 0\n\n${T}-OUT 2\n`); // crossed the kill on the wire
    await clock.advance(60_000);
    expect(fired).toEqual([1]);
    expect(clock.armed).toEqual([5000, 30_000]);
  });

  it("sees a mark cut anywhere between chunks, and never mistakes a check's output for one", async () => {
    const clock = new ManualTimers();
    const d = new CheckDeadlines(items(13), T, clock, () => undefined);
    d.feed(`\n${T}-OUT 0\n\n${T}-ERR 0 0\n\n${T.slice(0, 9)}`);
    d.feed(`${T.slice(9)}-OU`);
    d.feed("T 1");
    expect(clock.armed).toEqual([5000]); // "1" may still become "12"
    d.feed("2\n");
    expect(clock.armed).toEqual([5000, 5000]);
    d.feed(`\nREMEDY-ffffffffffffffff-OUT 3\n x${T}-OUT 4\n`); // another token; no newline right before ours
    expect(clock.armed).toEqual([5000, 5000]);
    expect(clock.waiting).toBe(1);
  });
});

/**
 * A host whose checks answer from a table; "hang" writes a line and then hangs until the exec is aborted.
 * Output streams like SSH's: every mark as its own chunk.
 */
class ScriptedHost implements Transport {
  readonly host = "scripted";
  readonly scripts: string[] = [];
  constructor(private readonly onHang: () => Promise<void> | void) {}
  get connected(): boolean {
    return true;
  }
  async connect(): Promise<void> {}
  async close(): Promise<void> {}
  async put(): Promise<PutResult> {
    throw new Error("not used");
  }
  async get(): Promise<{ sha256: string; bytes: number }> {
    throw new Error("not used");
  }
  async exec(script: string, o: ExecOptions = {}): Promise<ExecResult> {
    this.scripts.push(script);
    const token = /REMEDY-[0-9a-f]{16}/.exec(script)![0];
    const commands = [...script.matchAll(/^\( (\S+) \) 2>&"\$se"/gm)].map((m) => m[1]!);
    let stdout = "";
    let stderr = "";
    const out = (s: string) => {
      stdout += s;
      o.onStdoutChunk?.(Buffer.from(s));
    };
    for (const [i, c] of commands.entries()) {
      out(`\n${token}-OUT ${i}\n`);
      stderr += `\n${token}-EIN ${i}\n`;
      if (c === "hang") {
        out("started\n");
        stderr += "warming up\n";
        const killed = new Promise<void>((resolve) => o.signal?.addEventListener("abort", () => resolve(), { once: true }));
        await this.onHang();
        await killed;
        return { exitCode: null, signal: "KILL", stdout, stderr, durationMs: 1 };
      }
      out(`${c.toUpperCase()}\n`);
      stderr += `\n${token}-EOUT ${i}\n`;
      out(`\n${token}-ERR ${i} 0\n`);
    }
    out(`\n${token}-END\n`);
    return { exitCode: 0, stdout, stderr, durationMs: 1 };
  }
}

describe("runBatch", () => {
  it("cuts a hung check at its deadline, reports it timed out with what it wrote, and runs the rest in one more batch", async () => {
    const clock = new ManualTimers();
    const host = new ScriptedHost(() => clock.advance(7000));
    const its = [{ command: "a", timeoutSec: 5 }, { command: "hang", timeoutSec: 7 }, { command: "c", timeoutSec: 5 }, { command: "d", timeoutSec: 5 }];
    const b = await runBatch(host, its, { become: false, signal: new AbortController().signal, timers: clock });
    expect(b.results.get("a")).toMatchObject({ exitCode: 0, stdout: "A\n", stderr: "" });
    expect(b.results.get("hang")).toMatchObject({ exitCode: null, timedOut: true, stdout: "started\n", stderr: "warming up\n", durationMs: 7000 });
    expect(b.results.get("c")).toMatchObject({ exitCode: 0, stdout: "C\n" });
    expect(b.results.get("d")).toMatchObject({ exitCode: 0, stdout: "D\n" });
    expect(host.scripts).toHaveLength(2);
    expect(host.scripts[1]).not.toMatch(/\( (a|hang) \)/); // never run again
  });

  it("a deadline that has not come yet cuts nothing: a slow check just takes its time", async () => {
    const clock = new ManualTimers();
    let release!: () => void;
    const host = new ScriptedHost(async () => {
      await clock.advance(6999);
      release();
    });
    const stop = new AbortController();
    const run = runBatch(host, [{ command: "hang", timeoutSec: 7 }, { command: "c", timeoutSec: 5 }], { become: false, signal: stop.signal, timers: clock });
    await new Promise<void>((r) => (release = r));
    stop.abort(); // Ctrl-C: the run ends the exec; nothing timed out and no further batch starts
    const b = await run;
    expect(b.results.has("hang")).toBe(false);
    expect(b.results.has("c")).toBe(false);
    expect(host.scripts).toHaveLength(1);
  });

  it("with a prefix (the facts), its output comes back apart from the checks', and a check cut later is not the prefix's failure", async () => {
    const t = new LocalTransport("local");
    const its = [{ command: "echo one", timeoutSec: 5 }, { command: "echo two >&2", timeoutSec: 5 }, { command: "sleep 30", timeoutSec: 1 }, { command: "echo three", timeoutSec: 5 }];
    const b = await runBatch(t, its, { become: false, signal: new AbortController().signal, prefix: "echo kernel=x; echo oops >&2", prefixTimeoutSec: 5 });
    expect(b.prefixOut).toBe("kernel=x\n");
    expect(b.prefixErr).toBe("oops\n");
    expect(b.first.exitCode).toBe(0);
    expect(b.results.get("echo one")).toMatchObject({ exitCode: 0, stdout: "one\n", stderr: "" });
    expect(b.results.get("echo two >&2")).toMatchObject({ exitCode: 0, stdout: "", stderr: "two\n" });
    expect(b.results.get("sleep 30")).toMatchObject({ exitCode: null, timedOut: true });
    expect(b.results.get("echo three")).toMatchObject({ exitCode: 0, stdout: "three\n" });
  });

  it("on a real shell, hung checks are killed with everything they started, whatever they do with TERM", async () => {
    // real time: what is killed on the node is what the fake clock cannot show; 1 s deadlines. A sleep
    // length no other process on this machine uses, so the leftover count below is ours alone.
    const nap = `30.${process.pid}${Date.now() % 1000}`;
    const its = [
      { command: `sleep ${nap}; echo never`, timeoutSec: 1 },
      { command: `sh -c 'sleep ${nap}' & sleep ${nap} & wait; echo never`, timeoutSec: 1 }, // children die with it
      { command: `trap '' TERM; echo started; sleep ${nap}`, timeoutSec: 1 }, // ignores TERM
      { command: "exit 124", timeoutSec: 5 }, // its own exit code, not a timeout
      { command: "echo after", timeoutSec: 5 },
    ];
    const t0 = Date.now();
    const b = await runBatch(new LocalTransport("local"), its, { become: false, signal: new AbortController().signal });
    expect(Date.now() - t0).toBeLessThan(25_000); // three 30 s sleeps were cut
    for (const i of [0, 1, 2]) expect(b.results.get(its[i]!.command), `check ${i}`).toMatchObject({ timedOut: true, exitCode: null });
    expect(b.results.get(its[2]!.command)!.stdout).toBe("started\n");
    expect(b.results.get("exit 124")).toMatchObject({ exitCode: 124 });
    expect(b.results.get("exit 124")!.timedOut).toBeFalsy();
    expect(b.results.get("echo after")).toMatchObject({ exitCode: 0, stdout: "after\n", stderr: "" });
    expect(execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).split("\n").filter((l) => l.trim() === `sleep ${nap}`)).toEqual([]);
  }, 30_000);
});
