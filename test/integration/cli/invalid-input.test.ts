// Issue 2 acceptance 3: every invalid playbook / inventory fixture → exit 4, file:line:col, and no connection.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:net";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cli } from "../../helpers/cli.js";

const FIX = resolve("test/fixtures");
let server: Server;
let connections = 0;
let inv: string;
let goodPb: string;

beforeAll(async () => {
  server = createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), "remedy-inv-"));
  inv = join(dir, "hosts.ini");
  writeFileSync(inv, `[all]\nn1 ansible_host=127.0.0.1 ansible_port=${port}\n`);
  goodPb = join(dir, "ok.yml");
  writeFileSync(goodPb, `name: ok\nhosts: all\nsteps:\n  - name: t\n    check: "true"\n`);
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const cases = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".expected.txt"))
    .map((f) => {
      const stem = f.replace(/\.expected\.txt$/, "");
      const input = readdirSync(dir).find((x) => x !== f && (x === stem || x.startsWith(`${stem}.`)))!;
      return { stem, input: join(dir, input), expected: readFileSync(join(dir, f), "utf8").trim().split("\n")[0]! };
    });

describe("invalid input: exit 4, located message, no connection", () => {
  const pbs = cases(join(FIX, "playbooks/invalid"));
  const invs = cases(join(FIX, "inventory/invalid"));
  it("has at least 10 kinds of each", () => {
    expect(pbs.length).toBeGreaterThanOrEqual(10);
    expect(invs.length).toBeGreaterThanOrEqual(10);
  });
  for (const c of pbs) {
    it(`playbook ${c.stem}`, async () => {
      const r = await cli(["check", c.input, "-i", inv]);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/:\d+:\d+: /);
      // the message after "file:line:col: ", up to any path-dependent parenthesis
      const msg = c.expected.replace(/^[^:]*:\d+:\d+: /, "").split(" (")[0]!;
      expect(r.stderr).toContain(msg);
      expect(connections).toBe(0);
    });
  }
  for (const c of invs) {
    it(`inventory ${c.stem}`, async () => {
      const r = await cli(["check", goodPb, "-i", c.input]);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/:\d+(:\d+)?: /);
      expect(connections).toBe(0);
    });
  }
  it("bad CLI flags are exit 4 too", async () => {
    expect((await cli(["check", goodPb, "-i", inv, "--forks", "0"])).code).toBe(4);
    expect((await cli(["check", goodPb, "-i", inv, "--bogus"])).code).toBe(4);
    expect((await cli(["check", goodPb])).code).toBe(4);
    expect((await cli(["check", goodPb, "-i", inv, "-e", "nokey"])).code).toBe(4);
    expect((await cli(["check", goodPb, "-i", inv, "-l", "nosuchgroup"])).code).toBe(4);
    expect(connections).toBe(0);
  });
});
