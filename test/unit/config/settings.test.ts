// Settings: ansible.cfg discovery (ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg, /etc), precedence, sources.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findAnsibleCfg, parseAnsibleCfg } from "../../../src/config/ansible-cfg.js";
import { renderSettings, resolveSettings } from "../../../src/config/settings.js";
import { connectDefaults } from "../../../src/cli/run-settings.js";
import { transportFor } from "../../../src/cli/connect.js";
import type { SshTransport } from "../../../src/transport/ssh.js";
import { loadInventory } from "../../../src/inventory/index.js";

function sandbox() {
  const root = mkdtempSync(join(tmpdir(), "remedy-cfg-"));
  const dirs = { root, cwd: join(root, "project"), home: join(root, "home"), etc: join(root, "etc", "ansible.cfg"), other: join(root, "other") };
  for (const d of [dirs.cwd, dirs.home, join(root, "etc"), dirs.other]) mkdirSync(d, { recursive: true });
  chmodSync(dirs.cwd, 0o755);
  return dirs;
}

describe("ansible.cfg discovery", () => {
  it("follows ansible's order and takes the first file found", () => {
    const d = sandbox();
    const s = (env: Record<string, string> = {}) => findAnsibleCfg({ env, cwd: d.cwd, home: d.home, etc: d.etc });
    expect(s()).toBeUndefined();
    writeFileSync(d.etc, "[defaults]\n");
    expect(s()).toBe(d.etc);
    writeFileSync(join(d.home, ".ansible.cfg"), "[defaults]\n");
    expect(s()).toBe(join(d.home, ".ansible.cfg"));
    writeFileSync(join(d.cwd, "ansible.cfg"), "[defaults]\n");
    expect(s()).toBe(join(d.cwd, "ansible.cfg"));
    writeFileSync(join(d.other, "ansible.cfg"), "[defaults]\n");
    expect(s({ ANSIBLE_CONFIG: join(d.other, "ansible.cfg") })).toBe(join(d.other, "ansible.cfg"));
    expect(s({ ANSIBLE_CONFIG: d.other })).toBe(join(d.other, "ansible.cfg")); // a directory: its ansible.cfg
    // like ansible, ./ansible.cfg in a world-writable directory is ignored
    chmodSync(d.cwd, 0o777);
    expect(s()).toBe(join(d.home, ".ansible.cfg"));
  });

  it("parses [defaults] with = or :, comments and continuation lines; errors name file:line", () => {
    const c = parseAnsibleCfg("# top\n[defaults]\ninventory = ./hosts.ini ; inline\nforks: 7\n[ssh_connection]\npipelining = True\n", "a.cfg");
    expect(c.defaults.get("inventory")).toEqual({ value: "./hosts.ini", line: 3 });
    expect(c.defaults.get("forks")).toEqual({ value: "7", line: 4 });
    expect(c.defaults.has("pipelining")).toBe(false);
    expect(() => parseAnsibleCfg("inventory = x\n", "b.cfg")).toThrow('b.cfg:1: "inventory" is outside any section; put it under [defaults]');
    expect(() => parseAnsibleCfg("[defaults]\njunk\n", "c.cfg")).toThrow('c.cfg:2: expected "key = value"');
  });
});

