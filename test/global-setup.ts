// Once per `vitest run`: on a fresh Debian/Ubuntu machine, as root, install the packages the lab and the
// tests need (src/lab/debian-packages.txt, the list .ci/run uses), so `npm test` needs no manual step.
// Never fatal: without root (or when apt-get is busy) the tests that need a package say so themselves.
import { parseRequirements, packageListFile, provisionLab } from "../src/lab/provision.js";
import { readFileSync } from "node:fs";

export default async function setup(): Promise<void> {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return;
  const file = packageListFile();
  try {
    await provisionLab({ requirements: parseRequirements(readFileSync(file, "utf8"), file), say: (l) => console.error(l) });
  } catch (e) {
    console.error(`test setup: ${(e as Error).message}`);
  }
}
