import { describe, expect, it } from "vitest";
import { collectEvidence, matchSignature, tallyLines } from "../../../src/diagnose/index.js";

const NETDEV = "unregister_netdevice: waiting for eth0 to become free. Usage count = 1";

describe("signatures in every log format", () => {
  const forms: Array<[string, string]> = [
    ["EL7 syslog", `Mar  8 14:50:54 node3 kernel: ${NETDEV}`],
    ["journalctl short", `Mar 08 14:50:54 node3 kernel: ${NETDEV}`],
    ["dmesg", `[12345.678901] ${NETDEV}`],
    ["syslog with printk time", `Mar  8 14:50:54 node3 kernel: [ 1803.410027] ${NETDEV}`],
    ["wall (KERN_EMERG)", `kernel:${NETDEV}`],
  ];
  for (const [name, line] of forms) it(`netdev refcnt: ${name}`, () => expect(matchSignature(line)).toBe("netdev-refcnt"));

  it("SLUB: EL7 and newer formats, not the cache/node continuation lines", () => {
    expect(matchSignature("Mar  8 15:02:11 n kernel: SLUB: Unable to allocate memory on node -1 (gfp=0x8020)")).toBe("slub-kmem");
    expect(matchSignature("[ 2401.100044] SLUB: Unable to allocate memory on node -1, gfp=0xa20(GFP_ATOMIC)")).toBe("slub-kmem");
    expect(matchSignature("[ 2401.100051]   cache: kmalloc-64(3434:8b5d), object size: 64, buffer size: 64, default order: 0, min order: 0")).toBeUndefined();
    expect(matchSignature("[ 2401.100058]   node 0: slabs: 3018, objs: 193152, free: 0")).toBeUndefined();
  });

  it("skbuff BUG with any line number; PLEG with the 3m0s threshold", () => {
    expect(matchSignature("[ 3601.220873] kernel BUG at net/core/skbuff.c:3150!")).toBe("skb-bug");
    expect(matchSignature("kernel BUG at net/core/dev.c:100!")).toBeUndefined();
    expect(
      matchSignature("Mar 08 00:10:11 n kubelet[1520]: E0101 kubelet.go:1823] skipping pod synchronization - [PLEG is not healthy: pleg was last seen active 3m7.452281627s ago; threshold is 3m0s]"),
    ).toBe("pleg");
  });

  it("counts repeats: suppressed callbacks (named and anonymous) and rsyslog's message repeated", () => {
    const t = tallyLines([
      "[ 1.0] SLUB: Unable to allocate memory on node -1 (gfp=0x8020)",
      "[ 6.0] __slab_alloc: 12 callbacks suppressed",
      "[ 6.0] SLUB: Unable to allocate memory on node -1 (gfp=0x8020)",
      "[ 7.0] some_func: 4 callbacks suppressed",
      `[ 8.0] ${NETDEV}`,
      "[ 9.0] net_ratelimit: 99 callbacks suppressed",
      `[10.0] ${NETDEV}`,
      `Mar  8 14:51:04 n kernel: message repeated 5 times: [ ${NETDEV}]`,
    ]);
    expect(t.get("slub-kmem")?.count).toBe(14);
    expect(t.get("netdev-refcnt")?.count).toBe(1 + 4 + 1 + 5);
    expect(t.get("netdev-refcnt")?.last).toContain("message repeated 5 times");
  });

  it("overlapping sources are not summed: the largest view wins", () => {
    const j = [1, 2, 3].map((i) => `Mar 08 14:50:0${i} n kernel: ${NETDEV}`);
    const s = [0, 1, 2, 3, 4].map((i) => `Mar  8 14:50:0${i} n kernel: ${NETDEV}`);
    const ev = collectEvidence({ kernel: j, syslog: s, kubelet: [] });
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ id: "netdev-refcnt", count: 5, source: "syslog" });
  });
});
