// Node names and loopback addresses (the whole 127/8 is local on Linux: no interface changes needed).
import type { NodeOs } from "./rootfs.js";

export interface NodePlan {
  name: string;
  os: NodeOs;
  ip: string;
  port: number;
}

/** i-th usable address from startIndex: 127.77.<(i>>8)&255>.<i&255>, skipping .0 and .255. */
export function nodeIps(count: number, startIndex = 1): string[] {
  const out: string[] = [];
  for (let i = Math.max(1, startIndex); out.length < count; i++) {
    if (i > 0xffff) throw new RangeError(`lab: not enough addresses in 127.77.0.0/16 from index ${startIndex}`);
    const last = i & 255;
    if (last === 0 || last === 255) continue;
    out.push(`127.77.${(i >> 8) & 255}.${last}`);
  }
  return out;
}

/** How many address indexes `count` nodes use from startIndex (for non-overlapping labs). */
export function indexSpan(count: number, startIndex = 1): number {
  const last = nodeIps(count, startIndex).at(-1);
  if (!last) return 0;
  const [, , hi, lo] = last.split(".").map(Number) as [number, number, number, number];
  return hi * 256 + lo - startIndex + 1;
}

export const nodeName = (os: NodeOs, n: number): string => `${os}-node${String(n).padStart(2, "0")}`;

export function planNodes(el7: number, el9: number, port: number, startIndex = 1): NodePlan[] {
  const ips = nodeIps(el7 + el9, startIndex);
  const names = [
    ...Array.from({ length: el7 }, (_, k) => ({ name: nodeName("el7", k + 1), os: "el7" as const })),
    ...Array.from({ length: el9 }, (_, k) => ({ name: nodeName("el9", k + 1), os: "el9" as const })),
  ];
  return names.map((n, k) => ({ ...n, ip: ips[k]!, port }));
}
