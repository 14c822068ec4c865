// OpenSSH known_hosts: parse (plain, comma lists, [host]:port, hashed |1|salt|hash, @revoked,
// @cert-authority, comments) and decide whether a presented host key is trusted. Pure except loadKnownHosts.
import { createHash, createHmac } from "node:crypto";
import { appendFileSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { shellQuote } from "./quote.js";

export interface KnownHostEntry {
  file: string;
  line: number;
  marker?: "revoked" | "cert-authority";
  /** raw host field: comma list of patterns, or one |1|salt|hash */
  hosts: string;
  keyType: string;
  /** base64 key blob as written in the file */
  keyBase64: string;
}

export interface KnownHostsFile {
  file: string;
  entries: KnownHostEntry[];
  /** lines that could not be parsed (reported, never trusted) */
  bad: number[];
  /** set when the file could not be read (missing files are normal: treated as empty) */
  readError?: string;
}

export function parseKnownHosts(text: string, file: string): KnownHostsFile {
  const entries: KnownHostEntry[] = [];
  const bad: number[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const fields = trimmed.split(/\s+/);
    let marker: KnownHostEntry["marker"];
    if (fields[0]?.startsWith("@")) {
      const m = fields.shift();
      if (m === "@revoked") marker = "revoked";
      else if (m === "@cert-authority") marker = "cert-authority";
      else return void bad.push(i + 1);
    }
    const [hosts, keyType, keyBase64] = fields;
    if (!hosts || !keyType || !keyBase64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(keyBase64)) return void bad.push(i + 1);
    entries.push({ file, line: i + 1, marker, hosts, keyType, keyBase64 });
  });
  return { file, entries, bad };
}

// One parse per file and run, not per host: at 500 hosts a per-connection parse of a 500-line file kept
// 250 000 entries alive (the run's largest memory cost) and compiled as many patterns.
const parsed = new Map<string, { stamp: string; value: KnownHostsFile }>();

/** Reads each file (re-read only when it changed: accept-new appends); a missing file is an empty file (as in OpenSSH). */
export function loadKnownHosts(files: readonly string[]): KnownHostsFile[] {
  return files.map((file) => {
    try {
      const st = statSync(file, { bigint: true });
      const stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
      const hit = parsed.get(file);
      if (hit?.stamp === stamp) return hit.value;
      const value = parseKnownHosts(readFileSync(file, "utf8"), file);
      parsed.set(file, { stamp, value });
      return value;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return { file, entries: [], bad: [], readError: code === "ENOENT" ? undefined : String((e as Error).message) };
    }
  });
}

/** The name OpenSSH writes for a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "i");
}

function hashedMatches(field: string, name: string): boolean {
  const parts = field.split("|"); // "", "1", salt, hash
  if (parts.length !== 4 || parts[1] !== "1" || !parts[2] || !parts[3]) return false;
  const digest = createHmac("sha1", Buffer.from(parts[2], "base64")).update(name).digest("base64");
  return digest === parts[3];
}

/** Does the entry's host field match any of the names (already in known_hosts form)? */
export function hostFieldMatches(hosts: string, names: readonly string[]): boolean {
  if (hosts.startsWith("|")) return names.some((n) => hashedMatches(hosts, n));
  const patterns = hosts.split(",").filter(Boolean);
  let matched = false;
  for (const name of names) {
    for (const p of patterns) {
      const negated = p.startsWith("!");
      if (globToRegExp(negated ? p.slice(1) : p).test(name)) {
        if (negated) return false; // a negated match excludes the line for this host
        matched = true;
      }
    }
  }
  return matched;
}

/** Key type string embedded at the start of an SSH public key blob. */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) return "unknown";
  const len = blob.readUInt32BE(0);
  return len > 0 && len < 64 && blob.length >= 4 + len ? blob.subarray(4, 4 + len).toString("latin1") : "unknown";
}

/** OpenSSH-style SHA256 fingerprint: `SHA256:` + unpadded base64 of sha256(blob). */
export function fingerprint(blob: Buffer): string {
  return "SHA256:" + createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
}

export interface HostIdentity {
  /** inventory name, for messages */
  name: string;
  /** address we connect to */
  hostname: string;
  port: number;
  /** further names the key may be recorded under (e.g. the inventory name) */
  aliases?: string[];
}

export type HostKeyVerdict =
  | { ok: true; entry: KnownHostEntry }
  | { ok: false; reason: "unknown" | "changed" | "revoked"; message: string };

function lookupNames(id: HostIdentity): string[] {
  const hosts = [id.hostname, ...(id.aliases ?? [])].filter((h, i, a) => h && a.indexOf(h) === i);
  return hosts.map((h) => knownHostsName(h, id.port));
}

function displayName(id: HostIdentity): string {
  const n = knownHostsName(id.hostname, id.port);
  return id.name && id.name !== id.hostname ? `${n} (${id.name})` : n;
}

interface HostIndex {
  /** plain entries whose host field is a list of literal names, by lower-cased name */
  literal: Map<string, KnownHostEntry[]>;
  /** plain entries with wildcards, negations or a hashed name: matched one by one */
  patterned: KnownHostEntry[];
  revokedKeys: Map<string, KnownHostEntry>;
}
const indexes = new WeakMap<KnownHostsFile, HostIndex>();

