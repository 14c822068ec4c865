// The README's playbook example must stay a valid playbook.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validatePlaybookFile } from "../../src/playbook/index.js";
import { EXIT_CODE_MEANING } from "../../src/cli/exit-codes.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

describe("README", () => {
  it("its playbook example validates", async () => {
    const block = /## Playbooks[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeTruthy();
    const file = join(mkdtempSync(join(tmpdir(), "remedy-readme-")), "example.yml");
    writeFileSync(file, block!);
    expect(await validatePlaybookFile(file)).toEqual([]);
  });
  it("documents every exit code of the one table", () => {
    for (const code of Object.keys(EXIT_CODE_MEANING)) expect(readme).toMatch(new RegExp(`^\\| ${code} \\|`, "m"));
  });
});
