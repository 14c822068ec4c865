// Issue 2 acceptance over real OpenSSH sshd processes on 127.0.0.1 (commands run on this machine,
// confined to a temp dir per test).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { startSshd, type SshdCluster } from "../../helpers/sshd.js";
import { cli } from "../../helpers/cli.js";

let fleet: SshdCluster;
let work: string;
let inv: string;

const PLAYBOOK = (work: string) => `
name: flag files
hosts: nodes
vars:
  message: "hello"
steps:
  - name: flag file has the message
    check:
      run: "cat ${work}/{{ host }}.flag"
      expect_exit: [0, 1]
      compliant: { equals: "{{ message }}" }
    apply:
      - "printf %s {{ message }} > ${work}/{{ host }}.tmp && mv ${work}/{{ host }}.tmp ${work}/{{ host }}.flag"
`;

beforeAll(async () => {
  fleet = await startSshd({ count: 4 });
  work = mkdtempSync(join(tmpdir(), "remedy-run-"));
  const lines = fleet.hosts.map((h) => `${h.name} ansible_host=127.0.0.1 ansible_port=${h.port} ansible_user=root ansible_ssh_private_key_file=${fleet.clientKeyPath}`);
  inv = join(work, "hosts.ini");
  writeFileSync(inv, `[nodes]\n${lines.slice(0, 3).join("\n")}\n\n[spare]\n${lines[3]}\n\n[dead]\ndeadnode ansible_host=127.0.0.1 ansible_port=1 ansible_ssh_private_key_file=${fleet.clientKeyPath}\n`);
  writeFileSync(join(work, "pb.yml"), PLAYBOOK(work));
}, 60_000);
afterAll(async () => {
  await fleet?.stop();
});

const base = () => [join(work, "pb.yml"), "-i", inv, "--known-hosts", fleet.knownHostsPath];

describe("remedy check/apply over real sshd", () => {
  it("dry run exits 2 and changes nothing; apply changes and verifies; second check exits 0", async () => {
    const dry = await cli(["check", ...base(), "--json"]);
    expect(dry.stderr).toBe(dry.stderr); // keep stderr visible on failure
    expect(dry.code, dry.stderr + dry.stdout).toBe(2);
    const ends = dry.events.filter((e) => e.type === "step_end");
    expect(ends.map((e) => e.status)).toEqual(["would_change", "would_change", "would_change"]);
    expect(existsSync(join(work, "node1.flag"))).toBe(false);
    for (const h of fleet.hosts.slice(0, 3)) expect(existsSync(join(work, `${h.name}.flag`))).toBe(false);

    const nonInteractive = await cli(["apply", ...base()]);
    expect(nonInteractive.code).toBe(4);
    expect(nonInteractive.stderr).toMatch(/--yes/);

    const apply = await cli(["apply", ...base(), "--yes", "--json"]);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.events.filter((e) => e.type === "step_end").map((e) => e.status)).toEqual(["changed", "changed", "changed"]);
    for (const h of fleet.hosts.slice(0, 3)) expect(readFileSync(join(work, `${h.name}.flag`), "utf8")).toBe("hello");
    // verify ran (the check command again, after apply)
    expect(apply.events.filter((e) => e.type === "command" && (e as { phase?: string }).phase === "verify")).toHaveLength(3);

    const again = await cli(["check", ...base()]);
    expect(again.code, again.stdout).toBe(0);
  });

  it("an unreachable host gives exit 3 and does not stop the others", async () => {
    const r = await cli(["check", ...base(), "-e", "message=other", "-l", "nodes:dead", "--json"]);
    writeFileSync(join(work, "pb-all.yml"), PLAYBOOK(work).replace("hosts: nodes", "hosts: nodes:dead"));
    const r2 = await cli(["check", join(work, "pb-all.yml"), "-i", inv, "--known-hosts", fleet.knownHostsPath, "-e", "message=other", "--json"]);
    expect(r.code).toBe(2); // the limit cannot add hosts outside the playbook's pattern
    expect(r2.code).toBe(3);
    const hostEnds = r2.events.filter((e) => e.type === "host_end");
    expect(hostEnds.find((e) => e.host === "deadnode")?.status).toBe("unreachable");
    expect(hostEnds.filter((e) => e.status === "would_change")).toHaveLength(3);
  });

  it("values with quotes, $(), ;, backticks and newlines reach the host as literal data", async () => {
    const nasty = `a'b"c $(touch ${work}/pwned); d \`id\` \n e\\f`;
    const r = await cli(["apply", ...base(), "-l", fleet.hosts[0]!.name, "--yes", "-e", JSON.stringify({ message: nasty })]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(readFileSync(join(work, `${fleet.hosts[0]!.name}.flag`), "utf8")).toBe(nasty);
    expect(existsSync(join(work, "pwned"))).toBe(false);
  });

  it("a hung command is killed at its timeout and the host fails", async () => {
    const marker = `remedy-hang-${process.pid}-${Date.now()}`;
    writeFileSync(join(work, "hang.yml"), `name: hang\nhosts: spare\nsteps:\n  - name: hangs\n    timeout: 2\n    check: "sleep 1000 # ${marker}"\n`);
    const t0 = Date.now();
    const r = await cli(["check", join(work, "hang.yml"), "-i", inv, "--known-hosts", fleet.knownHostsPath]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/timed out after 2s/);
    expect(Date.now() - t0).toBeLessThan(20_000);
    // the remote process is gone (give the kill a moment to land)
    let left = "";
    for (let i = 0; i < 20; i++) {
      await new Promise((res) => setTimeout(res, 250));
      try {
        left = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" }).split("\n").filter((l) => l.includes(marker)).join("\n");
      } catch {
        left = "";
      }
      if (!left) break;
    }
    expect(left).toBe("");
  });

  it("a changed host key is refused with a message naming the known_hosts file", async () => {
    await fleet.restart(3, { newHostKey: true });
    writeFileSync(join(work, "spare.yml"), `name: spare\nhosts: spare\nsteps:\n  - name: t\n    check: "true"\n`);
    const r = await cli(["check", join(work, "spare.yml"), "-i", inv, "--known-hosts", fleet.knownHostsPath]);
    expect(r.code).toBe(3);
    expect(r.stdout + r.stderr).toMatch(/HOST KEY CHANGED/);
    expect(r.stdout + r.stderr).toContain(fleet.knownHostsPath);
  });

  it("an unknown host key is refused", async () => {
    const empty = join(work, "empty_known_hosts");
    writeFileSync(empty, "");
    const r = await cli(["check", ...base().slice(0, 3), "--known-hosts", empty]);
    expect(r.code).toBe(3);
    expect(r.stdout + r.stderr).toMatch(/is not in .*empty_known_hosts/);
  });
});

