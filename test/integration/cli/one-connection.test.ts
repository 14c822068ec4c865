// One SSH connection per host for a whole `apply --yes` (lock, facts, checks, steps, audit lines, unlock),
// counted on the server side: each test sshd logs one "Accepted publickey" line per connection (LogLevel VERBOSE).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSshd, type SshdCluster } from "../../helpers/sshd.js";
import { cli } from "../../helpers/cli.js";

let fleet: SshdCluster;
let work: string;
let inv: string;
const saved = { state: process.env.REMEDY_TARGET_STATE_DIR, audit: process.env.REMEDY_TARGET_AUDIT_LOG };

const PLAYBOOK = (w: string) => `
name: two steps
hosts: nodes
steps:
  - name: first flag
    check: { run: "cat ${w}/{{ host }}.a", expect_exit: [0, 1], compliant: { equals: "1" } }
    apply: ["echo 1 > ${w}/{{ host }}.a"]
  - name: second flag
    check: { run: "cat ${w}/{{ host }}.b", expect_exit: [0, 1], compliant: { equals: "1" } }
    apply:
      - copy: { content: "1\\n", dest: "${w}/{{ host }}.b" }
`;

const accepted = (i: number) => (readFileSync(join(fleet.dir, `sshd${i}.log`), "utf8").match(/Accepted publickey/g) ?? []).length;

beforeAll(async () => {
  fleet = await startSshd({ count: 2 });
  work = mkdtempSync(join(tmpdir(), "remedy-onecon-"));
  // the "nodes" are this machine: keep remedy's node state and audit log in the temp dir
  process.env.REMEDY_TARGET_STATE_DIR = join(work, "state");
  process.env.REMEDY_TARGET_AUDIT_LOG = join(work, "audit.jsonl");
  const lines = fleet.hosts.map((h) => `${h.name} ansible_host=127.0.0.1 ansible_port=${h.port} ansible_user=root ansible_ssh_private_key_file=${fleet.clientKeyPath}`);
  inv = join(work, "hosts.ini");
  writeFileSync(inv, `[nodes]\n${lines.join("\n")}\n`);
  writeFileSync(join(work, "pb.yml"), PLAYBOOK(work));
}, 60_000);
afterAll(async () => {
  for (const [k, v] of [["REMEDY_TARGET_STATE_DIR", saved.state], ["REMEDY_TARGET_AUDIT_LOG", saved.audit]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await fleet?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("apply --yes without a reboot", () => {
  it("opens exactly one SSH connection per host", async () => {
    const before = fleet.hosts.map((_, i) => accepted(i));
    const r = await cli(["apply", join(work, "pb.yml"), "-i", inv, "--known-hosts", fleet.knownHostsPath, "--yes", "--json"], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.events.filter((e) => e.type === "step_end").map((e) => e.status)).toEqual(["changed", "changed", "changed", "changed"]);
    // it did lock, audit and unlock through those connections
    expect(readFileSync(join(work, "audit.jsonl"), "utf8").trimEnd().split("\n").length).toBeGreaterThanOrEqual(12);
    // sshd logs "Accepted publickey" at authentication, long before the run ends
    expect(fleet.hosts.map((_, i) => accepted(i) - before[i]!)).toEqual([1, 1]);
  });
});
