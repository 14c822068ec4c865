import { describe, expect, it } from "vitest";
import { isNodeSshd } from "../../../src/lab/down.js";

describe("lab down finds every node sshd", () => {
  it("as started and as OpenSSH 9 retitles its listener; not another lab's nor another program", () => {
    const dir = "/var/lib/remedy-lab";
    expect(isNodeSshd(`/usr/sbin/sshd -D -e -f ${dir}/nodes/el7-node01/sshd_config`, dir)).toBe(true);
    expect(isNodeSshd(`sshd: /usr/sbin/sshd -D -e -f ${dir}/nodes/el7-node01/sshd_config [listener] 0 of 500-1000 startups`, dir)).toBe(true);
    expect(isNodeSshd(`sshd: /usr/sbin/sshd -D -e -f /var/lib/other-lab/nodes/el7-node01/sshd_config [listener] 0 of 10-100 startups`, dir)).toBe(false);
    expect(isNodeSshd(`vim -f ${dir}/nodes/el7-node01/sshd_config /usr/sbin/sshd `, dir)).toBe(false);
  });
});
