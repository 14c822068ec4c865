// Secrets reach a remote command on the session's stdin, not its command line: a long-running command
// that uses a secret does not show it in `ps` on the node, and the value arrives byte for byte.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interpolate } from "../../../src/playbook/interpolate.js";
import { secretBinding } from "../../../src/playbook/inputs.js";
import { withSecretEnv } from "../../../src/transport/secret-env.js";
import { SshTransport } from "../../../src/transport/ssh.js";
import { LocalTransport } from "../../../src/transport/local.js";
import type { Transport } from "../../../src/transport/transport.js";
import { startSshd, type SshdCluster } from "../../helpers/sshd.js";

const SECRET = `it's "sé\\cret" $(id) \`x\`\nzweite Zeile ünï 😀\n`;

let sshd: SshdCluster;
let ssh: SshTransport;
beforeAll(async () => {
  sshd = await startSshd({ count: 1 });
  ssh = new SshTransport(sshd.spec(0));
  await ssh.connect();
});
afterAll(async () => {
  await ssh?.close();
  await sshd?.stop();
});

function render(cmd: string, vars: Record<string, unknown>, declared?: Record<string, { type: "string"; secret?: boolean }>) {
  const secrets = secretBinding(vars, declared);
  const text = interpolate(cmd, { vars, host: "h", groups: {}, registered: {}, secrets }, "shell");
  return { text, env: secrets.env };
}

describe("secrets over stdin", () => {
  it("a secret-named var renders as a reference; a declared secret too; other vars stay shell-quoted", () => {
    expect(render("echo {{ db_password }} {{ user }}", { db_password: SECRET, user: "bob's" }).text).toBe(`echo "$REMEDY_SECRET_db_password" 'bob'"'"'s'`);
    expect(render("echo {{ motd }}", { motd: "x y" }, { motd: { type: "string", secret: true } }).text).toBe(`echo "$REMEDY_SECRET_motd"`);
  });

  for (const kind of ["ssh", "local"] as const) {
    it(`${kind}: the value arrives byte for byte (quotes, backslash, newlines, non-ASCII), also with stdin of its own`, async () => {
      const t: Transport = kind === "ssh" ? ssh : new LocalTransport("localhost");
      const { text, env } = render("printf %s {{ db_pwd }} | od -An -tx1 | tr -d ' \\n'; echo; cat", { db_pwd: SECRET });
      const r = await withSecretEnv(t, env).exec(text, { stdin: "rest of stdin\n" });
      expect(r.exitCode, r.stderr).toBe(0);
      const [hex, rest] = r.stdout.split("\n");
      expect(Buffer.from(hex!, "hex").toString("utf8")).toBe(SECRET);
      expect(rest).toBe("rest of stdin");
    });
  }

  it("ssh: not on the node's process list while a long command runs; child shells see it", async () => {
    const marker = `remedy-ps-probe-${process.pid}-${Date.now()}`;
    const { text, env } = render(`sleep 3; printf "%s\\n" {{ api_token }} | wc -c; sh -c 'printf %s "$REMEDY_SECRET_api_token"' | wc -c # ${marker}`, { api_token: SECRET });
    const running = withSecretEnv(ssh, env).exec(text, { timeoutMs: 20_000 });
    let seen = "";
    for (let i = 0; i < 40 && !seen.includes(marker); i++) {
      await new Promise((r) => setTimeout(r, 100));
      seen = execFileSync("ps", ["-eww", "-o", "args"], { encoding: "utf8" });
    }
    expect(seen).toContain(marker); // the command was running when we looked
    const procs = seen.split("\n").filter((l) => l.includes(marker) || l.includes("base64"));
    expect(procs.length).toBeGreaterThan(0);
    for (const l of procs) {
      expect(l).not.toContain("cret");
      expect(l).not.toContain("zweite");
      expect(l).not.toContain(Buffer.from(SECRET).toString("base64").slice(0, 12));
    }
    const r = await running;
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.split("\n")[0]!.trim()).toBe(String(Buffer.byteLength(SECRET) + 1)); // printf adds one newline
    expect(r.stdout.split("\n")[1]!.trim()).toBe(String(Buffer.byteLength(SECRET))); // batched checks run in child shells
  });
});
