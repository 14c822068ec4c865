// Host key modes on a real sshd: accept-new adds an unknown key to the known_hosts file and refuses a
// changed one; with checking off a changed key still connects, but with a loud warning.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TransportError } from "../../../src/errors.js";
import { SshTransport } from "../../../src/transport/ssh.js";
import { cli } from "../../helpers/cli.js";
import { startSshd, type SshdCluster } from "../../helpers/sshd.js";

let sshd: SshdCluster;
const dir = mkdtempSync(join(tmpdir(), "remedy-accept-new-"));
beforeAll(async () => {
  sshd = await startSshd({ count: 1 });
});
afterAll(async () => {
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(mode: "strict" | "accept-new" | "off", knownHosts: string, warnings: string[] = []): Promise<void> {
  const t = new SshTransport(sshd.spec(0, { hostKeyChecking: mode, knownHostsFiles: [knownHosts] }), { onWarning: (_h, m) => warnings.push(m) });
  try {
    await t.connect();
    expect((await t.exec("echo ok")).stdout).toBe("ok\n");
  } finally {
    await t.close();
  }
}

describe("host key checking modes (real sshd)", () => {
  it("accept-new: an unknown key is added (file and directory created), then strict checking accepts it", async () => {
    const kh = join(dir, "sub", "known_hosts");
    await expect(connect("strict", kh)).rejects.toThrow(/not in .*known_hosts/);
    const warnings: string[] = [];
    await connect("accept-new", kh, warnings);
    const port = sshd.hosts[0]!.port;
    const [type, blob] = sshd.hosts[0]!.hostKeyPublic.split(" ");
    expect(readFileSync(kh, "utf8")).toBe(`[127.0.0.1]:${port} ${type} ${blob}\n`);
    expect(warnings.join("\n")).toMatch(/added the host key .* \(accept-new\)/);
    await connect("strict", kh); // now known
    await connect("accept-new", kh); // known: nothing appended twice
    expect(readFileSync(kh, "utf8").split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("accept-new refuses a changed key and leaves the file alone; off connects but warns HOST KEY CHANGED", async () => {
    const kh = join(dir, "known_hosts2");
    await connect("accept-new", kh);
    const before = readFileSync(kh, "utf8");
    await sshd.restart(0, { newHostKey: true });
    const err = await connect("accept-new", kh).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).kind).toBe("hostkey");
    expect((err as Error).message).toMatch(/HOST KEY CHANGED/);
    expect(readFileSync(kh, "utf8")).toBe(before);
    const warnings: string[] = [];
    await connect("off", kh, warnings);
    expect(warnings.join("\n")).toMatch(/host key checking is off, connecting anyway: HOST KEY CHANGED/);
    const quiet: string[] = [];
    await connect("off", join(dir, "empty_known_hosts"), quiet); // unknown (not changed): no warning
    expect(quiet).toEqual([]);

    // through the CLI: a warning event of the run (the inventory's known_hosts still has the old key)
    const inv = join(dir, "hosts.ini");
    writeFileSync(inv, `[nodes]\n${sshd.inventoryLine(0)} ansible_host_key_checking=false\n`);
    const pb = join(dir, "pb.yml");
    writeFileSync(pb, 'name: p\nhosts: nodes\nsteps:\n  - name: t\n    check: "true"\n');
    const r = await cli(["check", pb, "-i", inv, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const warning = r.events.find((e) => e.type === "warning");
    expect(warning, r.stdout).toMatchObject({ host: "node01" });
    expect(String(warning!.message)).toMatch(/host key checking is off, connecting anyway: HOST KEY CHANGED/);
  });
});
