#!/usr/bin/env node
// The SSH floor: the least work any SSH runner must do for the benchmark's 8 probes. One in-process ssh2
// connection per host, all hosts at once, host keys verified against known_hosts (as remedy does), ONE
// exec per host running the 8 probes, then close. Prints one JSON line per host (see bench/lib/parse.mjs).
//   node bench/floor.mjs -i <lab>/inventory.ini --known-hosts <lab>/known_hosts [--connect-only]
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import ssh2 from "ssh2";
import { floorScript, knownHostsKey, parseFloorOutput, parseKnownHosts, parseLabInventory } from "./lib/floor-core.mjs";

const argv = process.argv.slice(2);
const arg = (f) => {
  const i = argv.indexOf(f);
  return i >= 0 ? argv[i + 1] : undefined;
};
const inventory = arg("-i") ?? arg("--inventory");
const knownHosts = arg("--known-hosts");
const connectOnly = argv.includes("--connect-only");
const timeoutMs = Number(arg("--timeout-ms") ?? 60_000);
if (!inventory || !knownHosts) {
  process.stderr.write("usage: node bench/floor.mjs -i <inventory.ini> --known-hosts <file> [--connect-only] [--timeout-ms 60000]\n");
  process.exit(4);
}
const hosts = parseLabInventory(readFileSync(inventory, "utf8"));
const known = parseKnownHosts(readFileSync(knownHosts, "utf8"));
const keys = new Map(); // one read per key file
const token = `FLOOR-${randomBytes(6).toString("hex")}`;
const script = floorScript(token);

function probeHost(h) {
  const want = known.get(knownHostsKey(h.host, h.port));
  if (!want) return Promise.resolve({ host: h.name, error: `no known_hosts entry for ${knownHostsKey(h.host, h.port)}` });
  if (!keys.has(h.key)) keys.set(h.key, readFileSync(h.key));
  return new Promise((resolve) => {
    const c = new ssh2.Client();
    let done = false;
    const finish = (r) => {
      if (done) return;
      done = true;
      c.end();
      resolve({ host: h.name, ...r });
    };
    c.on("error", (e) => finish({ error: `${e.level ?? "error"}: ${e.message}` }));
    c.on("close", () => finish({ error: "connection closed" }));
    c.on("ready", () => {
      if (connectOnly) return finish({ probes: [] });
      c.exec(script, (err, ch) => {
        if (err) return finish({ error: `exec: ${err.message}` });
        const out = [];
        ch.on("data", (d) => out.push(d));
        ch.stderr.resume();
        ch.on("close", () => finish({ probes: parseFloorOutput(Buffer.concat(out).toString("utf8"), token) }));
      });
    });
    c.connect({
      host: h.host,
      port: h.port,
      username: h.user,
      privateKey: keys.get(h.key),
      readyTimeout: timeoutMs,
      algorithms: { serverHostKey: [want.type] },
      hostVerifier: (key) => key.toString("base64") === want.base64,
    });
  });
}

const results = await Promise.all(hosts.map(probeHost));
for (const r of results) process.stdout.write(JSON.stringify(r) + "\n");
process.exitCode = results.some((r) => r.error) ? 3 : 0;