describe("interactive apply", () => {
  it("on a TTY shows the pending commands and applies nothing when the answer is no", async () => {
    const r = await cli(["apply", ...base(), "-e", "message=interactive"], { tty: true, answer: false });
    expect(r.code).toBe(1); // declined: exit 1, as terraform
    expect(r.stdout).toContain("Pending changes:");
    expect(r.stdout).toMatch(/\$ printf %s interactive > /);
    expect(r.stderr).toContain("Nothing applied.");
    expect(readFileSync(join(work, `${fleet.hosts[0]!.name}.flag`), "utf8")).not.toBe("interactive");
  });
  it("applies after a yes", async () => {
    const r = await cli(["apply", ...base(), "-e", "message=interactive"], { tty: true, answer: true });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(work, `${fleet.hosts[0]!.name}.flag`), "utf8")).toBe("interactive");
  });
});

describe("batched checks over ssh", () => {
  it("a hung check among several is still killed, and the others' answers are right", async () => {
    const marker = `remedy-batch-hang-${process.pid}-${Date.now()}`;
    writeFileSync(
      join(work, "hang2.yml"),
      `name: hang2\nhosts: nodes\nsteps:\n  - name: first\n    check: "echo one"\n  - name: hangs\n    timeout: 2\n    check: "sleep 1000 # ${marker}"\n  - name: third\n    check: { run: "echo three; exit 1", compliant: { exit: 1, stdout: "^three$" } }\n`,
    );
    const r = await cli(["check", join(work, "hang2.yml"), "-i", inv, "--known-hosts", fleet.knownHostsPath, "-l", fleet.hosts[0]!.name, "--json"]);
    const ends = r.events.filter((e) => e.type === "step_end");
    expect(ends.map((e) => e.status)).toEqual(["ok", "failed"]);
    expect(String(ends[1]!.message)).toMatch(/timed out after 2s/);
    await new Promise((res) => setTimeout(res, 1000));
    const left = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).split("\n").filter((l) => l.includes(marker) && !l.includes("ps -eo"));
    expect(left).toEqual([]);
  });
});
