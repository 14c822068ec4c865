// --diff for copy and template on local hosts: check, plan (stored in the plan file), show and apply; the
// secret the template writes is masked everywhere, the file on the host gets the real value.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../../helpers/cli.js";

const PB = resolve("test/fixtures/cli/diff/diff.yml");
const SECRET = "S3cretPass-42";
let root: string;
let work: string;
let inv: string;
let env: NodeJS.ProcessEnv;
const saved = { state: process.env.REMEDY_TARGET_STATE_DIR, audit: process.env.REMEDY_TARGET_AUDIT_LOG };

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "remedy-diff-"));
  work = join(root, "work");
  mkdirSync(work);
  inv = join(root, "hosts.ini");
  writeFileSync(inv, "[nodes]\nn1 ansible_connection=local\nn2 ansible_connection=local\n");
  writeFileSync(join(work, "n1.conf"), "listen 80\nworkers 2\ntimeout 30\nlog info\n");
  writeFileSync(join(work, "n1.cred"), "user=app\nport=1\npassword=old\n");
  // plan/apply --plan keep their node-side state and audit log under the temp dir
  process.env.REMEDY_TARGET_STATE_DIR = join(root, "target/state");
  process.env.REMEDY_TARGET_AUDIT_LOG = join(root, "target/audit.jsonl");
  env = { ...process.env, HOME: join(root, "home"), ANSIBLE_CONFIG: join(root, "none.cfg"), REMEDY_STATE_DIR: join(root, "state") };
});
afterAll(() => {
  for (const [k, v] of [["REMEDY_TARGET_STATE_DIR", saved.state], ["REMEDY_TARGET_AUDIT_LOG", saved.audit]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(root, { recursive: true, force: true });
});

const args = (...more: string[]) => [PB, "-i", inv, "-e", `work=${work}`, "-e", "port=5432", "-e", `db_password=${SECRET}`, ...more];
const CONF_DIFF = ["--- <host>:" + "WORK/<host>.conf", "+++ <host>:WORK/<host>.conf (new)", "@@ -1,4 +1,4 @@", " listen 80", "-workers 2", "+workers 4", " timeout 30", " log info"];

describe("--diff", () => {
  it("check: copy and template diffs against the file as it is now (new files from /dev/null), the secret masked", async () => {
    const r = await cli(["check", ...args("--diff")], { env });
    expect(r.code, r.stderr).toBe(2);
    const out = r.stdout.split(work).join("WORK");
    expect(out).toContain(CONF_DIFF.map((l) => `        ${l}`).join("\n"));
    expect(out).toContain(["        --- /dev/null", "        +++ <host>:WORK/<host>.cred (new)", "        @@ -0,0 +1,3 @@", "        +user=app", "        +port=5432", "        +password=<redacted>"].join("\n"));
    expect(out).toContain(["        -port=1", "        -password=old", "        +port=5432", "        +password=<redacted>"].join("\n"));
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    const json = await cli(["check", ...args("--diff", "--json")], { env });
    const ends = json.events.filter((e) => e.type === "step_end" && e.diff);
    expect(ends).toHaveLength(4);
    expect(json.stdout).not.toContain(SECRET);
    const without = await cli(["check", ...args()], { env });
    expect(without.stdout).not.toContain("+++ ");
  });

  it("plan stores the diffs (masked), show prints them, apply --plan --diff shows what it wrote", async () => {
    const file = join(root, "plan.json");
    const plan = await cli(["plan", ...args("--diff", "-o", file)], { env });
    expect(plan.code, plan.stderr).toBe(2);
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(SECRET);
    const doc = JSON.parse(text) as { hosts: Array<{ name: string; steps: Array<{ id: string; diff?: string }> }> };
    const n1 = doc.hosts.find((h) => h.name === "n1")!;
    expect(n1.steps[0]!.diff).toBe(`--- n1:${work}/n1.conf\n+++ n1:${work}/n1.conf (new)\n@@ -1,4 +1,4 @@\n listen 80\n-workers 2\n+workers 4\n timeout 30\n log info\n`);
    expect(n1.steps[1]!.diff).toContain("+password=<redacted>\n");

    const show = await cli(["show", file], { env });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain("      -workers 2\n      +workers 4");
    expect(show.stdout).toContain("      +password=<redacted>");

    const apply = await cli(["apply", ...args("--plan", file, "--diff")], { env });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/\+ changed — 1 host: n1[\s\S]*diff:\n {8}--- <host>:.*\/<host>\.conf\n {8}\+\+\+ /);
    expect(apply.stdout + apply.stderr).not.toContain(SECRET);
    expect(readFileSync(join(work, "n1.cred"), "utf8")).toBe(`user=app\nport=5432\npassword=${SECRET}\n`);
    expect(readFileSync(join(work, "n2.conf"), "utf8")).toBe("listen 80\nworkers 4\ntimeout 30\nlog info\n");

    const again = await cli(["check", ...args("--diff")], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain("diff:");
  });
});
