import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { TransportError } from "../../../src/errors.js";
import { shellQuote } from "../../../src/transport/quote.js";
import { SshTransport } from "../../../src/transport/ssh.js";
import { startSshd, type SshdCluster } from "../../helpers/sshd.js";

let sshd: SshdCluster;
let t: SshTransport;

beforeAll(async () => {
  sshd = await startSshd({ count: 1 });
  t = new SshTransport(sshd.spec(0));
  await t.connect();
});
afterAll(async () => {
  await t?.close();
  await sshd?.stop();
});

describe("SshTransport exec", () => {
  it("returns exit codes, stdout and stderr as data", async () => {
    const ok = await t.exec("echo out; echo err >&2");
    expect(ok).toMatchObject({ exitCode: 0, stdout: "out\n", stderr: "err\n" });
    const bad = await t.exec("echo nope >&2; exit 3");
    expect(bad.exitCode).toBe(3);
    expect(bad.stderr).toBe("nope\n");
    expect(bad.timedOut).toBeUndefined();
    expect(t.connected).toBe(true);
  });

  it("feeds stdin", async () => {
    const r = await t.exec("tr a-z A-Z", { stdin: "hello\n" });
    expect(r.stdout).toBe("HELLO\n");
    const none = await t.exec("cat"); // no stdin: EOF at once, never hangs
    expect(none).toMatchObject({ exitCode: 0, stdout: "" });
  });

  it("reports a command killed by a signal", async () => {
    const r = await t.exec("kill -TERM $$");
    expect(r.exitCode).toBeNull();
    expect(r.signal).toBe("TERM");
  });

  it("runs 20 concurrent commands over one connection within the session limit", async () => {
    const marker = `remedy-conc-${process.pid}-${Date.now()}`;
    const rs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.exec(`echo ${i}; sleep 0.3 # ${marker}`)),
    );
    expect(rs.map((r) => r.exitCode)).toEqual(Array(20).fill(0));
    expect(rs.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    // sshd was started with MaxSessions 10; opening more than that at once would fail a channel.
    // Only one TCP connection: count the sshd session processes for this listener.
    const sessions = execFileSync("pgrep", ["-P", String(sshd.hosts[0]!.pid)], { encoding: "utf8" }).trim().split("\n");
    expect(sessions).toHaveLength(1);
  });

  it("kills a hung command at its timeout, including the remote process", async () => {
    const marker = `remedy-hang-${process.pid}-${Date.now()}`;
    const started = Date.now();
    const r = await t.exec(`sleep 1000; : ${marker}`, { timeoutMs: 500 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r).toMatchObject({ exitCode: null, signal: "KILL", timedOut: true });
    await new Promise((res) => setTimeout(res, 500));
    let alive = "";
    try {
      alive = execFileSync("pgrep", ["-f", marker], { encoding: "utf8" });
    } catch {
      alive = "";
    }
    expect(alive).toBe("");
    // the connection is still usable
    expect((await t.exec("echo still")).stdout).toBe("still\n");
  });

  it("honours an AbortSignal", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const r = await t.exec("sleep 30", { signal: ac.signal });
    expect(r.exitCode).toBeNull();
    expect(r.timedOut).toBeUndefined();
  });

  it("delivers hostile values literally through shellQuote", async () => {
    const values = [`it's "quoted"`, "$(touch /tmp/remedy-pwned)", "a; rm -rf /nonexistent", "line1\nline2", "`id`", "$HOME *", "", "-n"];
    for (const v of values) {
      const r = await t.exec(`printf %s ${shellQuote(v)}`);
      expect(r.stdout).toBe(v);
    }
  });

  it("caps huge output and says so", async () => {
    const r = await t.exec("head -c 5000000 /dev/zero | tr '\\0' x");
    expect(r.exitCode).toBe(0);
    expect(r.stdout.length).toBeLessThan(4 * 1024 * 1024 + 200);
    expect(r.stdout).toMatch(/stdout truncated/);
  });

  it("rejects with TransportError closed when the connection drops mid-command", async () => {
    const t2 = new SshTransport(sshd.spec(0));
    await t2.connect();
    const p = t2.exec("sleep 30");
    await new Promise((res) => setTimeout(res, 300));
    sshd.dropConnections(0);
    const e = await p.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TransportError);
    expect((e as TransportError).kind).toBe("closed");
    expect(t2.connected).toBe(false);
    const again = await t2.exec("true").catch((x: unknown) => x);
    expect((again as TransportError).kind).toBe("closed");
    await t2.close();
    // t (the shared connection) was dropped too: reconnect it for later tests
    t = new SshTransport(sshd.spec(0));
    await t.connect();
  });
});
