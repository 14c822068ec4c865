// The kernel-panic fault: netconsole-style UDP lines sent from the node's own address.
import { createSocket } from "node:dgram";

/** 16 lines of a skb_segment BUG ending in a panic, netconsole format ("[ uptime] text\n"). */
export function panicLines(uptimeSec: number, hostname: string): string[] {
  const body = [
    "------------[ cut here ]------------",
    "kernel BUG at net/core/skbuff.c:4044!",
    "invalid opcode: 0000 [#1] SMP",
    `CPU: 3 PID: 0 Comm: swapper/3 Kdump: loaded Tainted: G           OE  ------------   ${hostname}`,
    "Hardware name: Red Hat KVM, BIOS 1.16.0 04/01/2014",
    "RIP: 0010:skb_segment+0x9c6/0xd10",
    "RSP: 0018:ffff8f7a3fcc3a18 EFLAGS: 00010246",
    "RAX: 0000000000000000 RBX: ffff8f7a2c1e4e00 RCX: 0000000000000000",
    "Call Trace:",
    " <IRQ>",
    " tcp_gso_segment+0xf3/0x4c0",
    " inet_gso_segment+0x15c/0x3d0",
    " skb_mac_gso_segment+0xaf/0x120",
    " __skb_gso_segment+0xb9/0x140",
    " validate_xmit_skb+0x14e/0x2a0",
    "Kernel panic - not syncing: Fatal exception in interrupt",
  ];
  return body.map((text, i) => {
    const t = uptimeSec + i * 0.000137;
    const [s, us] = t.toFixed(6).split(".") as [string, string];
    return `[${s.padStart(6)}.${us}] ${text}\n`;
  });
}

/** Sends the lines one datagram each, from fromIp (so the collector sees the node as the sender). */
export async function sendPanic(fromIp: string, to: { ip: string; port: number }, lines: readonly string[]): Promise<void> {
  const sock = createSocket("udp4");
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once("error", reject);
      sock.bind({ address: fromIp, port: 0 }, () => resolve());
    });
    for (const line of lines) {
      await new Promise<void>((resolve, reject) => sock.send(line, to.port, to.ip, (err) => (err ? reject(err) : resolve())));
    }
  } finally {
    sock.close();
  }
}
