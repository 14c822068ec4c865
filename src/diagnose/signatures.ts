// The log signatures diagnose looks for (domain-facts §7) and their tally across sources. Matching is unanchored so
// the same regex works on EL7 syslog (`Mar  8 14:50:54 host kernel: ...`), journalctl short (`Mar 08 ...`),
// dmesg (`[12345.678901] ...`) and the wall form `kernel:unregister_netdevice: ...`.
import type { LogSource } from "./observations.js";

export type SignatureId = "netdev-refcnt" | "slub-kmem" | "skb-bug" | "pleg";

export const SIGNATURES: ReadonlyArray<{ id: SignatureId; re: RegExp }> = [
  { id: "netdev-refcnt", re: /unregister_netdevice: waiting for (\S+) to become free\. Usage count = (-?\d+)/ },
  // EL7 `(gfp=0x8020)` and newer `, gfp=%#x(%pGg)`
  { id: "slub-kmem", re: /SLUB: Unable to allocate memory on node (-?\d+)(?: \(gfp=(0x[0-9a-f]+)\)|, gfp=(0x[0-9a-f]+))/ },
  { id: "skb-bug", re: /kernel BUG at net\/core\/skbuff\.c:(\d+)!/ },
  { id: "pleg", re: /PLEG is not healthy: pleg was last seen active (\S+) ago; threshold is (\d+m\d+s)/ },
];

/** `<func>: N callbacks suppressed` (printk ratelimit); func names of the rate-limited signatures */
const SUPPRESSED = /(\S+): (\d+) callbacks suppressed/;
const SUPPRESSED_FUNCS: Record<string, SignatureId> = {
  slab_out_of_memory: "slub-kmem",
  __slab_alloc: "slub-kmem",
  ___slab_alloc: "slub-kmem",
};
const SKB_SEGMENT = /skb_segment\+0x/;
/** rsyslog's repeat reduction: `message repeated N times: [ <msg>]` stands for N more copies of <msg> */
const REPEATED = /message repeated (\d+) times: \[ ?(.*)\]\s*$/;

export function matchSignature(line: string): SignatureId | undefined {
  for (const s of SIGNATURES) if (s.re.test(line)) return s.id;
  return undefined;
}

export interface Tally {
  /** lines printed + repeats reported as suppressed */
  count: number;
  first: string;
  last: string;
  /** supporting lines (e.g. `RIP: ... skb_segment+0x...` after a skbuff BUG) */
  support: string[];
}

/** Counts each signature in one source's lines (oldest first). A suppressed-callbacks notice counts for the
 *  signature its function names, or else for the signature line right after it (printk prints the notice
 *  just before the next message it lets through). `message repeated N times: [...]` counts N. */
export function tallyLines(lines: readonly string[]): Map<SignatureId, Tally> {
  const out = new Map<SignatureId, Tally>();
  let pending: { n: number; func: string } | undefined;
  const add = (id: SignatureId, line: string, n: number) => {
    const t = out.get(id);
    if (t) {
      t.count += n;
      t.last = line;
    } else out.set(id, { count: n, first: line, last: line, support: [] });
  };
  for (const line of lines) {
    const sup = SUPPRESSED.exec(line);
    if (sup) {
      const func = (sup[1] ?? "").replace(/^.*\bkernel:\s*/, "");
      const known = SUPPRESSED_FUNCS[func];
      if (known) add(known, out.get(known)?.last ?? line, Number(sup[2]));
      else if (func !== "net_ratelimit") pending = { n: Number(sup[2]), func };
      continue;
    }
    const rep = REPEATED.exec(line);
    const repId = rep ? matchSignature(rep[2] as string) : undefined;
    if (rep && repId) {
      add(repId, line, Number(rep[1]));
      pending = undefined;
      continue;
    }
    const id = matchSignature(line);
    if (id) {
      add(id, line, 1 + (pending?.n ?? 0));
      pending = undefined;
      continue;
    }
    pending = undefined;
    if (SKB_SEGMENT.test(line)) {
      const t = out.get("skb-bug");
      if (t && t.support.length < 5) t.support.push(line);
      else if (!t) out.set("skb-bug", { count: 0, first: line, last: line, support: [line] });
    }
  }
  return out;
}

export interface SignatureEvidence {
  id: SignatureId;
  count: number;
  /** most recent line of the source that counted most */
  line: string;
  source: LogSource;
  support: string[];
}

/** Per signature, the source with the highest count. Sources overlap (EL7 rsyslog holds the same kernel lines as
 *  the journal), so counts are not summed: the largest single view is the honest lower bound. */
export function collectEvidence(logs: Record<LogSource, string[]>): SignatureEvidence[] {
  const best = new Map<SignatureId, SignatureEvidence>();
  for (const source of ["kernel", "syslog", "kubelet"] as const) {
    for (const [id, t] of tallyLines(logs[source])) {
      const cur = best.get(id);
      if (!cur || t.count > cur.count) best.set(id, { id, count: t.count, line: t.count > 0 ? t.last : t.first, source, support: t.support });
    }
  }
  return SIGNATURES.map((s) => best.get(s.id)).filter((e): e is SignatureEvidence => e !== undefined);
}