function indexOf(f: KnownHostsFile): HostIndex {
  let ix = indexes.get(f);
  if (ix) return ix;
  ix = { literal: new Map(), patterned: [], revokedKeys: new Map() };
  for (const e of f.entries) {
    if (e.marker === "revoked") {
      if (!ix.revokedKeys.has(e.keyBase64)) ix.revokedKeys.set(e.keyBase64, e);
    } else if (!e.marker) {
      if (/[*?!|]/.test(e.hosts)) ix.patterned.push(e);
      else
        for (const name of new Set(e.hosts.toLowerCase().split(",").filter(Boolean))) {
          const list = ix.literal.get(name);
          if (list) list.push(e);
          else ix.literal.set(name, [e]);
        }
    }
  }
  indexes.set(f, ix);
  return ix;
}

/** Plain (unmarked) entries for any of the names, in file and line order. */
function entriesFor(files: readonly KnownHostsFile[], names: readonly string[]): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const f of files) {
    const ix = indexOf(f);
    const found = new Set<KnownHostEntry>();
    for (const n of names) for (const e of ix.literal.get(n.toLowerCase()) ?? []) found.add(e);
    for (const e of ix.patterned) if (hostFieldMatches(e.hosts, names)) found.add(e);
    out.push(...[...found].sort((a, b) => a.line - b.line));
  }
  return out;
}

/** Key types recorded for this host, for preferring them in the handshake (as OpenSSH does). */
export function knownKeyTypes(files: readonly KnownHostsFile[], id: HostIdentity): string[] {
  const types: string[] = [];
  for (const e of entriesFor(files, lookupNames(id))) if (!types.includes(e.keyType)) types.push(e.keyType);
  return types;
}

/** Decide on a presented key blob. Unknown and changed keys are refused with a message naming the fix. */
export function verifyHostKey(files: readonly KnownHostsFile[], id: HostIdentity, blob: Buffer): HostKeyVerdict {
  const names = lookupNames(id);
  const presented = blob.toString("base64");
  const type = keyTypeOfBlob(blob);
  const fp = fingerprint(blob);
  const where = displayName(id);
  const revoked = files.map((f) => indexOf(f).revokedKeys.get(presented)).find((e) => e !== undefined);
  if (revoked) {
    return {
      ok: false,
      reason: "revoked",
      message: `host key for ${where} (${type} ${fp}) is marked @revoked in ${revoked.file} line ${revoked.line}; refusing to connect`,
    };
  }
  const forHost = entriesFor(files, names);
  const same = forHost.find((e) => e.keyBase64 === presented);
  if (same) return { ok: true, entry: same };

  const sameType = forHost.find((e) => e.keyType === type);
  if (sameType) {
    let old = "unparseable key";
    try {
      old = fingerprint(Buffer.from(sameType.keyBase64, "base64"));
    } catch {
      /* keep the placeholder */
    }
    const rName = shellQuote(knownHostsName(id.hostname, id.port));
    return {
      ok: false,
      reason: "changed",
      message:
        `HOST KEY CHANGED for ${where}: known_hosts line ${sameType.line} (${sameType.file}) has a different ${type} key (${old}) ` +
        `than the server presented (${fp}). If the host was reinstalled, remove the old key with: ` +
        `ssh-keygen -R ${rName} -f ${shellQuote(sameType.file)}`,
    };
  }
  const file = files[0]?.file ?? "~/.ssh/known_hosts";
  const otherTypes = forHost.map((e) => e.keyType).filter((t, i, a) => a.indexOf(t) === i);
  const note = otherTypes.length ? ` (only ${otherTypes.join(", ")} keys are recorded for it)` : "";
  const scan = `ssh-keyscan ${id.port === 22 ? "" : `-p ${id.port} `}${shellQuote(id.hostname)} >> ${shellQuote(file)}`;
  const badNote = files.some((f) => f.readError) ? `; could not read: ${files.filter((f) => f.readError).map((f) => `${f.file} (${f.readError})`).join(", ")}` : "";
  return {
    ok: false,
    reason: "unknown",
    message:
      `host key for ${where} is not in ${files.map((f) => f.file).join(", ") || file}${note}; verify the fingerprint ${fp} (${type}) and add it (${scan})${badNote}`,
  };
}

/** Host key algorithms to offer: the types already known for this host first, then ssh2's defaults. */
export function preferredHostKeyAlgorithms(knownTypes: readonly string[], defaults: readonly string[]): string[] {
  const expand = (t: string) => (t === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [t]);
  const first = knownTypes.flatMap(expand).filter((a) => defaults.includes(a));
  return [...first, ...defaults.filter((a) => !first.includes(a))];
}

/** accept-new: record a first-seen key in `file` (created, with its directory, if missing); returns the line. */
export function appendKnownHost(file: string, id: HostIdentity, blob: Buffer): string {
  const line = `${knownHostsName(id.hostname, id.port)} ${keyTypeOfBlob(blob)} ${blob.toString("base64")}`;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  appendFileSync(file, line + "\n", { mode: 0o600 });
  return line;
}
