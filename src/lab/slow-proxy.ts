// The slow_ms fault: a TCP proxy in front of a node's sshd that delays every chunk, both ways.
import { createConnection, createServer, type Server, type Socket } from "node:net";

export interface SlowProxy {
  server: Server;
  sockets: Set<Socket>;
  /** Stops accepting; existing connections continue unless dropConnections. */
  close(dropConnections: boolean): Promise<void>;
}

export function startSlowProxy(listen: { ip: string; port: number }, target: { ip: string; port: number }, delayMs: number): Promise<SlowProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: target.ip, port: target.port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => s.destroy());
    }
    // Every chunk and the final end are delivered delayMs after they arrived (equal delays keep order).
    const pipeDelayed = (from: Socket, to: Socket) => {
      from.on("data", (chunk) => setTimeout(() => to.writable && to.write(chunk), delayMs));
      from.on("end", () => setTimeout(() => to.end(), delayMs));
      from.on("close", () => setTimeout(() => to.destroy(), delayMs + 5));
    };
    pipeDelayed(client, upstream);
    pipeDelayed(upstream, client);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: listen.ip, port: listen.port }, () => {
      server.off("error", reject);
      resolve({
        server,
        sockets,
        close: (drop) =>
          new Promise<void>((done) => {
            server.close(() => done());
            if (drop) for (const s of sockets) s.destroy();
            else setTimeout(done, 50); // server.close waits for connections; do not block on them
          }),
      });
    });
  });
}
