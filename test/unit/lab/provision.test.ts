// Lab provisioning: root or a clear refusal; missing Debian packages installed (recorded here) or named.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { labRequirements, parseRequirements, provisionLab, type Installer } from "../../../src/lab/provision.js";
import { labUp } from "../../../src/lab/up.js";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));

function recorder(): Installer & { calls: string[][] } {
  const calls: string[][] = [];
  return { calls, describe: (p) => `fake-install ${p.join(" ")}`, install: async (p) => void calls.push(p) };
}

describe("lab provisioning", () => {
  it("lab up as root with sshd missing installs openssh-server, then names exactly what is still missing", async () => {
    const installer = recorder();
    const said: string[] = [];
    const dir = "/var/lib/remedy-lab-provision-test-never-created";
    const up = labUp({ dir, el7: 1, el9: 0, provision: { isRoot: () => true, sshdPath: "/nonexistent/sbin/sshd", installer, say: (l) => said.push(l) } });
    await expect(up).rejects.toThrow("lab: still missing after installing openssh-server: /nonexistent/sbin/sshd (package openssh-server)");
    expect(installer.calls).toEqual([["openssh-server"]]);
    expect(said[0]).toBe("lab: this machine lacks what the lab needs; installing: fake-install openssh-server");
    expect(said[1]).toContain("openssh-server: /nonexistent/sbin/sshd not found (every lab node runs a real OpenSSH sshd)");
    expect(existsSync(dir)).toBe(false);
  });

  it("installs every missing package in one call and succeeds once the probes are present", async () => {
    const reqs = parseRequirements("a /nonexistent/a lab why a\nb sh lab why b\nc /nonexistent/c lab why c\n");
    let present = false;
    const installer: Installer & { calls: string[][] } = {
      calls: [],
      describe: (p) => p.join(" "),
      async install(p) {
        this.calls.push(p);
        present = true;
      },
    };
    // after the install the probes point at something present
    const r = await provisionLab({
      isRoot: () => true,
      requirements: reqs.map((q) => ({ ...q, get probe() { return present ? "/bin/sh" : q.probe; } })),
      installer,
      say: () => undefined,
    });
    expect(installer.calls).toEqual([["a", "c"]]);
    expect(r.installed).toEqual(["a", "c"]);
  });

  it("nothing missing: no install", async () => {
    const installer = recorder();
    const r = await provisionLab({ isRoot: () => true, requirements: parseRequirements("x sh lab shell\n"), installer, say: () => undefined });
    expect(r.installed).toEqual([]);
    expect(installer.calls).toEqual([]);
  });

  it("without root: the refusal, and nothing installed", async () => {
    const installer = recorder();
    await expect(provisionLab({ isRoot: () => false, installer })).rejects.toThrow("the lab needs root (chroot, bind mounts, sshd); run as root or in a container");
    expect(installer.calls).toEqual([]);
  });

  it("the list has the lab's packages and .ci/run reads the same file", () => {
    expect(labRequirements().map((r) => r.pkg)).toEqual(["openssh-server", "openssh-client", "procps", "util-linux", "rpm", "dnf", "gpg", "gpg-agent", "createrepo-c"]);
    expect(readFileSync(join(REPO, ".ci", "run"), "utf8")).toContain("done < src/lab/debian-packages.txt");
  });

  it("a malformed line names the file and line", () => {
    expect(() => parseRequirements("# c\nopenssh-server\n", "list.txt")).toThrow('list.txt:2: expected "<package> <probe> lab|test <why>"');
  });
});
