// Pure parts of the floor tool (bench/floor.mjs): the lab inventory and known_hosts it reads, the one
// script that runs all 8 probes in one exec, and the parser of what comes back.
import { PROBES } from "./probes.mjs";

/** Hosts of an inventory.ini as the lab writes it: `name ansible_host=.. ansible_port=.. ansible_user=.. ansible_ssh_private_key_file=..`. */
export function parseLabInventory(text) {
  const hosts = [];
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      section = sec[1];
      continue;
    }
    if (section !== "all") continue;
    const [name, ...kv] = line.split(/\s+/);
    const vars = Object.fromEntries(kv.map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]));
    hosts.push({ name, host: vars.ansible_host ?? name, port: Number(vars.ansible_port ?? 22), user: vars.ansible_user ?? "root", key: vars.ansible_ssh_private_key_file });
  }
  return hosts;
}

/** known_hosts lines → Map("[ip]:port" or "ip" → { type, base64 }). Hashed and marker lines are not used by the lab. */
export function parseKnownHosts(text) {
  const m = new Map();
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 3 || f[0].startsWith("#") || f[0].startsWith("@")) continue;
    for (const h of f[0].split(",")) m.set(h, { type: f[1], base64: f[2] });
  }
  return m;
}

export function knownHostsKey(host, port) {
  return port === 22 ? host : `[${host}]:${port}`;
}

/**
 * The 8 probes in one shell, no subshell or `sh -c` per probe (the least a runner can do): each probe's
 * stdout between a begin mark and a mark with its exit code; stderr and stdin closed off.
 */
export function floorScript(token, probes = PROBES) {
  return probes
    .map((p, i) => `printf '\\n%s %d\\n' ${token}-B ${i}; ${p.cmd} </dev/null 2>/dev/null; printf '\\n%s %d %d\\n' ${token}-E ${i} $?`)
    .join("\n");
}

/** → [{ name, ok, exit, stdout }] in PROBES order (undefined where a probe did not report). */
export function parseFloorOutput(stdout, token, probes = PROBES) {
  const out = probes.map(() => undefined);
  const re = new RegExp(`\\n${token}-B (\\d+)\\n([\\s\\S]*?)\\n${token}-E \\1 (\\d+)\\n`, "g");
  for (const m of stdout.matchAll(re)) {
    const i = Number(m[1]);
    const p = probes[i];
    if (!p) continue;
    const exit = Number(m[3]);
    out[i] = { name: p.name, ok: p.exits.includes(exit), exit, stdout: m[2] };
  }
  return out;
}
