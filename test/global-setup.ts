// Once per `vitest run`: on a fresh Debian/Ubuntu machine, as root, install the packages the lab and the
// tests need (src/lab/debian-packages.txt, the list .ci/run uses), so `npm test` needs no manual step.
// Never fatal: without root (or when apt-get is busy) the tests that need a package say so themselves.
import { parseRequirements, packageListFile, provisionLab } from "../src/lab/provision.js";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default async function setup(): Promise<() => void> {
  // run journals live in the state dir (default ~/.local/state/remedy): tests that pass process.env keep theirs here
  const stateDir = process.env.REMEDY_STATE_DIR ? undefined : mkdtempSync(join(tmpdir(), "remedy-test-state-"));
  if (stateDir) process.env.REMEDY_STATE_DIR = stateDir;
  const teardown = () => void (stateDir && rmSync(stateDir, { recursive: true, force: true }));
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return teardown;
  const file = packageListFile();
  try {
    await provisionLab({ requirements: parseRequirements(readFileSync(file, "utf8"), file), say: (l) => console.error(l) });
  } catch (e) {
    console.error(`test setup: ${(e as Error).message}`);
  }
  return teardown;
}
