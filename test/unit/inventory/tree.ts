// Builds a temporary directory tree from an object literal ({ "group_vars/all.yml": "..." }).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { onTestFinished } from "vitest";

export function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "remedy-inv-"));
  for (const [rel, text] of Object.entries(files)) {
    const full = join(root, rel);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  return root;
}
