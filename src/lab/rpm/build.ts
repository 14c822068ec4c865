// Builds the lab's .rpm files with rpmbuild and serves them as a createrepo_c repository, cached by content:
// the same specs are built once per machine (cacheDir/<sha>/repo). Needs Debian's rpm + createrepo-c.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import type { PackageSpec } from "./specs.js";

/** Returns the repository directory (with repodata/) holding one .rpm per spec. */
export function buildRepo(cacheDir: string, specs: readonly PackageSpec[]): string {
  const key = createHash("sha256").update(specs.map((s) => `${s.id}\n${s.text}`).join("\0")).digest("hex").slice(0, 16);
  const done = join(cacheDir, key, "repo");
  if (existsSync(join(done, "repodata", "repomd.xml"))) return done;
  const top = join(cacheDir, `${key}.tmp-${process.pid}`);
  rmSync(top, { recursive: true, force: true });
  for (const d of ["SPECS", "BUILD", "RPMS", "SOURCES", "BUILDROOT", "repo"]) mkdirSync(join(top, d), { recursive: true });
  for (const s of specs) {
    const file = join(top, "SPECS", `${s.id}.spec`);
    writeFileSync(file, s.text);
    execFileSync("rpmbuild", ["-bb", "--quiet", "--define", `_topdir ${top}`, "--define", "_build_id_links none", "--define", "__os_install_post %{nil}", file], { stdio: "pipe" });
  }
  for (const arch of readdirSync(join(top, "RPMS"))) {
    for (const f of readdirSync(join(top, "RPMS", arch))) copyFileSync(join(top, "RPMS", arch, f), join(top, "repo", f));
  }
  execFileSync("createrepo_c", ["-q", join(top, "repo")], { stdio: "pipe" });
  mkdirSync(join(cacheDir, key), { recursive: true });
  rmSync(done, { recursive: true, force: true });
  renameSync(join(top, "repo"), done);
  rmSync(top, { recursive: true, force: true });
  return done;
}
