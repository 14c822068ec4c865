// Latency mode: a TCP proxy per node that delays every chunk by half the round-trip time each way (like
// a cross-region fleet or a bastion) and counts round trips per connection: a "turn" is a client→server
// flight that follows data from the server (or opens the conversation). Turns minus the handshake's own
// turns = round trips a tool needs beyond the handshake.
import { createConnection, createServer } from "node:net";

/** Pure: counts turns from a sequence of directions ("c" client→server, "s" server→client). */
export class TurnCounter {
  constructor() {
    this.turns = 0;
    this.last = undefined;
  }
  chunk(dir) {
    if (dir === "c" && this.last !== "c") this.turns++;
    this.last = dir;
  }
}

/**
 * @param {{ ip: string, port: number }} listen
 * @param {{ ip: string, port: number }} target
 * @param {number} rttMs added round-trip time (rttMs/2 each way)
 */
export function startLatencyProxy(listen, target, rttMs) {
  const oneWay = rttMs / 2;
  const stats = { connections: 0, turns: 0 };
  const sockets = new Set();
  const server = createServer((client) => {
    stats.connections++;
    const counter = new TurnCounter();
    const upstream = createConnection({ host: target.ip, port: target.port });
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => s.destroy());
    }
    // Counted when the chunk arrives at the proxy (the middle of the path): what alternates there is what waits.
    const pipe = (from, to, dir) => {
      from.on("data", (chunk) => {
        const before = counter.turns;
        counter.chunk(dir);
        stats.turns += counter.turns - before;
        setTimeout(() => to.writable && to.write(chunk), oneWay);
      });
      from.on("end", () => setTimeout(() => to.end(), oneWay));
      from.on("close", () => setTimeout(() => to.destroy(), oneWay + 5));
    };
    pipe(client, upstream, "c");
    pipe(upstream, client, "s");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: listen.ip, port: listen.port, backlog: 1024 }, () => {
      server.off("error", reject);
      resolve({
        stats,
        reset: () => Object.assign(stats, { connections: 0, turns: 0 }),
        close: () =>
          new Promise((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Pure: the lab's inventory and known_hosts rewritten to reach each node through its proxy (same host keys). */
export function proxiedLabFiles(inventoryText, knownHostsText, nodes, portOffset, knownHostsPath) {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const inventory = inventoryText
    .split("\n")
    .map((line) => {
      const name = line.trim().split(/\s+/)[0];
      const n = byName.get(name);
      if (!n || !line.includes("ansible_host=")) return line;
      return line.replace(/ansible_port=\d+/, `ansible_port=${n.port + portOffset}`).replace(/remedy_known_hosts=\S+/, `remedy_known_hosts=${knownHostsPath}`);
    })
    .join("\n");
  const known = knownHostsText
    .split("\n")
    .map((line) =>
      /^\[/.test(line)
        ? line.replace(/^\[([^\]]+)\]:(\d+) /, (_, ip, port) => `[${ip}]:${Number(port) + portOffset} `)
        : line.replace(/^(\d+\.\d+\.\d+\.\d+) /, (_, ip) => `[${ip}]:${22 + portOffset} `),
    )
    .join("\n");
  return { inventory, known };
}
