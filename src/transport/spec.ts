// Inventory vars + ~/.ssh/config + defaults → one ConnectionSpec. Precedence, lowest first:
// built-in defaults, opts.defaults, ~/.ssh/config, opts.knownHostsFiles (CLI), inventory vars (as in Ansible,
// host vars beat the command line for connection settings).
import { existsSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { join } from "node:path";
import { InputError } from "../errors.js";
import type { ConnectionSpec } from "./transport.js";
import { expandPath, parseProxyJump, readSshConfig, type JumpHop, type SshConfigValues } from "./ssh-config.js";

export interface ResolveOptions {
  /** default ~/.ssh/config */
  sshConfigPath?: string;
  /** CLI --known-hosts: replaces ~/.ssh/known_hosts (and ssh_config's UserKnownHostsFile) */
  knownHostsFiles?: string[];
  defaults?: Partial<ConnectionSpec>;
  /** for tests; default process.env */
  env?: Record<string, string | undefined>;
  /** for tests; default os.homedir() */
  home?: string;
}

const DEFAULT_KEYS = ["id_ed25519", "id_ecdsa", "id_rsa"];
const MAX_JUMP_DEPTH = 5;

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v.trim() === "" ? undefined : v.trim();
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

function bool(name: string, host: string, v: unknown): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "boolean") return v;
  const s = String(v).trim().toLowerCase();
  if (["true", "yes", "on", "1", "y"].includes(s)) return true;
  if (["false", "no", "off", "0", "n"].includes(s)) return false;
  throw new InputError(`host ${host}: ${name}=${String(v)} is not a boolean (use true or false)`);
}

function port(name: string, host: string, v: unknown): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InputError(`host ${host}: ${name}=${s} is not a TCP port (1-65535)`);
  return n;
}

function seconds(name: string, host: string, v: unknown): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isFinite(n) || n <= 0 || n > 3600) throw new InputError(`host ${host}: ${name}=${s} is not a number of seconds (e.g. 30)`);
  return n;
}