describe("settings precedence: command line > REMEDY_* > ANSIBLE_* > ansible.cfg > default", () => {
  it("resolves each setting and says where it came from", () => {
    const d = sandbox();
    writeFileSync(
      join(d.cwd, "ansible.cfg"),
      "[defaults]\ninventory = inv/hosts.ini\nremote_user = deploy\nprivate_key_file = ~/.ssh/fleet\nhost_key_checking = False\ntimeout = 33\nforks = 12\nvault_password_file = secrets/vault.txt\n",
    );
    const base = { env: {} as Record<string, string>, cwd: d.cwd, home: d.home, etcCfg: d.etc };
    let s = resolveSettings({ ...base, cli: {} });
    expect(s.cfgFile).toBe(join(d.cwd, "ansible.cfg"));
    expect(s.get("inventory")).toEqual({ key: "inventory", value: join(d.cwd, "inv/hosts.ini"), source: `${join(d.cwd, "ansible.cfg")}:2 [defaults] inventory` });
    expect(s.str("remote_user")).toBe("deploy");
    expect(s.str("private_key_file")).toBe(join(d.home, ".ssh/fleet"));
    expect(s.bool("host_key_checking")).toBe(false);
    expect(s.int("connect_timeout")).toBe(33);
    expect(s.int("forks")).toBe(12);
    expect(s.str("vault_password_file")).toBe(join(d.cwd, "secrets/vault.txt"));
    expect(s.get("become")).toEqual({ key: "become", value: "false", source: "default" });

    s = resolveSettings({ ...base, env: { ANSIBLE_INVENTORY: "/a/hosts", ANSIBLE_FORKS: "3", ANSIBLE_REMOTE_USER: "ops" }, cli: {} });
    expect(s.get("inventory")).toMatchObject({ value: "/a/hosts", source: "environment ANSIBLE_INVENTORY" });
    expect(s.get("forks")).toMatchObject({ value: "3", source: "environment ANSIBLE_FORKS" });

    s = resolveSettings({ ...base, env: { ANSIBLE_INVENTORY: "/a/hosts", REMEDY_INVENTORY: "/b/hosts" }, cli: {} });
    expect(s.get("inventory")).toMatchObject({ value: "/b/hosts", source: "environment REMEDY_INVENTORY" });

    s = resolveSettings({ ...base, env: { REMEDY_INVENTORY: "/b/hosts" }, cli: { inventory: "c.ini", remote_user: "me", forks: "2" } });
    expect(s.get("inventory")).toMatchObject({ value: join(d.cwd, "c.ini"), source: "command line (-i/--inventory)" });
    expect(s.get("remote_user")).toMatchObject({ value: "me", source: "command line (-u/--user)" });
    expect(s.int("forks")).toBe(2);
    expect(renderSettings(s)).toMatch(/^forks +2 +command line \(-f\/--forks\)$/m);
  });

  it("bad values name their source", () => {
    const d = sandbox();
    writeFileSync(join(d.cwd, "ansible.cfg"), "[defaults]\nforks = many\n");
    expect(() => resolveSettings({ env: {}, cwd: d.cwd, home: d.home, etcCfg: d.etc, cli: {} })).toThrow(
      `${join(d.cwd, "ansible.cfg")}:2 [defaults] forks: forks="many": expected a whole number from 1 to 5000`,
    );
    expect(() => resolveSettings({ env: { ANSIBLE_HOST_KEY_CHECKING: "maybe" }, cwd: d.root, home: d.home, etcCfg: d.etc, cli: {} })).toThrow(
      'environment ANSIBLE_HOST_KEY_CHECKING: host_key_checking="maybe" is not a boolean',
    );
    expect(() => resolveSettings({ env: {}, cwd: d.root, home: d.home, etcCfg: d.etc, cli: { forks: "0" } })).toThrow('--forks "0": expected a whole number from 1 to 5000');
    expect(() => resolveSettings({ env: { ANSIBLE_INVENTORY: "a,b" }, cwd: d.root, home: d.home, etcCfg: d.etc, cli: {} })).toThrow(/names several sources/);
  });

  it("state dir: REMEDY_STATE_DIR, else $XDG_STATE_HOME/remedy, else ~/.local/state/remedy", () => {
    const d = sandbox();
    const st = (env: Record<string, string>) => resolveSettings({ env, cwd: d.root, home: d.home, etcCfg: d.etc, cli: {} }).str("state_dir");
    expect(st({})).toBe(join(d.home, ".local/state/remedy"));
    expect(st({ XDG_STATE_HOME: "/x/state" })).toBe("/x/state/remedy");
    expect(st({ XDG_STATE_HOME: "/x/state", REMEDY_STATE_DIR: "/y" })).toBe("/y");
  });
});

describe("connection settings reach the SSH spec under the inventory's own vars", () => {
  it("-u, --private-key, -b, host_key_checking and timeout apply where the inventory is silent", async () => {
    const d = sandbox();
    writeFileSync(join(d.cwd, "hosts.ini"), "a ansible_host=10.0.0.1\nb ansible_host=10.0.0.2 ansible_user=admin ansible_become=false\n");
    writeFileSync(join(d.cwd, "ansible.cfg"), "[defaults]\nhost_key_checking = False\ntimeout = 25\n");
    const s = resolveSettings({ env: {}, cwd: d.cwd, home: d.home, etcCfg: d.etc, cli: { remote_user: "ops", private_key_file: "k", become: "true" } });
    const inv = await loadInventory(join(d.cwd, "hosts.ini"));
    const spec = (h: string) => (transportFor(inv, h, { sshConfig: join(d.root, "none"), ...connectDefaults(s) }) as SshTransport).spec;
    expect(spec("a")).toMatchObject({ user: "ops", become: true, hostKeyChecking: "off", connectTimeoutMs: 25_000 });
    expect(spec("a").identityFiles[0]).toBe(join(d.cwd, "k"));
    expect(spec("b")).toMatchObject({ user: "admin", become: false });
    // nothing given: the defaults leave the spec alone
    const none = resolveSettings({ env: {}, cwd: d.root, home: d.home, etcCfg: d.etc, cli: {} });
    expect(connectDefaults(none)).toEqual({ defaultVars: {}, connectTimeoutSec: undefined });
  });
});
