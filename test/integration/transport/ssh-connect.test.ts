import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { createServer, type Socket } from "node:net";
import { TransportError } from "../../../src/errors.js";
import { SshTransport } from "../../../src/transport/ssh.js";
import { startSlowProxy } from "../../../src/lab/slow-proxy.js";
import { TransportPool } from "../../../src/transport/pool.js";
import { resolveConnectionSpec } from "../../../src/transport/spec.js";
import { startSshd, type SshdCluster } from "../../helpers/sshd.js";
import { generateKeyPair } from "../../helpers/keys.js";

let sshd: SshdCluster;
beforeAll(async () => {
  sshd = await startSshd({ count: 2 });
});
afterAll(async () => {
  await sshd?.stop();
});

async function refusal(t: SshTransport): Promise<TransportError> {
  const e = await t.connect().then(() => undefined, (x: unknown) => x);
  await t.close();
  expect(e).toBeInstanceOf(TransportError);
  return e as TransportError;
}

/** The refusal from connecting (0.5 s connect timeout) to a TCP server that answers with `onConnection`. */
async function connectTo(onConnection: (s: Socket) => void): Promise<TransportError> {
  const srv = createServer(onConnection);
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const a = srv.address();
  const port = typeof a === "object" && a ? a.port : 1;
  try {
    return await refusal(new SshTransport(sshd.spec(0, { port, connectTimeoutMs: 500, hostKeyChecking: "off" })));
  } finally {
    srv.close();
  }
}

