// Node roots copied from a booted template node. lab-init + lab-boot start ~350 processes per node, which
// on a slow-exec machine is over a second of CPU each: 100 nodes took minutes. A node without initial
// faults is the template's state with its own identity (hostname, address, machine id, MAC, UUIDs, boot
// id), so it is copied in-process and given fresh identity values instead of being initialised again.
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";

export interface CloneNode {
  name: string;
  ip: string;
  hostname?: string;
}

/** Paths never copied: device nodes (hard links made per node) and the read-only base mount point. */
const SKIP = new Set(["dev", "opt/lab/base"]);

/** Directories whose files are copied byte for byte, never rewritten. */
const BINARY = ["var/lib/rpm/", "var/cache/dnf/", "var/lib/dnf/"];

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A template can lend its state only if its gateway (.254 of its /24) is not its own address. */
export function canBeTemplate(ip: string): boolean {
  return !ip.endsWith(".254");
}

/** The values lab-init/lab-boot generate at random per node, read back from a booted root. */
export function randomTokens(root: string): string[] {
  const read = (rel: string) => {
    try {
      return readFileSync(join(root, rel), "utf8");
    } catch {
      return "";
    }
  };
  const tokens = [
    read("etc/machine-id").trim(),
    read("proc/sys/kernel/random/boot_id").trim(),
    read("proc/sys/kernel/random/uuid").trim(),
    read("var/lib/lab/net").split(/\s+/)[1] ?? "",
    /^UUID=(\S+)/m.exec(read("etc/sysconfig/network-scripts/ifcfg-eth0"))?.[1] ?? "",
    /^uuid=(\S+)/m.exec(read("etc/NetworkManager/system-connections/eth0.nmconnection"))?.[1] ?? "",
    ...read("var/lib/lab/pod-container").trim().replace(/^pod/, "").split("/"),
  ];
  return tokens.filter((t) => t.length >= 8);
}

/** A new value of the same shape: UUIDs stay v4 UUIDs, MACs keep the 52:54:00 (QEMU) prefix, hex stays hex. */
export function freshToken(token: string): string {
  if (UUID_RE.test(token)) return randomUUID();
  if (/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(token)) {
    return token.slice(0, 9) + [...randomBytes(3)].map((b) => b.toString(16).padStart(2, "0")).join(":");
  }
  const hex = randomBytes(token.length).toString("hex");
  let i = 0;
  return token.replace(/[0-9a-f]/g, () => hex[i++]!);
}

/** /proc/net/route's little-endian hex of a dotted address (lab-init's `hex`). */
export function routeHex(ip: string): string {
  return ip
    .split(".")
    .reverse()
    .map((o) => Number(o).toString(16).toUpperCase().padStart(2, "0"))
    .join("");
}

const gateway = (ip: string) => ip.replace(/\.\d+$/, ".254");
const network = (ip: string) => ip.replace(/\.\d+$/, ".0");
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export type Rewrite = (text: string) => string;

/** Every identity token of the template mapped to the clone's value, as one pass over a string. */
export function identityRewrite(template: CloneNode, node: CloneNode, tokens: readonly string[]): Rewrite {
  const pairs: Array<[RegExp, string]> = [];
  const map = (from: string, to: string, pattern: string) => from !== to && pairs.push([new RegExp(pattern, "g"), to]);
  for (const t of tokens) map(t, freshToken(t), esc(t));
  const th = template.hostname ?? template.name;
  const nh = node.hostname ?? node.name;
  map(th, nh, `(?<![\\w-])${esc(th)}(?![\\w])`);
  // The gateway first: a template address such as .25 must not match inside .254.
  map(gateway(template.ip), gateway(node.ip), `(?<![\\d.])${esc(gateway(template.ip))}(?!\\d)`);
  map(template.ip, node.ip, `(?<![\\d.])${esc(template.ip)}(?!\\d)`);
  map(routeHex(gateway(template.ip)), routeHex(gateway(node.ip)), routeHex(gateway(template.ip)));
  map(routeHex(network(template.ip)), routeHex(network(node.ip)), routeHex(network(template.ip)));
  return (text) => pairs.reduce((s, [re, to]) => s.replace(re, to), text);
}

/**
 * Makes `nodeRoot` hold the template's state with the node's identity: entries the template lacks are
 * removed (lab-init deletes programs of packages that are not installed), the rest copied with modes.
 */
export function cloneNodeRoot(templateRoot: string, nodeRoot: string, rewrite: Rewrite): void {
  const wanted = new Set<string>();
  const copy = (rel: string) => {
    for (const e of readdirSync(join(templateRoot, rel), { withFileTypes: true })) {
      const from = rel ? `${rel}/${e.name}` : e.name;
      if (SKIP.has(from)) continue;
      const to = rewrite(from);
      wanted.add(to);
      const src = join(templateRoot, from);
      const dst = join(nodeRoot, to);
      const mode = lstatSync(src).mode & 0o7777;
      if (e.isDirectory()) {
        if (existsSync(dst) && !lstatSync(dst).isDirectory()) rmSync(dst, { force: true });
        mkdirSync(dst, { recursive: true });
        chmodSync(dst, mode);
        copy(from);
      } else if (e.isSymbolicLink()) {
        const target = rewrite(readlinkSync(src));
        if (lstatSync(dst, { throwIfNoEntry: false })) {
          if (readlinkTry(dst) === target) continue;
          rmSync(dst, { force: true, recursive: true });
        }
        symlinkSync(target, dst);
      } else if (e.isFile()) {
        if (lstatSync(dst, { throwIfNoEntry: false })?.isSymbolicLink()) rmSync(dst, { force: true });
        // binary databases (the rpmdb) are copied as they are: no identity lives in them
        if (BINARY.some((b) => from.startsWith(b))) copyFileSync(src, dst);
        else writeFileSync(dst, rewrite(readFileSync(src, "latin1")), { encoding: "latin1", mode });
        chmodSync(dst, mode);
      }
    }
  };
  copy("");
  prune(nodeRoot, "", wanted);
}

function readlinkTry(p: string): string | undefined {
  try {
    return readlinkSync(p);
  } catch {
    return undefined;
  }
}

function prune(root: string, rel: string, wanted: ReadonlySet<string>): void {
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (SKIP.has(path)) continue;
    if (!wanted.has(path)) rmSync(join(root, path), { recursive: true, force: true });
    else if (e.isDirectory()) prune(root, path, wanted);
  }
}
