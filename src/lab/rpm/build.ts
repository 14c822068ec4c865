// Builds the lab's .rpm files with rpmbuild, serves them as createrepo_c repositories and makes the template rpm
// database of a fresh node, cached by content: the same specs are built once per machine (<cacheDir>/<sha>/).
// Needs Debian's rpm (rpmbuild) + createrepo-c. Nothing here touches this machine's own rpm database: every rpm call
// names its own --root/--dbpath under the cache.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import { installedSet, labSpecs, nevra, type LabOs, type PackageSpec } from "./specs.js";

/** Per-machine cache of what every lab base shares (REMEDY_LAB_CACHE overrides /var/cache/remedy-lab). */
export const LAB_CACHE = process.env["REMEDY_LAB_CACHE"] ?? "/var/cache/remedy-lab";
/** Built packages, repositories and template databases (REMEDY_LAB_RPM_CACHE overrides <LAB_CACHE>/rpms). */
export const RPM_CACHE = process.env["REMEDY_LAB_RPM_CACHE"] ?? join(LAB_CACHE, "rpms");

const RPMBUILD_DEFS = ["--define", "_build_id_links none", "--define", "__os_install_post %{nil}", "--define", "_source_payload w2.gzdio", "--define", "_binary_payload w2.gzdio"];

function rpmbuild(top: string, specs: readonly PackageSpec[]): void {
  for (const d of ["SPECS", "BUILD", "RPMS", "SOURCES", "BUILDROOT"]) mkdirSync(join(top, d), { recursive: true });
  const files = specs.map((s) => {
    const file = join(top, "SPECS", `${s.id}.spec`);
    writeFileSync(file, s.text);
    return file;
  });
  // one rpmbuild for many specs (a process per spec costs more than the builds)
  for (let i = 0; i < files.length; i += 60) {
    execFileSync("rpmbuild", ["-bb", "--quiet", "--define", `_topdir ${top}`, ...RPMBUILD_DEFS, ...files.slice(i, i + 60)], { stdio: "pipe" });
  }
}

function builtRpms(top: string): string[] {
  const out: string[] = [];
  for (const arch of readdirSync(join(top, "RPMS"))) for (const f of readdirSync(join(top, "RPMS", arch))) out.push(join(top, "RPMS", arch, f));
  return out;
}

/** Returns the repository directory (with repodata/) holding one .rpm per spec. */
export function buildRepo(cacheDir: string, specs: readonly PackageSpec[]): string {
  const key = createHash("sha256").update(specs.map((s) => `${s.id}\n${s.text}`).join("\0")).digest("hex").slice(0, 16);
  const done = join(cacheDir, key, "repo");
  if (existsSync(join(done, "repodata", "repomd.xml"))) return done;
  const top = join(cacheDir, `${key}.tmp-${process.pid}`);
  rmSync(top, { recursive: true, force: true });
  rpmbuild(top, specs);
  mkdirSync(join(top, "repo"));
  for (const f of builtRpms(top)) copyFileSync(f, join(top, "repo", f.split("/").pop()!));
  execFileSync("createrepo_c", ["-q", join(top, "repo")], { stdio: "pipe" });
  mkdirSync(join(cacheDir, key), { recursive: true });
  rmSync(done, { recursive: true, force: true });
  renameSync(join(top, "repo"), done);
  rmSync(top, { recursive: true, force: true });
  return done;
}

/** Repo ids the node's .repo files name (data/*.repo.<os>): each gets a repository, empty if nothing is in it. */
export function repoIds(toolsDir: string, os: LabOs): string[] {
  const ids = new Set<string>();
  for (const f of readdirSync(join(toolsDir, "data"))) {
    if (!f.endsWith(`.repo.${os}`)) continue;
    for (const m of readFileSync(join(toolsDir, "data", f), "utf8").matchAll(/^\[([^\]]+)\]/gm)) ids.add(m[1]!);
  }
  return [...ids];
}

export interface OsPackages {
  /** <dir>/repos/<id>/ (createrepo_c), <dir>/rpms/*.rpm (all), <dir>/rpmdb/ (template db of a fresh node) */
  dir: string;
}

/**
 * Everything an OS's nodes need: the packages built, one repository per repo id, and the template rpmdb of a
 * fresh node (installed set + the default variant packages, `rpm -i --justdb --noscripts`: lab-init writes their
 * files itself, as it always did). Cached under cacheDir by the content of the specs and the installed set.
 */
