import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConnectionSpec } from "../../../src/transport/spec.js";
import { expandPath, parseProxyJump, sshConfigFor } from "../../../src/transport/ssh-config.js";
import { InputError } from "../../../src/errors.js";

const home = mkdtempSync(join(tmpdir(), "remedy-spec-"));
mkdirSync(join(home, ".ssh"));
writeFileSync(join(home, ".ssh", "id_ed25519"), "x");
const cfgPath = join(home, ".ssh", "config");
writeFileSync(
  cfgPath,
  [
    "Host node*",
    "  User cfguser",
    "  Port 2200",
    "  IdentityFile ~/.ssh/%r@%h-%p",
    "  UserKnownHostsFile ~/.ssh/kh_%h",
    "Host 10.0.0.5",
    "  HostName node05.internal",
    "  ProxyJump jumper@bastion:2022,inner",
    "Host bastion",
    "  User bastionuser",
    "Host lax",
    "  StrictHostKeyChecking no",
    "Host *",
    "  User fallback",
    "",
  ].join("\n"),
);
const env = { USER: "alice", SSH_AUTH_SOCK: "/tmp/agent.sock" };
const resolve = (name: string, vars: Record<string, unknown> = {}, extra: object = {}) =>
  resolveConnectionSpec(name, vars, { sshConfigPath: cfgPath, env, home, ...extra });

describe("resolveConnectionSpec", () => {
  it("has defaults: port 22, $USER, 10 s connect, 15 s keepalive, 8 sessions, ~/.ssh/known_hosts, strict", () => {
    const s = resolveConnectionSpec("web1", {}, { sshConfigPath: "/nonexistent", env, home });
    expect(s).toMatchObject({
      name: "web1", hostname: "web1", port: 22, user: "alice", connectTimeoutMs: 10_000, keepaliveIntervalMs: 15_000, maxSessions: 8,
      knownHostsFiles: [join(home, ".ssh", "known_hosts")], hostKeyChecking: "strict", become: false, connection: "ssh",
      agentSocket: "/tmp/agent.sock", identityFiles: [join(home, ".ssh", "id_ed25519")],
    });
    expect(resolveConnectionSpec("w", {}, { sshConfigPath: "/nonexistent", env: {}, home }).user).toBeTruthy();
  });

  it("applies ~/.ssh/config with %-tokens, and inventory vars override it", () => {
    const s = resolve("node01");
    expect(s).toMatchObject({ hostname: "node01", user: "cfguser", port: 2200 });
    expect(s.identityFiles).toEqual([join(home, ".ssh", "cfguser@node01-2200")]);
    expect(s.knownHostsFiles).toEqual([join(home, ".ssh", "kh_node01")]);
    const v = resolve("node01", { ansible_user: "root", ansible_port: "2222", ansible_ssh_private_key_file: "~/k" });
    expect(v).toMatchObject({ user: "root", port: 2222 });
    expect(v.identityFiles[0]).toBe(join(home, "k"));
    expect(s.connectTimeoutMs).toBe(10_000);
    expect(resolve("node01", { ansible_timeout: "45" }).connectTimeoutMs).toBe(45_000);
    expect(resolve("node01", { ansible_ssh_timeout: 30 }).connectTimeoutMs).toBe(30_000);
  });

  it("looks ssh config up by ansible_host, then follows HostName and ProxyJump chains", () => {
    const s = resolve("db1", { ansible_host: "10.0.0.5" });
    expect(s.name).toBe("db1");
    expect(s.hostname).toBe("node05.internal");
    expect(s.user).toBe("fallback");
    expect(s.proxyJump).toMatchObject({ hostname: "inner", user: "fallback", port: 22 });
    expect(s.proxyJump?.proxyJump).toMatchObject({ hostname: "bastion", user: "jumper", port: 2022 });
  });

  it("CLI known_hosts replaces the default; remedy_known_hosts beats it", () => {
    expect(resolve("x1", {}, { knownHostsFiles: ["/cli/kh"] }).knownHostsFiles).toEqual(["/cli/kh"]);
    expect(resolve("x1", { remedy_known_hosts: "/inv/kh" }, { knownHostsFiles: ["/cli/kh"] }).knownHostsFiles).toEqual(["/inv/kh"]);
    expect(resolve("x1", {}, { defaults: { connectTimeoutMs: 3000 } }).connectTimeoutMs).toBe(3000);
  });

  it("host key checking: strict unless explicitly turned off", () => {
    expect(resolve("x").hostKeyChecking).toBe("strict");
    expect(resolve("lax").hostKeyChecking).toBe("off");
    expect(resolve("x", { ansible_host_key_checking: false }).hostKeyChecking).toBe("off");
    expect(resolve("x", { ansible_host_key_checking: "False" }).hostKeyChecking).toBe("off");
    expect(resolve("lax", { ansible_host_key_checking: true }).hostKeyChecking).toBe("strict");
    expect(() => resolve("x", { ansible_host_key_checking: "maybe" })).toThrow(InputError);
  });

  it("understands a few ansible_ssh_common_args and warns on the rest", () => {
    const s = resolve("x", { ansible_ssh_common_args: "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -J ops@jump:2222 -C -o Compression=yes" });
    expect(s.hostKeyChecking).toBe("off");
    expect(s.knownHostsFiles).toEqual(["/dev/null"]);
    expect(s.proxyJump).toMatchObject({ hostname: "jump", user: "ops", port: 2222 });
    expect(s.warnings).toHaveLength(2);
    expect(s.warnings?.[0]).toContain("-C");
    const k = resolve("x", { ansible_ssh_common_args: `-o ProxyCommand="ssh -W %h:%p -p 2201 -i ~/.ssh/b admin@bastion.example"` });
    expect(k.proxyJump).toMatchObject({ hostname: "bastion.example", user: "admin", port: 2201 });
    expect(k.proxyJump?.identityFiles[0]).toBe(join(home, ".ssh", "b"));
    expect(k.warnings).toBeUndefined();
  });

  it("maps password, become and connection vars", () => {
    const s = resolve("x", { ansible_password: "pw", ansible_become: "yes", ansible_become_user: "postgres", ansible_become_pass: "bp", ansible_connection: "local" });
    expect(s).toMatchObject({ password: "pw", become: true, becomeUser: "postgres", becomePassword: "bp", connection: "local" });
    expect(() => resolve("x", { ansible_connection: "winrm" })).toThrow(/ansible_connection=winrm/);
    expect(() => resolve("x", { ansible_port: "ssh" })).toThrow(/not a TCP port/);
    expect(() => resolve("x", { ansible_timeout: "soon" })).toThrow(/ansible_timeout=soon is not a number of seconds/);
  });
});

