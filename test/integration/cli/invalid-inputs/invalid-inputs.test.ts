// Issue 13 acceptance 2: a data-driven suite of invalid inputs (cases/*.yml: playbooks, inventories, vars
// files, CLI flags, plan files). Each case names its files, the command line, the expected exit code, a
// message fragment and the location. None may exit 70, none may open a connection: every inventory host
// points at a local TCP listener that counts connections. Cases marked `subprocess` run the real bin under
// a small heap limit, so running out of memory (alias bombs, huge host ranges) fails the case.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cli } from "../../../helpers/cli.js";

interface Case {
  name: string;
  /** relative path → content (besides files/*); @PORT@ is the counting listener's port, @DIR@ the case directory, @REPO@ the repository */
  files?: Record<string, string>;
  argv: string[];
  exit: number;
  /** fragments the output (stderr + stdout) must contain */
  message: string | string[];
  /** where: "@DIR@/pb.yml:7:9", "@DIR@/inv.ini:2:", "-e: ", "--junit: " (a file position, or the flag) */
  location: string;
  /** strings that must not appear anywhere in the output (secrets) */
  absent?: string[];
  subprocess?: boolean;
}

const HERE = resolve("test/integration/cli/invalid-inputs");
const BIN = resolve("dist/cli/main.js");
const BASE: Record<string, string> = {
  "inv.ini": "[k8s_cluster]\nn1 ansible_host=127.0.0.1 ansible_port=@PORT@ ansible_user=root\nn2 ansible_host=127.0.0.1 ansible_port=@PORT@ ansible_user=root\n",
  "ok.yml": 'name: ok\nhosts: all\nsteps:\n  - name: t\n    check: "true"\n',
};

const files = readdirSync(join(HERE, "cases")).filter((f) => f.endsWith(".yml")).sort();
const cases: Array<Case & { file: string }> = files.flatMap((f) => (parse(readFileSync(join(HERE, "cases", f), "utf8")) as Case[]).map((c) => ({ ...c, file: f })));

let server: Server;
let connections = 0;
let port = 0;
const root = mkdtempSync(join(tmpdir(), "remedy-invalid-"));

beforeAll(async () => {
  server = createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(root, { recursive: true, force: true });
});

/** shared fixture files (files/*), copied into every case directory */
const SHARED = Object.fromEntries(readdirSync(join(HERE, "files")).map((f) => [f, readFileSync(join(HERE, "files", f), "utf8")]));
const REPO = resolve(".");

function setUp(c: Case, i: number): { dir: string; sub: (s: string) => string } {
  const dir = join(root, String(i));
  const sub = (s: string) => s.replace(/@PORT@/g, String(port)).replace(/@DIR@/g, dir).replace(/@REPO@/g, REPO);
  for (const [rel, text] of Object.entries({ ...BASE, ...SHARED, ...(c.files ?? {}) })) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, sub(text));
  }
  return { dir, sub };
}

/** Hermetic: no settings from the caller's environment, ~/.ansible.cfg or state dir (ANSIBLE_*, REMEDY_*, JUNIT_*). */
function caseEnv(dir: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ANSIBLE_|REMEDY_|JUNIT_|XDG_STATE_HOME$)/.test(k)));
  return { ...env, HOME: join(dir, "home"), REMEDY_STATE_DIR: join(dir, "state") };
}

async function run(c: Case, dir: string, argv: string[]): Promise<{ code: number; out: string }> {
  if (!c.subprocess) {
    const r = await cli(argv, { cwd: dir, env: caseEnv(dir) });
    return { code: r.code, out: r.stderr + r.stdout };
  }
  const r = spawnSync(process.execPath, ["--max-old-space-size=96", BIN, ...argv], { cwd: dir, encoding: "utf8", timeout: 60_000, env: { ...caseEnv(dir), NODE_OPTIONS: "" } });
  return { code: r.status ?? -1, out: (r.stderr ?? "") + (r.stdout ?? "") + (r.signal ? `\n(killed by ${r.signal})` : "") };
}

describe("invalid inputs: the expected exit code and located message, never 70, never a connection", () => {
  it("has at least 120 cases, each with an exit code, a message, a location and a unique name", () => {
    expect(cases.length).toBeGreaterThanOrEqual(120);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    for (const c of cases) {
      expect(c.exit, c.name).toBeTypeOf("number");
      expect(c.message, c.name).toBeTruthy();
      expect(c.location, c.name).toBeTruthy();
    }
  });

  cases.forEach((c, i) => {
    it(`${c.file}: ${c.name}`, async () => {
      const { dir, sub } = setUp(c, i);
      const before = connections;
      const { code, out } = await run(c, dir, c.argv.map(sub));
      expect(code, out).not.toBe(70);
      expect(code, out).toBe(c.exit);
      for (const m of Array.isArray(c.message) ? c.message : [c.message]) expect(out).toContain(sub(m));
      expect(out).toContain(sub(c.location));
      for (const a of c.absent ?? []) expect(out).not.toContain(a);
      expect(out).not.toMatch(/internal error/);
      expect(connections - before, "opened a connection").toBe(0);
    });
  });
});