/** Minimal POSIX-shell word splitting (quotes and backslashes) for ansible_ssh_common_args. */
export function splitWords(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      cur += s.slice(i + 1, end < 0 ? s.length : end);
      i = end < 0 ? s.length : end;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === "\\" && j + 1 < s.length) j++;
        cur += s[j];
      }
      i = j;
      inWord = true;
    } else if (c === "\\" && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

interface CommonArgs {
  strictHostKeyChecking?: string;
  userKnownHostsFiles?: string[];
  proxyJump?: string;
  /** identity file given inside a ProxyCommand `ssh -i key -W %h:%p` */
  jumpIdentity?: string;
  warnings: string[];
}

/** `ssh -W %h:%p [-p N] [-l user] [-i key] [user@]host` → a ProxyJump hop (what kubespray's bastion writes). */
function proxyCommandAsJump(cmd: string): { jump?: string; identity?: string } {
  const w = splitWords(cmd);
  if (!/(^|\/)ssh$/.test(w[0] ?? "") || !w.includes("-W")) return {};
  let p: string | undefined;
  let user: string | undefined;
  let identity: string | undefined;
  const positional: string[] = [];
  for (let i = 1; i < w.length; i++) {
    const a = w[i]!;
    if (a === "-W" || a === "-o" || a === "-F" || a === "-b" || a === "-c" || a === "-m") i++;
    else if (a === "-p") p = w[++i];
    else if (a === "-l") user = w[++i];
    else if (a === "-i") identity = w[++i];
    else if (a.startsWith("-")) continue;
    else positional.push(a);
  }
  const host = positional[0];
  if (!host || positional.length > 1) return {};
  const hop = `${user && !host.includes("@") ? user + "@" : ""}${host}${p ? ":" + p : ""}`;
  return { jump: hop, identity };
}

function parseCommonArgs(value: string): CommonArgs {
  const out: CommonArgs = { warnings: [] };
  const w = splitWords(value);
  for (let i = 0; i < w.length; i++) {
    const a = w[i]!;
    let opt: string | undefined;
    if (a === "-o") opt = w[++i];
    else if (a.startsWith("-o")) opt = a.slice(2);
    else if (a === "-J") {
      out.proxyJump = w[++i];
      continue;
    } else {
      out.warnings.push(`ansible_ssh_common_args: ${a} is not supported by remedy's ssh transport (ignored)`);
      continue;
    }
    if (!opt) continue;
    const m = /^([A-Za-z]+)\s*[= ]\s*(.*)$/.exec(opt);
    const key = m?.[1]?.toLowerCase();
    const val = m?.[2] ?? "";
    if (key === "stricthostkeychecking") out.strictHostKeyChecking = val.toLowerCase();
    else if (key === "userknownhostsfile") out.userKnownHostsFiles = val.split(/\s+/).filter(Boolean);
    else if (key === "proxyjump") out.proxyJump = val;
    else if (key === "proxycommand") {
      const pj = proxyCommandAsJump(val);
      if (pj.jump) {
        out.proxyJump = pj.jump;
        out.jumpIdentity = pj.identity;
      } else out.warnings.push(`ansible_ssh_common_args: ProxyCommand "${val}" is not supported (only "ssh -W %h:%p [user@]host"); ignored`);
    } else out.warnings.push(`ansible_ssh_common_args: -o ${opt} is not supported by remedy's ssh transport (ignored)`);
  }
  return out;
}

function strictToMode(v: string | undefined): ConnectionSpec["hostKeyChecking"] | undefined {
  if (v === undefined) return undefined;
  if (v === "accept-new") return "accept-new";
  return v === "no" || v === "off" || v === "false" ? "off" : "strict";
}

interface Ctx {
  sshConfigPath: string;
  home: string;
  env: Record<string, string | undefined>;
  localUser: string;
  knownHostsFiles?: string[];
  defaults: Partial<ConnectionSpec>;
}

/** A jump host: ssh config for its name, then what the ProxyJump string says. Its own ProxyJump is followed. */
function resolveJump(hop: JumpHop, ctx: Ctx, known: string[], mode: ConnectionSpec["hostKeyChecking"], identity: string | undefined, depth: number): ConnectionSpec {
  if (depth > MAX_JUMP_DEPTH) throw new InputError(`ProxyJump chain to ${hop.host} is longer than ${MAX_JUMP_DEPTH} hops (a loop in ~/.ssh/config?)`);
  const cfg = readSshConfig(ctx.sshConfigPath, hop.host);
  const spec = build(hop.host, hop.host, cfg, ctx, depth);
  if (hop.user) spec.user = hop.user;
  if (hop.port) spec.port = hop.port;
  if (!cfg.userKnownHostsFiles) spec.knownHostsFiles = known;
  if (mode === "off") spec.hostKeyChecking = "off";
  if (identity) spec.identityFiles = [expandPath(identity, tokenCtx(spec, hop.host, ctx)), ...spec.identityFiles];
  spec.become = false;
  return spec;
}

function tokenCtx(spec: ConnectionSpec, original: string, ctx: Ctx) {
  return { hostname: spec.hostname, original, remoteUser: spec.user, port: spec.port, localUser: ctx.localUser, home: ctx.home };
}

/** Defaults + ssh config for one name; identity files expanded with the values known at this point. */
function build(name: string, typed: string, cfg: SshConfigValues, ctx: Ctx, depth: number): ConnectionSpec {
  const defaultKeys = DEFAULT_KEYS.map((k) => join(ctx.home, ".ssh", k)).filter((p) => existsSync(p));
  const spec: ConnectionSpec = {
    name,
    hostname: typed,
    port: 22,
    user: ctx.localUser,
    identityFiles: defaultKeys,
    agentSocket: ctx.env["SSH_AUTH_SOCK"] || undefined,
    knownHostsFiles: [join(ctx.home, ".ssh", "known_hosts")],
    hostKeyChecking: "strict",
    connectTimeoutMs: 10_000,
    keepaliveIntervalMs: 15_000,
    maxSessions: 8,
    become: false,
    connection: "ssh",
    ...ctx.defaults,
  };
  if (cfg.hostname) spec.hostname = expandPath(cfg.hostname, { ...tokenCtx(spec, typed, ctx), hostname: typed });
  if (cfg.user) spec.user = cfg.user;
  if (cfg.port) spec.port = cfg.port;
  if (cfg.identityFiles) spec.identityFiles = cfg.identityFiles.map((f) => expandPath(f, tokenCtx(spec, typed, ctx)));
  if (cfg.userKnownHostsFiles) spec.knownHostsFiles = cfg.userKnownHostsFiles.map((f) => expandPath(f, tokenCtx(spec, typed, ctx)));
  else if (ctx.knownHostsFiles?.length) spec.knownHostsFiles = [...ctx.knownHostsFiles];
  const strict = strictToMode(cfg.strictHostKeyChecking);
  if (strict) spec.hostKeyChecking = strict;
  if (cfg.proxyJump) spec.proxyJump = chain(cfg.proxyJump, ctx, spec, undefined, depth);
  else if (cfg.proxyCommand) {
    const pj = proxyCommandAsJump(cfg.proxyCommand);
    if (pj.jump) spec.proxyJump = chain(pj.jump, ctx, spec, pj.identity, depth);
    else (spec.warnings ??= []).push(`~/.ssh/config ProxyCommand "${cfg.proxyCommand}" for ${name} is not supported (only "ssh -W %h:%p [user@]host"); ignored`);
  }
  return spec;
}

/** `a,b` → target.proxyJump = b, b.proxyJump = a. */
function chain(value: string, ctx: Ctx, target: ConnectionSpec, identity: string | undefined, depth: number): ConnectionSpec | undefined {
  let prev: ConnectionSpec | undefined;
  for (const hop of parseProxyJump(value)) {
    const j = resolveJump(hop, ctx, target.knownHostsFiles, target.hostKeyChecking, identity, depth + 1);
    if (prev) j.proxyJump = prev;
    prev = j;
  }
  return prev;
}

export function resolveConnectionSpec(name: string, vars: Record<string, unknown>, opts: ResolveOptions = {}): ConnectionSpec {
  const env = opts.env ?? process.env;
  const home = opts.home ?? homedir();
  let localUser = env["USER"] || env["LOGNAME"] || "";
  if (!localUser) {
    try {
      localUser = userInfo().username;
    } catch {
      localUser = "root";
    }
  }
  const ctx: Ctx = {
    sshConfigPath: opts.sshConfigPath ?? join(home, ".ssh", "config"),
    home,
    env,
    localUser: localUser || "root",
    knownHostsFiles: opts.knownHostsFiles,
    defaults: opts.defaults ?? {},
  };
  const ansibleHost = str(vars["ansible_host"]) ?? str(vars["ansible_ssh_host"]);
  const typed = ansibleHost ?? name;
  const cfg = readSshConfig(ctx.sshConfigPath, typed);
  const spec = build(name, typed, cfg, ctx, 0);
  const warnings = spec.warnings ?? [];

  // Inventory vars: highest precedence.
  const p = port("ansible_port", name, vars["ansible_port"] ?? vars["ansible_ssh_port"]);
  if (p) spec.port = p;
  const user = str(vars["ansible_user"]) ?? str(vars["ansible_ssh_user"]);
  if (user) spec.user = user;
  // ansible's connection timeout (ssh -o ConnectTimeout): slow or busy nodes need more than the 10 s default
  const timeout = seconds("ansible_timeout", name, vars["ansible_timeout"] ?? vars["ansible_ssh_timeout"]);
  if (timeout) spec.connectTimeoutMs = timeout * 1000;
  const key = str(vars["ansible_ssh_private_key_file"]) ?? str(vars["ansible_private_key_file"]);
  const pass = str(vars["ansible_ssh_pass"]) ?? str(vars["ansible_password"]);
  if (pass !== undefined) spec.password = pass;
  const become = bool("ansible_become", name, vars["ansible_become"]);
  if (become !== undefined) spec.become = become;
  const becomeUser = str(vars["ansible_become_user"]);
  if (becomeUser) spec.becomeUser = becomeUser;
  const becomePass = str(vars["ansible_become_pass"]) ?? str(vars["ansible_become_password"]);
  if (becomePass !== undefined) spec.becomePassword = becomePass;
  const method = str(vars["ansible_become_method"]);
  if (method && method !== "sudo") warnings.push(`ansible_become_method=${method}: remedy only uses sudo`);
  const conn = str(vars["ansible_connection"]);
  if (conn === "local") spec.connection = "local";
  else if (conn === "ssh" || conn === "paramiko" || conn === "smart" || conn === undefined) spec.connection = spec.connection ?? "ssh";
  else throw new InputError(`host ${name}: ansible_connection=${conn} is not supported (use ssh or local)`);

  const common = str(vars["ansible_ssh_common_args"]);
  if (common) {
    const c = parseCommonArgs(common);
    warnings.push(...c.warnings);
    const mode = strictToMode(c.strictHostKeyChecking);
    if (mode) spec.hostKeyChecking = mode;
    if (c.userKnownHostsFiles) spec.knownHostsFiles = c.userKnownHostsFiles.map((f) => expandPath(f, tokenCtx(spec, typed, ctx)));
    if (c.proxyJump) spec.proxyJump = chain(c.proxyJump, ctx, spec, c.jumpIdentity, 0);
  }
  const hkc = bool("ansible_host_key_checking", name, vars["ansible_host_key_checking"]);
  if (hkc !== undefined) spec.hostKeyChecking = hkc ? "strict" : "off";
  const rhkc = str(vars["remedy_host_key_checking"]);
  if (rhkc !== undefined) {
    if (!["strict", "accept-new", "off"].includes(rhkc)) throw new InputError(`host ${name}: remedy_host_key_checking=${rhkc} is not one of strict, accept-new, off`);
    spec.hostKeyChecking = rhkc as ConnectionSpec["hostKeyChecking"];
  }
  const kh = vars["remedy_known_hosts"];
  if (kh !== undefined && kh !== null && kh !== "") {
    const files = Array.isArray(kh) ? kh.map(String) : String(kh).split(",").map((s) => s.trim()).filter(Boolean);
    spec.knownHostsFiles = files.map((f) => expandPath(f, tokenCtx(spec, typed, ctx)));
  }
  // Identity from inventory goes first, the rest are still tried (as `ssh -i` does).
  if (key) spec.identityFiles = [expandPath(key, tokenCtx(spec, typed, ctx)), ...spec.identityFiles.filter((f) => f !== key)];
  if (warnings.length) spec.warnings = warnings;
  else delete spec.warnings;
  return spec;
}
