import { describe, expect, it } from "vitest";
import { freshToken, identityRewrite, routeHex } from "../../../src/lab/clone.js";
import { planClones } from "../../../src/lab/rootfs.js";

describe("lab node copies: identity rewrite", () => {
  const template = { name: "el7-node02", ip: "127.77.4.25" };
  const node = { name: "el7-node12", ip: "127.77.5.7" };
  const mid = "080316d518b881d779813a11a5ef49bd";
  const uuid = "5ab26d93-bc4e-4872-a670-4b849dda54a7";
  const mac = "52:54:00:96:c0:23";
  const rw = identityRewrite(template, node, [mid, uuid, mac]);

  it("maps hostname, address, gateway and route hex without touching look-alikes", () => {
    expect(rw("127.77.4.25 el7-node02\n")).toBe("127.77.5.7 el7-node12\n");
    expect(rw("IPADDR=127.77.4.25\nGATEWAY=127.77.4.254\n")).toBe("IPADDR=127.77.5.7\nGATEWAY=127.77.5.254\n");
    expect(rw("el7-node020 127.77.4.250 x127.77.4.25")).toBe("el7-node020 127.77.4.250 x127.77.5.7");
    expect(rw(`eth0\t00000000\t${routeHex("127.77.4.254")}\t0003\neth0\t${routeHex("127.77.4.0")}\t00000000`)).toBe(
      `eth0\t00000000\t${routeHex("127.77.5.254")}\t0003\neth0\t${routeHex("127.77.5.0")}\t00000000`,
    );
    expect(routeHex("127.77.4.254")).toBe("FE044D7F");
  });

  it("gives random values fresh ones of the same shape, the same everywhere in one node", () => {
    const a = rw(`/boot/vmlinuz-0-rescue-${mid}`);
    const b = rw(`saved_entry=${mid}-6.1.1`);
    const newMid = a.slice("/boot/vmlinuz-0-rescue-".length);
    expect(newMid).toMatch(/^[0-9a-f]{32}$/);
    expect(newMid).not.toBe(mid);
    expect(b).toBe(`saved_entry=${newMid}-6.1.1`);
    expect(rw(uuid)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(rw(mac)).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
    expect(freshToken(mid)).not.toBe(freshToken(mid));
  });

  it("copies only nodes without initial faults, from a template of their OS whose address is not its gateway", () => {
    const specs = [
      { os: "el7" as const, ip: "127.77.4.254" },
      { os: "el7" as const, ip: "127.77.5.1" },
      { os: "el7" as const, ip: "127.77.5.2" },
      { os: "el7" as const, ip: "127.77.5.3", faults: ["reboot=never"] },
      { os: "el9" as const, ip: "127.77.5.4" },
      { os: "el9" as const, ip: "127.77.5.5" },
    ];
    expect([...planClones(specs)]).toEqual([
      [2, 1],
      [5, 4],
    ]);
  });
});
