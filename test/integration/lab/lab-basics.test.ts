import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labLeftovers, labStatus } from "../../../src/lab/down.js";
import { startLab, type TestLab } from "../../helpers/lab.js";
import { hostSnapshot, type HostSnapshot } from "./host-safety.js";
import { sleep, waitFor } from "../../helpers/wait.js";

describe("lab: two nodes over real sshd", () => {
  let lab: TestLab;
  let before: HostSnapshot;
  beforeAll(async () => {
    before = hostSnapshot();
    lab = await startLab({ el7: 1, el9: 1 });
  });
  afterAll(async () => {
    await lab?.stop();
    expect(hostSnapshot()).toEqual(before);
  });

  it("each node's sshd skips the per-connection re-exec where this sshd knows -r (its CPU would be charged to the tools under test)", () => {
    const knows = spawnSync("/usr/sbin/sshd", ["-t", "-r", "-f", join(lab.dir, "nodes", "el7-node01", "sshd_config")], { stdio: "ignore" }).status === 0;
    const nodes = labStatus(lab.dir).nodes;
    expect(nodes).toHaveLength(2);
    for (const n of nodes) {
      // sshd rewrites its title ("sshd: /usr/sbin/sshd -D -e -r -f <config> [listener] ..."): the words are still there
      const words = readFileSync(`/proc/${n.pid}/cmdline`, "utf8").split(/[\0 ]/);
      expect(words, n.name).toContain("/usr/sbin/sshd");
      expect(words.includes("-r"), n.name).toBe(knows);
    }
  });

  it("logs in with the lab key and known_hosts and sees the node's own files", async () => {
    const r7 = await lab.ssh("el7-node01", "cat /etc/hostname; cat /etc/os-release; id -u");
    expect(r7.stderr).toBe("");
    expect(r7.code).toBe(0);
    expect(r7.stdout).toContain("el7-node01");
    expect(r7.stdout).toMatch(/CentOS Linux/);
    expect(r7.stdout.trim().split("\n").at(-1)).toBe("0");
    const r9 = await lab.ssh("el9-node01", "cat /etc/hostname; cat /etc/os-release");
    expect(r9.stdout).toContain("el9-node01");
    expect(r9.stdout).toMatch(/Rocky Linux/);
    // The host's files are not reachable from inside.
    const host = await lab.ssh("el9-node01", `test -e ${lab.dir} && echo LEAK || echo sealed`);
    expect(host.stdout.trim()).toBe("sealed");
  });

  it("inventory lists both nodes in kubespray groups with the lab connection vars", async () => {
    const { readFileSync } = await import("node:fs");
    const inv = readFileSync(lab.inventoryPath, "utf8");
    for (const n of lab.nodes) expect(inv).toContain(`${n.name} ansible_host=${n.ip} ansible_port=2222 ansible_user=root`);
    expect(inv).toMatch(/\[kube_control_plane\]\nel7-node01\nel9-node01/);
    expect(inv).toMatch(/\[k8s_cluster:children\]\nkube_control_plane\nkube_node/);
    expect(inv).toContain(`remedy_known_hosts=${lab.knownHostsPath}`);
  });

  it("real sysctl -w changes the node's file, not the host's kernel", async () => {
    const hostValue = hostSnapshot().pipeUserPagesSoft;
    const r = await lab.ssh("el7-node01", "sysctl -w fs.pipe-user-pages-soft=1234 && sysctl -n fs.pipe-user-pages-soft");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("fs.pipe-user-pages-soft = 1234");
    expect((await lab.exec("el7-node01", "cat /proc/sys/fs/pipe-user-pages-soft")).stdout.trim()).toBe("1234");
    expect(hostSnapshot().pipeUserPagesSoft).toBe(hostValue);
    expect((await lab.exec("el9-node01", "cat /proc/sys/fs/pipe-user-pages-soft")).stdout.trim()).not.toBe("1234");
  });

  it("the shared base is read-only inside a node", async () => {
    const r = await lab.ssh("el9-node01", "{ echo x > /opt/lab/base/bin/evil; } 2>&1; echo rc=$?");
    expect(r.stdout).toMatch(/Read-only file system/);
    expect(existsSync(`${lab.dir}/base/bin/evil`)).toBe(false);
  });

  it("reboot drops open connections and the node comes back with a new boot id", async () => {
    const name = "el9-node01";
    const bootBefore = (await lab.exec(name, "cat /proc/sys/kernel/random/boot_id")).stdout.trim();
    expect(bootBefore).toMatch(/^[0-9a-f-]{36}$/);
    const started = Date.now();
    const session = lab.ssh(name, "sleep 60; echo survived");
    await sleep(500);
    const hasTool = (await lab.exec(name, "test -x /usr/sbin/reboot && echo yes")).stdout.trim() === "yes";
    const trigger = await lab.ssh(name, hasTool ? "reboot" : "touch /.lab/reboot-request");
    expect([0, 255]).toContain(trigger.code);
    const dropped = await session;
    expect(dropped.stdout).not.toContain("survived");
    expect(dropped.code).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    const back = await waitFor("node back after reboot", async () => {
      const r = await lab.ssh(name, "cat /proc/sys/kernel/random/boot_id");
      return r.code === 0 ? r.stdout.trim() : undefined;
    });
    expect(back).toMatch(/^[0-9a-f-]{36}$/);
    expect(back).not.toBe(bootBefore);
    const st = labStatus(lab.dir).nodes.find((n) => n.name === name);
    expect(st?.up).toBe(true);
    expect(st?.boots).toBe(2);
  });

  it("lab down leaves no process and no mount under the lab dir", async () => {
    const dir = lab.dir;
    expect(labLeftovers(dir).mounts.length).toBeGreaterThan(0); // sanity: the base is mounted now
    await lab.stop();
    const left = labLeftovers(dir);
    expect(left.mounts).toEqual([]);
    expect(left.pids).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });
});

describe("lab prerequisites", () => {
  it("refuses to start without root, saying what it needs", async () => {
    const { execFileResult, DIST_SUPERVISOR } = await import("../../helpers/lab.js");
    // nobody may not be able to read the checkout (e.g. under a 0700 home): run a world-readable copy of dist/
    const { cpSync, chmodSync, mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
    const { execFileSync } = await import("node:child_process");
    const { dirname, join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const copy = mkdtempSync(join(tmpdir(), "remedy-nonroot-"));
    chmodSync(copy, 0o755);
    cpSync(dirname(dirname(DIST_SUPERVISOR)), join(copy, "dist"), { recursive: true });
    writeFileSync(join(copy, "package.json"), JSON.stringify({ type: "module" }));
    execFileSync("chmod", ["-R", "a+rX", copy]);
    const up = join(copy, "dist", "lab", "up.js");
    const script = `import(${JSON.stringify(up)}).then((m) => m.labUp({ dir: "/var/lib/remedy-lab-nonroot", el7: 1, el9: 0 }))` +
      `.catch((e) => { console.log(e.name + ": " + e.message); process.exit(3); })`;
    const r = await execFileResult("runuser", ["-u", "nobody", "--", process.execPath, "-e", script]);
    expect(r.code).toBe(3);
    expect(r.stdout.trim()).toBe("LabError: the lab needs root (chroot, bind mounts, sshd); run as root or in a container");
    expect(existsSync("/var/lib/remedy-lab-nonroot")).toBe(false);
    rmSync(copy, { recursive: true, force: true });
  });
});