describe("SshTransport connect", () => {
  it("connects with the key and known_hosts from an inventory line's vars", async () => {
    const spec = resolveConnectionSpec("node02", {
      ansible_host: "127.0.0.1",
      ansible_port: sshd.hosts[1]!.port,
      ansible_user: "root",
      ansible_ssh_private_key_file: sshd.clientKeyPath,
      remedy_known_hosts: sshd.knownHostsPath,
    }, { sshConfigPath: "/nonexistent", env: {}, home: sshd.dir });
    const t = new SshTransport(spec);
    await t.connect();
    expect((await t.exec("id -u")).stdout.trim()).toBe("0");
    await t.close();
    expect(t.connected).toBe(false);
  });

  it("refuses an unknown host key and says how to add it", async () => {
    const empty = join(sshd.dir, "empty_known_hosts");
    writeFileSync(empty, "# nothing\n");
    const port = sshd.hosts[0]!.port;
    const e = await refusal(new SshTransport(sshd.spec(0, { knownHostsFiles: [empty] })));
    expect(e.kind).toBe("hostkey");
    expect(e.message).toContain(`host key for [127.0.0.1]:${port} (node01) is not in ${empty}`);
    expect(e.message).toMatch(/verify the fingerprint SHA256:[A-Za-z0-9+/]{43}/);
    expect(e.message).toContain(`ssh-keyscan -p ${port} 127.0.0.1 >> ${empty}`);
  });

  it("accepts any key only when host key checking is explicitly off", async () => {
    const empty = join(sshd.dir, "empty_known_hosts2");
    writeFileSync(empty, "");
    const t = new SshTransport(sshd.spec(0, { knownHostsFiles: [empty], hostKeyChecking: "off" }));
    await t.connect();
    expect((await t.exec("echo ok")).stdout).toBe("ok\n");
    await t.close();
  });

  it("refuses a changed host key and names the line and the fix", async () => {
    await sshd.restart(1, { newHostKey: true });
    const port = sshd.hosts[1]!.port;
    const e = await refusal(new SshTransport(sshd.spec(1)));
    expect(e.kind).toBe("hostkey");
    expect(e.message).toMatch(new RegExp(`^HOST KEY CHANGED for \\[127\\.0\\.0\\.1\\]:${port} \\(node02\\): known_hosts line 2 \\(${sshd.knownHostsPath.replace(/[/.]/g, "\\$&")}\\) has a different ssh-ed25519 key \\(SHA256:\\S+\\) than the server presented \\(SHA256:\\S+\\)`));
    expect(e.message).toContain(`ssh-keygen -R '[127.0.0.1]:${port}' -f ${sshd.knownHostsPath}`);
  });

  it("refuses a revoked key", async () => {
    const kh = join(sshd.dir, "revoked_known_hosts");
    const [type, blob] = sshd.hosts[0]!.hostKeyPublic.split(" ");
    writeFileSync(kh, `@revoked * ${type} ${blob}\n[127.0.0.1]:${sshd.hosts[0]!.port} ${type} ${blob}\n`);
    const e = await refusal(new SshTransport(sshd.spec(0, { knownHostsFiles: [kh] })));
    expect(e.kind).toBe("hostkey");
    expect(e.message).toMatch(/@revoked/);
  });

  it("reports connection refused as kind connect", async () => {
    const port = await new Promise<number>((res) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const a = s.address();
        s.close(() => res(typeof a === "object" && a ? a.port : 1));
      });
    });
    const e = await refusal(new SshTransport(sshd.spec(0, { port })));
    expect(e.kind).toBe("connect");
    expect(e.message).toMatch(/connection refused/);
  });

  it("reports a handshake timeout as kind timeout", async () => {
    const e = await connectTo(() => undefined); // accepts TCP, never speaks SSH
    expect(e.kind).toBe("timeout");
    expect(e.message).toContain("no SSH banner from the server within 0.5s");
  });

  it("a server that sends its banner and then goes silent times out after the connect timeout of silence", async () => {
    const e = await connectTo((s) => s.write("SSH-2.0-OpenSSH_9.2p1\r\n"));
    expect(e.kind).toBe("timeout");
    expect(e.message).toContain("the server went silent during the SSH handshake within 0.5s");
  });

  it("a slow but answering server connects although the whole handshake takes longer than the connect timeout", async () => {
    // every chunk delayed 250 ms each way: ~8 turns of 0.5 s, twice the 2 s connect timeout, never 2 s of silence
    const proxy = await startSlowProxy({ ip: "127.0.0.1", port: 0 }, { ip: "127.0.0.1", port: sshd.hosts[0]!.port }, 250);
    const a = proxy.server.address();
    const port = typeof a === "object" && a ? a.port : 1;
    const t = new SshTransport(sshd.spec(0, { port, connectTimeoutMs: 2000, hostKeyChecking: "off" }));
    const started = Date.now();
    try {
      await t.connect();
      expect(Date.now() - started).toBeGreaterThan(2000);
      expect((await t.exec("echo slow")).stdout).toBe("slow\n");
    } finally {
      await t.close();
      await proxy.close(true);
    }
  });

  it("names user, host and keys tried when authentication fails", async () => {
    const other = generateKeyPair(join(sshd.dir, "stranger"));
    const missing = join(sshd.dir, "no-such-key");
    const enc = generateKeyPair(join(sshd.dir, "encrypted"), { passphrase: "secret" });
    const e = await refusal(new SshTransport(sshd.spec(0, { identityFiles: [other.privatePath, missing, enc.privatePath] })));
    expect(e.kind).toBe("auth");
    expect(e.message).toContain(`authentication failed for root@127.0.0.1:${sshd.hosts[0]!.port} (node01)`);
    expect(e.message).toContain(`tried ${other.privatePath}`);
    expect(e.message).toContain(`${missing}: no such file`);
    expect(e.message).toContain(`${enc.privatePath}: the key is passphrase-protected`);
  });

  it("authenticates through ssh-agent when no identity file is given", async () => {
    const sock = join(sshd.dir, "agent.sock");
    const out = execFileSync("ssh-agent", ["-a", sock, "-s"], { encoding: "utf8" });
    const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)?.[1]);
    try {
      execFileSync("ssh-add", [sshd.clientKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: "ignore" });
      const t = new SshTransport(sshd.spec(0, { identityFiles: [], agentSocket: sock }));
      await t.connect();
      expect((await t.exec("echo agent")).stdout).toBe("agent\n");
      await t.close();
    } finally {
      if (pid) process.kill(pid);
    }
  });

  it("pool reuses one transport per host and reconnects after a drop", async () => {
    await sshd.restart(1); // fresh sshd (key from the changed-key test stays: fix known_hosts)
    appendFileSync(sshd.knownHostsPath, `[127.0.0.1]:${sshd.hosts[1]!.port} ${sshd.hosts[1]!.hostKeyPublic.split(" ").slice(0, 2).join(" ")}\n`);
    const pool = new TransportPool((h) => new SshTransport(sshd.spec(h === "node01" ? 0 : 1)));
    const a = await pool.get("node01");
    expect(await pool.get("node01")).toBe(a);
    sshd.dropConnections(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(a.connected).toBe(false);
    const b = await pool.reconnect("node01");
    expect(b).not.toBe(a);
    expect((await b.exec("echo back")).stdout).toBe("back\n");
    const c = await pool.get("node02");
    expect((await c.exec("echo two")).stdout).toBe("two\n");
    await pool.closeAll();
    expect(b.connected).toBe(false);
  });

  it("connects through a ProxyJump host", async () => {
    const jump = sshd.spec(0);
    const t = new SshTransport(sshd.spec(1, { proxyJump: jump }));
    await t.connect();
    expect((await t.exec("echo via-jump")).stdout).toBe("via-jump\n");
    await t.close();
  });
});
