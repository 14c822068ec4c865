import { describe, expect, it } from "vitest";
import { sshdArgs } from "../../../src/lab/sshd-args.js";

describe("sshd arguments of a lab node", () => {
  it("foreground, log to stderr, the node's config; -r (no re-exec per connection) only where the sshd knows it", () => {
    expect(sshdArgs("/lab/nodes/n1/sshd_config", true)).toEqual(["-D", "-e", "-r", "-f", "/lab/nodes/n1/sshd_config"]);
    expect(sshdArgs("/lab/nodes/n1/sshd_config", false)).toEqual(["-D", "-e", "-f", "/lab/nodes/n1/sshd_config"]);
  });
});
