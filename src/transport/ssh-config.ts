// ~/.ssh/config via the `ssh-config` package: the directives remedy honours, with ~ and %-token expansion.
import { readFileSync } from "node:fs";
import SSHConfig from "ssh-config";

export interface SshConfigValues {
  hostname?: string;
  user?: string;
  port?: number;
  /** raw (unexpanded) IdentityFile values, in order */
  identityFiles?: string[];
  /** raw ProxyJump value ("none" is dropped) */
  proxyJump?: string;
  /** raw ProxyCommand value */
  proxyCommand?: string;
  userKnownHostsFiles?: string[];
  strictHostKeyChecking?: string;
}

function list(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Directives for `host` (the name as typed: the inventory's ansible_host or name). Match exec is not run. */
export function sshConfigFor(text: string, host: string): SshConfigValues {
  const c = SSHConfig.parse(text).compute(host, { ignoreCase: true, matchExec: false });
  const out: SshConfigValues = {};
  const hostname = first(c["hostname"]);
  if (hostname) out.hostname = hostname;
  const user = first(c["user"]);
  if (user) out.user = user;
  const port = Number(first(c["port"]));
  if (Number.isInteger(port) && port > 0) out.port = port;
  const ids = list(c["identityfile"]).filter((f) => f.toLowerCase() !== "none");
  if (ids.length) out.identityFiles = ids;
  const jump = first(c["proxyjump"]);
  if (jump && jump.toLowerCase() !== "none") out.proxyJump = jump;
  const pc = first(c["proxycommand"]);
  if (pc && pc.toLowerCase() !== "none") out.proxyCommand = pc;
  const kh = list(c["userknownhostsfile"]).flatMap((v) => v.split(/\s+/)).filter(Boolean);
  if (kh.length) out.userKnownHostsFiles = kh;
  const strict = first(c["stricthostkeychecking"]);
  if (strict) out.strictHostKeyChecking = strict.toLowerCase();
  return out;
}

/** Reads the config file; a missing file means no directives. */
export function readSshConfig(path: string, host: string): SshConfigValues {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw e;
  }
  return sshConfigFor(text, host);
}

export interface TokenContext {
  /** target HostName */
  hostname: string;
  /** the name as given (inventory/ansible_host) */
  original: string;
  remoteUser: string;
  port: number;
  localUser: string;
  home: string;
}

/** OpenSSH path expansion: leading ~, %h %n %r %p %u %d %%. Unknown tokens are kept as written. */
export function expandPath(value: string, ctx: TokenContext): string {
  let v = value;
  if (v === "~" || v.startsWith("~/")) v = ctx.home + v.slice(1);
  return v.replace(/%([%hnrpud])/g, (_, t: string) => {
    switch (t) {
      case "%": return "%";
      case "h": return ctx.hostname;
      case "n": return ctx.original;
      case "r": return ctx.remoteUser;
      case "p": return String(ctx.port);
      case "u": return ctx.localUser;
      default: return ctx.home; // d
    }
  });
}

export interface JumpHop {
  user?: string;
  host: string;
  port?: number;
}

/** ProxyJump value: `[user@]host[:port]` or `ssh://[user@]host[:port]`, comma-separated, first hop first. */
export function parseProxyJump(value: string): JumpHop[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((hop) => {
      let s = hop.replace(/^ssh:\/\//, "");
      let user: string | undefined;
      const at = s.lastIndexOf("@");
      if (at >= 0) {
        user = s.slice(0, at);
        s = s.slice(at + 1);
      }
      let port: number | undefined;
      const m = /^\[(.+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+)(?::(\d+))?$/.exec(s);
      const host = m?.[1] ?? s;
      if (m?.[2]) port = Number(m[2]);
      return { user, host, port };
    });
}
