// Issue 13 acceptance 3: secrets with quotes, backslash, newline and non-ASCII text, set by -e, by the
// inventory and by a declared input, never appear (raw, shell-quoted, JSON-escaped, base64) in terminal
// output, -v, --json, JUnit, the plan file, show, the journal, the node's audit log, `remedy inventory`
// or error messages, nor in `ps` on the node while a long command runs; yet the commands get the values.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shellQuote } from "../../../src/transport/quote.js";
import { runCli } from "../../../src/cli/program.js";
import { cli } from "../../helpers/cli.js";
import { startSshd, type SshdCluster } from "../../helpers/sshd.js";

const BY_E = `it's "Zq9x" \\ back\nnew ünï`; // -e {"api_token": ...} (as JSON: key=value pairs split on blanks and quotes, as in ansible)
const E_ARG = JSON.stringify({ api_token: BY_E });
const BY_INV = `inv 'Wv7k' "dq" \\n\nzweite ß`; // inventory host var db_pwd
const BY_INPUT = `decl Mn3p 'x' "y" \\ é\nend`; // declared `secret: true` input `motd` (name not secret-looking)
const SECRETS = [BY_E, BY_INV, BY_INPUT];
const MARKERS = ["Zq9x", "Wv7k", "Mn3p"];

function forms(s: string): string[] {
  const json = JSON.stringify(s).slice(1, -1);
  return [s, shellQuote(s), json, JSON.stringify(shellQuote(s)).slice(1, -1), Buffer.from(s).toString("base64"), ...s.split("\n").filter((l) => l.length > 4)];
}

let fleet: SshdCluster;
let root: string;
let work: string;
const saved = { state: process.env.REMEDY_TARGET_STATE_DIR, audit: process.env.REMEDY_TARGET_AUDIT_LOG, stateDir: process.env.REMEDY_STATE_DIR };

