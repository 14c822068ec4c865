// Packaging: `npm pack` ships what the installed `remedy` command needs; --version is package.json's;
// `remedy completion bash|zsh` completes commands and flags.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../../helpers/cli.js";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string; bin: Record<string, string>; files: string[] };

describe("package", () => {
  it("npm pack holds the bin, the compiled code, schemas, the lab's package list and the shipped playbooks", () => {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const files = new Set((JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path));
    expect(pkg.bin.remedy).toBe("dist/cli/main.js");
    for (const f of ["dist/cli/main.js", "dist/lab/supervisor.js", "dist/lab/debian-packages.txt", "dist/lab/tools/ethtool", "schemas/playbook.schema.json", "schemas/plan.schema.json", "schemas/events.schema.json", "playbooks/ethtool-offload.yml", "package.json", "README.md"]) {
      expect(files.has(f), `${f} in the package (run npm run build first)`).toBe(true);
    }
    expect([...files].some((f) => f.startsWith("test/") || f.startsWith("src/") || f.startsWith("node_modules/"))).toBe(false);
    // a node shebang, with the young-generation cap the memory target needs (issue 16); env -S splits it
    expect(readFileSync("dist/cli/main.js", "utf8").split("\n", 1)[0]).toBe("#!/usr/bin/env -S node --max-semi-space-size=4");
  });

  it("--version is package.json's version", async () => {
    const r = await cli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});

describe("remedy completion", () => {
  const complete = (script: string, words: string[]) =>
    execFileSync("bash", ["-c", `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _remedy; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean);

  it("bash: commands, subcommands and each command's flags", async () => {
    const r = await cli(["completion", "bash"]);
    expect(r.code).toBe(0);
    const file = join(mkdtempSync(join(tmpdir(), "remedy-compl-")), "remedy.bash");
    writeFileSync(file, r.stdout);
    expect(complete(file, ["remedy", "ch"])).toEqual(["check"]);
    expect(complete(file, ["remedy", "co"]).sort()).toEqual(["completion", "config"]);
    expect(complete(file, ["remedy", "lab", "d"])).toEqual(["down"]);
    expect(complete(file, ["remedy", "check", "pb.yml", "--skip"])).toEqual(["--skip-tags"]);
    expect(complete(file, ["remedy", "apply", "pb.yml", "--vault-p"])).toEqual(["--vault-password-file"]);
    expect(complete(file, ["remedy", "plan", "-"])).toContain("--out");
  });

  it("zsh: the same function through bashcompinit; an unknown shell is exit 4", async () => {
    const z = await cli(["completion", "zsh"]);
    expect(z.stdout).toMatch(/^#compdef remedy\n/);
    expect(z.stdout).toContain("autoload -U +X bashcompinit && bashcompinit");
    expect(z.stdout).toContain("complete -o filenames -F _remedy remedy");
    const bad = await cli(["completion", "fish"]);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toContain('completion "fish": expected bash or zsh');
  });
});
