// Sender IP → inventory host, from `ansible_host` (or the host name itself), the way the Netflix collector maps a
// netconsole packet's source address to its Kubernetes node (seed 004).
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { Inventory } from "../../model/inventory.js";
import { hostVars } from "../../inventory/index.js";

export interface IpMapResult {
  map: Map<string, string>;
  /** hosts whose address could not be resolved (their packets will be recorded under the IP) */
  unresolved: Array<{ host: string; address: string; error: string }>;
  /** IPs claimed by more than one host (the first host in inventory order keeps it) */
  shared: Array<{ ip: string; hosts: string[] }>;
}

export async function inventoryIpMap(
  inv: Inventory,
  hosts: readonly string[] = [...inv.hosts.keys()],
  resolve: (name: string) => Promise<string[]> = async (n) => (await lookup(n, { all: true })).map((a) => a.address),
): Promise<IpMapResult> {
  const map = new Map<string, string>();
  const unresolved: IpMapResult["unresolved"] = [];
  const claims = new Map<string, string[]>();
  for (const host of hosts) {
    const v = hostVars(inv, host).ansible_host;
    const address = typeof v === "string" && v !== "" ? v : host;
    let ips: string[];
    if (isIP(address)) ips = [address];
    else {
      try {
        ips = await resolve(address);
      } catch (e) {
        unresolved.push({ host, address, error: e instanceof Error ? e.message : String(e) });
        continue;
      }
    }
    for (const ip of ips) {
      const c = claims.get(ip) ?? [];
      c.push(host);
      claims.set(ip, c);
      if (!map.has(ip)) map.set(ip, host);
    }
  }
  const shared = [...claims].filter(([, hs]) => hs.length > 1).map(([ip, hs]) => ({ ip, hosts: hs }));
  return { map, unresolved, shared };
}