export function buildOsPackages(cacheDir: string, toolsDir: string, os: LabOs): OsPackages {
  const all = labSpecs(toolsDir, os, labGpgKey(cacheDir));
  const installed = [...installedSet(toolsDir, os), ...defaultVariantSet(toolsDir, os)];
  const ids = repoIds(toolsDir, os);
  const key = createHash("sha256")
    .update(JSON.stringify([os, all.map((s) => [s.pkg.repo, s.spec.text]), installed, ids, RPMBUILD_DEFS]))
    .digest("hex")
    .slice(0, 16);
  const dir = join(cacheDir, `${os}-${key}`);
  if (existsSync(join(dir, ".done"))) return { dir };
  const top = join(cacheDir, `${os}-${key}.tmp-${process.pid}`);
  rmSync(top, { recursive: true, force: true });
  rpmbuild(top, all.map((s) => s.spec));
  const rpms = join(top, "out", "rpms");
  mkdirSync(rpms, { recursive: true });
  for (const f of builtRpms(top)) renameSync(f, join(rpms, f.split("/").pop()!));
  const file = (n: string) => join(rpms, `${n}.rpm`);
  for (const id of new Set([...ids, ...all.map((s) => s.pkg.repo)])) {
    const r = join(top, "out", "repos", id);
    mkdirSync(r, { recursive: true });
    for (const s of all) if (s.pkg.repo === id) linkSync(file(nevra(s.pkg)), join(r, `${nevra(s.pkg)}.rpm`));
    execFileSync("createrepo_c", ["-q", "--no-database", r], { stdio: "pipe" });
  }
  // the template rpmdb: a throwaway root so rpm never opens this machine's own database
  const root = join(top, "dbroot");
  mkdirSync(root, { recursive: true });
  const missing = installed.filter((n) => !existsSync(file(n)));
  if (missing.length > 0) throw new Error(`lab rpm: no package built for ${missing.join(", ")}`);
  execFileSync(
    "rpm",
    ["--root", root, "--dbpath", "/var/lib/rpm", "--define", "_db_backend sqlite", "-i", "--justdb", "--nodeps", "--noscripts", "--notriggers", "--nosignature", "--nodigest", "--ignorearch", "--ignoreos", ...installed.map(file)],
    { stdio: "pipe" },
  );
  for (const f of [".rpm.lock", "rpmdb.sqlite-shm", "rpmdb.sqlite-wal"]) rmSync(join(root, "var/lib/rpm", f), { force: true });
  renameSync(join(root, "var/lib/rpm"), join(top, "out", "rpmdb"));
  writeFileSync(join(top, "out", ".done"), new Date().toISOString() + "\n");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  renameSync(join(top, "out"), dir);
  rmSync(top, { recursive: true, force: true });
  return { dir };
}

/**
 * The public key rpm --import gets for ELRepo's key URL (RPM-GPG-KEY-elrepo.org): a lab key made once per machine in a
 * throwaway GNUPGHOME (never this machine's keyring; its agent is stopped, the secret key thrown away). Armored text.
 */
export function labGpgKey(cacheDir: string): string {
  const file = join(cacheDir, "RPM-GPG-KEY-lab.asc");
  if (existsSync(file)) return readFileSync(file, "utf8");
  mkdirSync(cacheDir, { recursive: true });
  const home = join(cacheDir, `gnupg.tmp-${process.pid}`);
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { mode: 0o700 });
  const env = { ...process.env, GNUPGHOME: home };
  try {
    execFileSync("gpg", ["--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", "ELRepo.org (lab key: RPM Signing Key for elrepo.org) <secure@elrepo.org>", "rsa2048", "sign", "never"], { env, stdio: "pipe" });
    const key = execFileSync("gpg", ["--batch", "--armor", "--export"], { env, encoding: "utf8" });
    writeFileSync(`${file}.tmp-${process.pid}`, key);
    renameSync(`${file}.tmp-${process.pid}`, file);
    return key;
  } finally {
    try {
      execFileSync("gpgconf", ["--kill", "gpg-agent"], { env, stdio: "ignore" });
    } catch {
      // no agent was started
    }
    rmSync(home, { recursive: true, force: true });
  }
}

/** Packages of the first variant listed for an OS in data/variant-packages (the default, e.g. EL7 runc=rc5). */
export function defaultVariantSet(toolsDir: string, os: LabOs): string[] {
  const f = join(toolsDir, "data", "variant-packages");
  if (!existsSync(f)) return [];
  const rows = readFileSync(f, "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#")).map((l) => l.split(/\s+/));
  const first = rows.find((r) => r[0] === os)?.[1];
  return rows.filter((r) => r[0] === os && r[1] === first).map(([, , n, v, r, a]) => `${n}-${v}-${r}.${a}`);
}
