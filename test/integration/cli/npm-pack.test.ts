// The package as a user installs it: `npm pack` of the built checkout, `npm install -g <tarball>` into a temporary
// prefix (never the machine's global prefix), then the installed `remedy` command: --version is package.json's,
// completion scripts, and a playbook shipped in the package validates. Needs `npm run build` first (as every
// integration test does); npm's own cache is used offline-first for the dependencies.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const REPO = fileURLToPath(new URL("../../..", import.meta.url));
const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { name: string; version: string };
const tmp = mkdtempSync(join(tmpdir(), "remedy-pack-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// --prefix on the command line wins over any configured prefix: nothing is written outside tmp (but npm's cache)
const env = { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" };

describe("npm pack → npm install -g → remedy", () => {
  it("installs a working remedy command", { timeout: 240_000 }, async () => {
    const packed = await run("npm", ["pack", "--json", "--pack-destination", tmp], { cwd: REPO, env, maxBuffer: 64 << 20 });
    const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = info!.files.map((f) => f.path);
    expect(files).toContain("dist/cli/main.js");
    expect(files).toContain("playbooks/ethtool-offload.yml");
    expect(files).toContain("schemas/playbook.schema.json");
    expect(files.filter((f) => f.startsWith("test/") || f.startsWith("src/") || f.endsWith(".tsbuildinfo"))).toEqual([]);

    const prefix = join(tmp, "prefix");
    await run("npm", ["install", "-g", join(tmp, info!.filename), "--prefix", prefix, "--prefer-offline"], { cwd: tmp, env, maxBuffer: 64 << 20 });
    const bin = join(prefix, "bin", "remedy");
    const cwd = mkdtempSync(join(tmp, "cwd-")); // not the checkout: nothing may resolve from it
    const version = await run(bin, ["--version"], { cwd, env });
    expect(version.stdout.trim()).toBe(pkg.version);
    // read from the installed package.json, not a copy compiled in
    const installedPkg = join(prefix, "lib", "node_modules", pkg.name, "package.json");
    writeFileSync(installedPkg, readFileSync(installedPkg, "utf8").replace(`"version": "${pkg.version}"`, `"version": "9.9.9-packtest"`));
    expect((await run(bin, ["-V"], { cwd, env })).stdout.trim()).toBe("9.9.9-packtest");

    const bash = await run(bin, ["completion", "bash"], { cwd, env });
    expect(bash.stdout).toMatch(/^complete .*remedy$/m);
    expect(bash.stdout).toContain("check plan apply");
    const zsh = await run(bin, ["completion", "zsh"], { cwd, env });
    expect(zsh.stdout).toMatch(/^#compdef remedy/);

    const shipped = join(prefix, "lib", "node_modules", pkg.name, "playbooks", "ethtool-offload.yml");
    const valid = await run(bin, ["validate", shipped], { cwd, env });
    expect(valid.stdout).toContain("ethtool-offload.yml");
  });
});
