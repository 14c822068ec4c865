// Every simulated tool over real sshd (the lab runtime): samples and one fixture per tool, each on a node
// of its own; plus a reboot through `shutdown -r` seen as a new boot_id. Needs `npm run build` (tools from dist/lab/tools).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, type TestLab } from "../../helpers/lab.js";
import { loadFixtures, mismatch } from "./fixtures.js";

const OVER_SSH = [
  "uname/release-el7.json", "uname/release-el9.json", "rpm/q-not-installed.json", "ethtool/k-grep.json",
  "nmcli/active.json", "docker/docker-runc-version.json", "grubby/default-el7.json", "systemctl/enable-missing-el9.json",
];
const all = loadFixtures();
const toolOf = (f: { file: string }) => f.file.split("/")[0]!;
// These two encode the chroot harness's node identity (its hostname pattern and 10.0.x.y address);
// over ssh the same tools are checked against the lab node's own identity below.
const IDENTITY = new Set(["hostname", "ip"]);
// The reboot fixtures end in `test -s /.lab/reboot-request`: true in the chroot harness, a race here, where the
// supervisor consumes the request at once. Reboots over ssh are checked below by their effect (a new boot_id).
const SUPERVISED = new Set(["reboot"]);
// every simulated tool over ssh: the chosen samples, then one fixture of each other tool; each fixture
// gets a node of its own, so one fixture's setup (or reboot) cannot change what another one sees
const chosen = all.filter((f) => OVER_SSH.includes(f.file));
const covered = new Set([...chosen.map(toolOf), ...IDENTITY, ...SUPERVISED]);
const rest: typeof all = [];
for (const f of [...all.filter((x) => !x.setup?.length), ...all.filter((x) => x.setup?.length)]) {
  if (covered.has(toolOf(f))) continue;
  covered.add(toolOf(f));
  rest.push(f);
}
const fixtures = [...chosen, ...rest];
const need = (os: string) => fixtures.filter((f) => f.personality === os).length + 1;

let lab: TestLab;
beforeAll(async () => {
  lab = await startLab({ el7: need("el7"), el9: need("el9") });
}, 180_000);
afterAll(async () => {
  await lab?.stop();
});

const used = new Map<string, number>();
/** the next unused node of that OS (node 1 of each OS is kept for the identity and reboot checks) */
const freshNode = (os: "el7" | "el9") => {
  const i = (used.get(os) ?? 1) + 1;
  used.set(os, i);
  return lab.nodes.filter((n) => n.os === os)[i - 1]!.name;
};
const nodeFor = (os: "el7" | "el9") => lab.nodes.find((n) => n.os === os)!.name;
const bootId = async (n: string) => (await lab.ssh(n, "cat /proc/sys/kernel/random/boot_id")).stdout;
/** The node's boot_id once it differs from `before` (or `before` again after 30 s). */
async function bootIdAfterReboot(n: string, before: string): Promise<string> {
  let after = before;
  for (let i = 0; i < 60 && (after === before || after === ""); i++) {
    await new Promise((res) => setTimeout(res, 500));
    after = await bootId(n);
  }
  return after;
}

describe("lab tools over ssh", () => {
  it("covers every tool that has fixtures", () => expect(new Set([...fixtures.map(toolOf), ...IDENTITY, ...SUPERVISED])).toEqual(new Set(all.map(toolOf))));

  it("hostname and ip report the lab node's own identity", async () => {
    const n = lab.nodes.find((x) => x.os === "el7")!;
    expect((await lab.ssh(n.name, "hostname")).stdout).toBe(`${n.name}\n`);
    expect((await lab.ssh(n.name, "ip route show default")).stdout).toMatch(/^default via \S+ dev eth0 proto static metric 100 \n$/);
  });

  for (const fx of fixtures) {
    it(`${fx.file} over ssh`, async () => {
      const node = freshNode(fx.personality);
      for (const cmd of fx.setup ?? []) {
        const s = await lab.ssh(node, cmd);
        expect(s.code, `setup "${cmd}": ${s.stderr}`).toBe(0);
      }
      const r = await lab.ssh(node, fx.command);
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
    const before = await bootId(n);
    const r = await lab.ssh(n, 'shutdown -r 0 "Reboot initiated by Ansible"');
    expect([0, 255]).toContain(r.code); // a dropped connection is fine
    expect(await bootIdAfterReboot(n, before)).not.toBe(before);
    expect((await lab.ssh(n, "uname -r")).stdout).toBe("4.19.12-1.el7.elrepo.x86_64\n");
  }, 60_000);

  it("reboot over ssh: the node comes back with a new boot_id and the same (default) kernel", async () => {
    const n = nodeFor("el9");
    const before = await bootId(n);
    const r = await lab.ssh(n, "reboot");
    expect([0, 255]).toContain(r.code); // a dropped connection is fine
    expect(await bootIdAfterReboot(n, before)).not.toBe(before);
    expect((await lab.ssh(n, "uname -r")).stdout).toBe("6.1.1-1.el9.elrepo.x86_64\n");
  }, 60_000);
});
