import { createSocket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labStatus } from "../../../src/lab/down.js";
import { canConnect } from "../../../src/lab/up.js";
import { startLab, type TestLab } from "../../helpers/lab.js";
import { hostSnapshot, type HostSnapshot } from "./host-safety.js";
import { sleep, waitFor } from "../../helpers/wait.js";

describe("lab faults", () => {
  let lab: TestLab;
  let before: HostSnapshot;
  const tcp = (name: string) => canConnect(lab.node(name).ip, lab.node(name).port);
  const bootId = async (name: string) => (await lab.exec(name, "cat /proc/sys/kernel/random/boot_id")).stdout.trim();
  const requestReboot = (name: string) => lab.ssh(name, "touch /.lab/reboot-request");
  const state = (name: string) => labStatus(lab.dir).nodes.find((n) => n.name === name)?.state;

  beforeAll(async () => {
    before = hostSnapshot();
    lab = await startLab({
      el7: 4,
      el9: 4,
      bootDelayMs: 300,
      faults: {
        "el7-node01": ["unreachable"],
        "el7-node02": ["reboot=never"],
        "el7-node03": ["reboot=same-bootid"],
        "el7-node04": ["hostkey=changed"],
        "el9-node04": ["reboot=die-after:1"],
      },
    });
  });
  afterAll(async () => {
    await lab?.stop();
    expect(hostSnapshot()).toEqual(before);
  });

  it("unreachable: nothing listens until the fault is cleared", async () => {
    expect(await tcp("el7-node01")).toBe(false);
    expect(state("el7-node01")).toBe("unreachable");
    const r = await lab.ssh("el7-node01", "true");
    expect(r.code).toBe(255);
    await lab.clearFault("el7-node01", "unreachable");
    expect(await tcp("el7-node01")).toBe(true);
    expect((await lab.ssh("el7-node01", "cat /etc/hostname")).stdout.trim()).toBe("el7-node01");
    await lab.setFault("el7-node01", "unreachable");
    expect(await tcp("el7-node01")).toBe(false);
  });

  it("reboot=never: the node goes down and stays down", async () => {
    expect((await lab.ssh("el7-node02", "true")).code).toBe(0);
    await requestReboot("el7-node02");
    await waitFor("node down", async () => ((await tcp("el7-node02")) ? undefined : true));
    await sleep(1500); // well past the boot delay
    expect(await tcp("el7-node02")).toBe(false);
    expect(state("el7-node02")).toBe("down");
  });

  it("reboot=same-bootid: the node comes back with the same boot id", async () => {
    const id = await bootId("el7-node03");
    await requestReboot("el7-node03");
    await waitFor("reboot seen", async () => (state("el7-node03") !== "up" ? true : undefined), 5000);
    await waitFor("node back", async () => ((await lab.ssh("el7-node03", "true")).code === 0 ? true : undefined));
    expect(labStatus(lab.dir).nodes.find((n) => n.name === "el7-node03")?.boots).toBe(2);
    expect(await bootId("el7-node03")).toBe(id);
  });

  it("hostkey=changed: ssh refuses the node's key until the fault is cleared", async () => {
    const r = await lab.ssh("el7-node04", "true");
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    await lab.clearFault("el7-node04", "hostkey");
    expect((await lab.ssh("el7-node04", "true")).code).toBe(0);
  });

  it("slow_ms: every packet is delayed, connections still work", async () => {
    const time = async () => {
      const t = Date.now();
      const r = await lab.ssh("el9-node01", "echo ok");
      expect(r.stdout.trim()).toBe("ok");
      return Date.now() - t;
    };
    const fast = await time();
    await lab.setFault("el9-node01", "slow_ms=300");
    const slow = await time();
    expect(slow).toBeGreaterThan(fast + 1000); // an ssh login takes several round trips
    await lab.clearFault("el9-node01", "slow_ms");
    expect(await time()).toBeLessThan(slow);
  });

  it("disk=full: reads work, writes to /etc, /var/lib, /tmp, /root fail with ENOSPC; clearing restores", async () => {
    const name = "el9-node02";
    await lab.setFault(name, "disk=full");
    const r = await lab.ssh(
      name,
      "cat /etc/hostname; for f in /etc/sysctl.d/99-x.conf /var/lib/x /tmp/x /root/x /usr/local/bin/x /etc/hostname; do { echo x > $f; } 2>&1; done; touch /tmp/empty 2>&1; ls /etc/sysctl.d",
    );
    expect(r.stdout.split("\n")[0]).toBe(name);
    expect(r.stdout.match(/No space left on device/g)?.length).toBeGreaterThanOrEqual(7);
    expect((await lab.exec(name, "cat /etc/hostname")).stdout.trim()).toBe(name);
    // Live state and the lab control dir stay writable (reboots still work).
    expect((await lab.ssh(name, "echo 1 > /run/x && echo 5 > /proc/sys/fs/pipe-user-pages-soft && echo fine")).stdout.trim()).toBe("fine");
    await lab.clearFault(name, "disk");
    const w = await lab.ssh(name, "echo x > /etc/sysctl.d/99-x.conf && cat /etc/sysctl.d/99-x.conf");
    expect(w.stdout.trim()).toBe("x");
  });

  it("panic: netconsole lines arrive from the node's address, then the node is dead", async () => {
    const name = "el9-node03";
    const collector = createSocket("udp4");
    const lines: string[] = [];
    let from = "";
    collector.on("message", (msg, rinfo) => {
      lines.push(msg.toString());
      from = rinfo.address;
    });
    await new Promise<void>((r) => collector.bind(0, "127.0.0.1", () => r()));
    const port = collector.address().port;
    try {
      await lab.setFault(name, `panic=127.0.0.1:${port}`);
      await waitFor("panic lines", async () => (lines.some((l) => l.includes("Kernel panic")) ? true : undefined), 5000);
      expect(from).toBe(lab.node(name).ip);
      expect(lines.length).toBeGreaterThanOrEqual(10);
      expect(lines.length).toBeLessThanOrEqual(20);
      expect(lines.join("")).toMatch(/^\[\s*\d+\.\d{6}\] kernel BUG at net\/core\/skbuff\.c:4044!$/m);
      expect(lines.join("")).toMatch(/RIP: 0010:skb_segment\+0x/);
      expect(lines.at(-1)).toMatch(/^\[\s*\d+\.\d{6}\] Kernel panic - not syncing: Fatal exception/);
      expect(await tcp(name)).toBe(false);
      expect(state(name)).toBe("dead");
    } finally {
      collector.close();
    }
  });

  it("reboot=die-after: the node comes back, then goes down for good", async () => {
    const name = "el9-node04";
    await requestReboot(name);
    await waitFor("reboot seen", async () => (state(name) !== "up" ? true : undefined), 5000);
    await waitFor("node back", async () => ((await lab.ssh(name, "true")).code === 0 ? true : undefined));
    await waitFor("node dead", async () => (state(name) === "dead" ? true : undefined), 5000);
    expect(await tcp(name)).toBe(false);
  });
});