describe("ssh-config helpers", () => {
  it("expands ~ and %h %r %p %u %d %n %%", () => {
    const ctx = { hostname: "h.example", original: "h", remoteUser: "r", port: 2, localUser: "me", home: "/home/me" };
    expect(expandPath("~/.ssh/%r@%h:%p-%u-%n-%d-100%%", ctx)).toBe("/home/me/.ssh/r@h.example:2-me-h-/home/me-100%");
    expect(expandPath("/x/~/%z", ctx)).toBe("/x/~/%z");
  });
  it("parses ProxyJump hop lists", () => {
    expect(parseProxyJump("a, u@b:2222,ssh://v@c:23,[::1]:24")).toEqual([
      { host: "a", user: undefined, port: undefined },
      { host: "b", user: "u", port: 2222 },
      { host: "c", user: "v", port: 23 },
      { host: "::1", user: undefined, port: 24 },
    ]);
  });
  it("first value wins, IdentityFile accumulates, Match exec is not run", () => {
    const c = sshConfigFor("Match exec \"touch /tmp/remedy-should-not-exist\"\n  User evil\nHost a\n  IdentityFile one\n  Port 1\nHost *\n  IdentityFile two\n  Port 2\n", "a");
    expect(c).toMatchObject({ identityFiles: ["one", "two"], port: 1 });
    expect(c.user).toBeUndefined();
  });
});