beforeAll(async () => {
  fleet = await startSshd({ count: 1 });
  root = mkdtempSync(join(tmpdir(), "remedy-secrets-"));
  work = join(root, "work");
  execFileSync("mkdir", ["-p", work]);
  process.env.REMEDY_TARGET_STATE_DIR = join(root, "target/state");
  process.env.REMEDY_TARGET_AUDIT_LOG = join(root, "target/audit.jsonl");
  process.env.REMEDY_STATE_DIR = join(root, "state"); // the run journal (not the user's ~/.local/state)
  const h = fleet.hosts[0]!;
  writeFileSync(
    join(root, "inv.yml"),
    `nodes:\n  hosts:\n    node1:\n      ansible_host: 127.0.0.1\n      ansible_port: ${h.port}\n      ansible_user: root\n      ansible_ssh_private_key_file: ${fleet.clientKeyPath}\n      db_pwd: ${JSON.stringify(BY_INV)}\n`,
  );
  writeFileSync(
    join(root, "pb.yml"),
    `name: secrets
hosts: nodes
inputs:
  motd: { type: string, secret: true }
  api_token: { type: string }
vars:
  motd: ${JSON.stringify(BY_INPUT)}
steps:
  - name: the secrets are on the node
    check:
      run: "sleep 2; printf 'seen %s %s %s\\n' {{ api_token }} {{ db_pwd }} {{ motd }} >&2; cat ${work}/got-token ${work}/got-pwd ${work}/got-motd"
      expect_exit: [0, 1]
      compliant: { exit: 0 }
    apply:
      - sleep 2; printf %s {{ api_token }} > ${work}/got-token; printf %s {{ db_pwd }} > ${work}/got-pwd; printf %s {{ motd }} > ${work}/got-motd
      - "printf '%s\\n' {{ api_token }} {{ db_pwd }} {{ motd }}; printf %s {{ db_pwd }} >&2"
  - name: an error message that would show them
    check:
      run: "printf 'bad: %s %s %s' {{ api_token }} {{ db_pwd }} {{ motd }} >&2; exit 7"
`,
  );
}, 60_000);
afterAll(async () => {
  await fleet?.stop();
  for (const [k, v] of [["REMEDY_TARGET_STATE_DIR", saved.state], ["REMEDY_TARGET_AUDIT_LOG", saved.audit], ["REMEDY_STATE_DIR", saved.stateDir]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(root, { recursive: true, force: true });
});

describe("secrets stay secret (real sshd)", () => {
  it("absent from every output and from ps on the node; the commands still get the exact values", async () => {
    const base = [join(root, "pb.yml"), "-i", join(root, "inv.yml"), "--known-hosts", fleet.knownHostsPath, "-e", E_ARG];
    const outputs: Record<string, string> = {};
    const plan = join(root, "plan.json");
    const planned = await cli(["plan", ...base, "-o", plan, "-v"], { cwd: root });
    outputs.plan = planned.stdout + planned.stderr;
    expect(planned.code, outputs.plan).toBe(1); // step 2 fails by design (exit 7)
    if (existsSync(plan)) outputs.planFile = readFileSync(plan, "utf8");

    const check = await cli(["check", ...base, "--json", "-v"], { cwd: root });
    outputs.checkJson = check.stdout + check.stderr;

    // apply, watching the node's process list while the 2 s commands run
    let ps = "";
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        ps += execFileSync("ps", ["-eww", "-o", "args"], { encoding: "utf8" });
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    const junit = join(root, "junit.xml");
    const apply = await cli(["apply", ...base, "--yes", "--json", "-v", "--junit", junit], { cwd: root });
    watching = false;
    await watcher;
    outputs.apply = apply.stdout + apply.stderr;
    expect(apply.code, outputs.apply).toBe(1);
    expect(ps).toContain(`${work}/got-token`); // we did see the commands running
    outputs.ps = ps;
    outputs.junit = readFileSync(junit, "utf8");
    const runs = join(root, "state", "runs"); // the journal lives in the state dir
    outputs.journal = readdirSync(runs).map((f) => readFileSync(join(runs, f), "utf8")).join("\n");
    expect(outputs.journal.length).toBeGreaterThan(0);
    outputs.audit = readFileSync(process.env.REMEDY_TARGET_AUDIT_LOG!, "utf8");
    expect(outputs.audit, outputs.audit + outputs.apply).toContain("seen <redacted>"); // the step's message (the secrets in its stderr) was audited

    const invText = await cli(["inventory", "-i", join(root, "inv.yml")]);
    let invJson = "";
    await runCli(["inventory", "-i", join(root, "inv.yml"), "--json"], { out: (t) => void (invJson += t), err: (t) => void (invJson += t), isTTY: false, ask: async () => "no", signal: new AbortController().signal, env: process.env, cwd: root });
    outputs.inventory = invText.stdout + invText.stderr + invJson;
    expect(outputs.inventory).toContain("node1");

    // the values arrived exactly
    expect(readFileSync(join(work, "got-token"), "utf8")).toBe(BY_E);
    expect(readFileSync(join(work, "got-pwd"), "utf8")).toBe(BY_INV);
    expect(readFileSync(join(work, "got-motd"), "utf8")).toBe(BY_INPUT);
    // the commands were shown, with references instead of values
    expect(outputs.apply).toContain("$REMEDY_SECRET_api_token");

    for (const [where, text] of Object.entries(outputs)) {
      for (const m of MARKERS) expect(text, `${where} contains ${m}`).not.toContain(m);
      for (const s of SECRETS) for (const f of forms(s)) expect(text.includes(f), `${where} contains ${JSON.stringify(f)}`).toBe(false);
    }
  }, 120_000);

  it("plan file and show: no secret in any form", async () => {
    writeFileSync(join(root, "pb2.yml"), readFileSync(join(root, "pb.yml"), "utf8").replace(/  - name: an error message[\s\S]*$/, ""));
    rmSync(join(work, "got-token"), { force: true });
    const plan = join(root, "plan2.json");
    const r = await cli(["plan", join(root, "pb2.yml"), "-i", join(root, "inv.yml"), "--known-hosts", fleet.knownHostsPath, "-e", E_ARG, "-o", plan], { cwd: root });
    expect(r.code, r.stderr).toBe(2);
    const show = await cli(["show", plan]);
    const showJson = await cli(["show", plan, "--json"]);
    const texts = { plan: readFileSync(plan, "utf8"), show: show.stdout + show.stderr, showJson: showJson.stdout, cli: r.stdout + r.stderr };
    expect(texts.plan).toContain("REMEDY_SECRET_api_token");
    for (const [where, text] of Object.entries(texts)) {
      for (const m of MARKERS) expect(text, `${where} contains ${m}`).not.toContain(m);
      for (const s of SECRETS) for (const f of forms(s)) expect(text.includes(f), `${where} contains ${JSON.stringify(f)}`).toBe(false);
    }
  }, 60_000);

  it("apply --plan refuses a plan whose declared secret -e value changed, without showing either value", async () => {
    const plan = join(root, "plan3.json");
    const common = [join(root, "pb2.yml"), "-i", join(root, "inv.yml"), "--known-hosts", fleet.knownHostsPath, "-e", E_ARG];
    const p = await cli(["plan", ...common, "-e", "motd='first Mn3p value'", "-o", plan], { cwd: root });
    expect(p.code, p.stderr).toBe(2);
    const a = await cli(["apply", ...common, "-e", "motd='second Mn3p value'", "--plan", plan], { cwd: root });
    expect(a.code, a.stderr).toBe(5);
    expect(a.stderr).toContain("secret -e motd has a different value than in the plan");
    expect(a.stdout + a.stderr + readFileSync(plan, "utf8")).not.toContain("Mn3p");
  }, 60_000);
});
