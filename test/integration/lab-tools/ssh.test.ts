// A few tool fixtures over real sshd (the lab runtime), plus a reboot through `shutdown -r` seen as a new boot_id.
// Needs `npm run build` (the runtime takes the tools from dist/lab/tools).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, type TestLab } from "../../helpers/lab.js";
import { loadFixtures, mismatch } from "./fixtures.js";

const OVER_SSH = [
  "uname/release-el7.json", "uname/release-el9.json", "rpm/q-not-installed.json", "ethtool/k-grep.json",
  "nmcli/active.json", "docker/docker-runc-version.json", "grubby/default-el7.json", "systemctl/enable-missing-el9.json",
];
const fixtures = loadFixtures().filter((f) => OVER_SSH.includes(f.file));

let lab: TestLab;
beforeAll(async () => {
  lab = await startLab({ el7: 1, el9: 1 });
}, 120_000);
afterAll(async () => {
  await lab?.stop();
});

const nodeFor = (os: "el7" | "el9") => lab.nodes.find((n) => n.os === os)!.name;

describe("lab tools over ssh", () => {
  it("runs the selected fixtures", () => expect(fixtures.length).toBe(OVER_SSH.length));

  for (const fx of fixtures) {
    it(`${fx.file} over ssh`, async () => {
      const r = await lab.ssh(nodeFor(fx.personality), fx.command);
      const problems = [
        mismatch("stdout", fx.stdout, r.stdout),
        mismatch("stderr", fx.stderr, r.stderr),
        r.code === fx.exit ? undefined : `exit: expected ${fx.exit}, got ${r.code} (${r.stderr})`,
      ].filter(Boolean);
      expect(problems).toEqual([]);
    });
  }

  it("shutdown -r over ssh: the supervisor reboots into the grub default and the boot_id changes", async () => {
    const n = nodeFor("el7");
    const install = await lab.ssh(n, "yum --enablerepo=elrepo-kernel install -y -q kernel-ml-4.19.12 && grub2-set-default 'CentOS Linux (4.19.12-1.el7.elrepo.x86_64) 7 (Core)'");
    expect(install.code, install.stderr).toBe(0);
    const before = (await lab.ssh(n, "cat /proc/sys/kernel/random/boot_id")).stdout;
    const r = await lab.ssh(n, 'shutdown -r 0 "Reboot initiated by Ansible"');
    expect([0, 255]).toContain(r.code); // a dropped connection is fine
    let after = before;
    for (let i = 0; i < 60 && (after === before || after === ""); i++) {
      await new Promise((res) => setTimeout(res, 500));
      after = (await lab.ssh(n, "cat /proc/sys/kernel/random/boot_id")).stdout;
    }
    expect(after).not.toBe(before);
    expect((await lab.ssh(n, "uname -r")).stdout).toBe("4.19.12-1.el7.elrepo.x86_64\n");
  }, 60_000);
});
