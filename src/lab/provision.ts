// What the lab needs on this machine, and installing what is missing (Debian/Ubuntu, as root).
// The package list is src/lab/debian-packages.txt, shared with .ci/run.
import { spawn } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import { LabError } from "../errors.js";
import { labCodeDir } from "./paths.js";

export interface Requirement {
  pkg: string;
  /** absolute path, or a command name looked up on PATH */
  probe: string;
  for: "lab" | "test";
  why: string;
}

export const NEED_ROOT = "the lab needs root (chroot, bind mounts, sshd); run as root or in a container";

/** Where the package list lives: next to the compiled code (dist/lab), else in src/lab. */
export function packageListFile(): string {
  const here = join(labCodeDir(), "debian-packages.txt");
  if (existsSync(here)) return here;
  return join(labCodeDir(), "..", "..", "src", "lab", "debian-packages.txt");
}

export function parseRequirements(text: string, file = "debian-packages.txt"): Requirement[] {
  const out: Requirement[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const m = /^(\S+)\s+(\S+)\s+(lab|test)\s+(.+)$/.exec(line);
    if (!m) throw new LabError(`${file}:${i + 1}: expected "<package> <probe> lab|test <why>"`);
    out.push({ pkg: m[1]!, probe: m[2]!, for: m[3] as "lab" | "test", why: m[4]! });
  });
  return out;
}

export function labRequirements(file = packageListFile()): Requirement[] {
  return parseRequirements(readFileSync(file, "utf8"), file).filter((r) => r.for === "lab");
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** True when the probe exists: an absolute path that is executable, or a command on PATH. */
export function probePresent(probe: string, path = process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin"): boolean {
  if (isAbsolute(probe)) return executable(probe);
  return path.split(delimiter).some((d) => d && executable(join(d, probe)));
}

export interface Installer {
  /** shown to the user: the command that installs */
  describe(pkgs: string[]): string;
  install(pkgs: string[]): Promise<void>;
}

/** apt-get update && apt-get install -y --no-install-recommends <pkgs>, output to stderr. */
export const aptInstaller: Installer = {
  describe: (pkgs) => `apt-get install -y --no-install-recommends ${pkgs.join(" ")}`,
  async install(pkgs) {
    if (!probePresent("apt-get")) throw new LabError(`lab: missing packages ${pkgs.join(", ")} and no apt-get on this machine; install them with its package manager`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    await runToStderr("apt-get", ["update"], env);
    await runToStderr("apt-get", ["install", "-y", "--no-install-recommends", ...pkgs], env);
  },
};

function runToStderr(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", process.stderr, process.stderr] });
    child.on("error", (e) => reject(new LabError(`lab: ${cmd} ${args.join(" ")}: ${e.message}`)));
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new LabError(`lab: ${cmd} ${args.join(" ")} exited ${code}; install the packages by hand`))));
  });
}

export interface ProvisionOptions {
  isRoot?: () => boolean;
  /** sshd binary the lab runs (default /usr/sbin/sshd): replaces openssh-server's probe */
  sshdPath?: string;
  installer?: Installer;
  requirements?: Requirement[];
  /** progress lines (default: stderr) */
  say?: (line: string) => void;
  /** PATH the command probes look in */
  path?: string;
}

const isRootProcess = () => typeof process.getuid === "function" && process.getuid() === 0;

function probeOf(r: Requirement, sshdPath: string | undefined): string {
  return r.pkg === "openssh-server" && sshdPath ? sshdPath : r.probe;
}

/**
 * Root or refuse; then install the missing lab packages and check again.
 * Throws a LabError naming exactly what is still missing.
 */
export async function provisionLab(o: ProvisionOptions = {}): Promise<{ installed: string[] }> {
  if (!(o.isRoot ?? isRootProcess)()) throw new LabError(NEED_ROOT);
  const reqs = o.requirements ?? labRequirements();
  const say = o.say ?? ((l: string) => void process.stderr.write(l + "\n"));
  const missing = () => reqs.filter((r) => !probePresent(probeOf(r, o.sshdPath), o.path));
  const before = missing();
  if (before.length === 0) return { installed: [] };
  const installer = o.installer ?? aptInstaller;
  const pkgs = [...new Set(before.map((r) => r.pkg))];
  say(`lab: this machine lacks what the lab needs; installing: ${installer.describe(pkgs)}`);
  for (const r of before) say(`  ${r.pkg}: ${probeOf(r, o.sshdPath)} not found (${r.why})`);
  await installer.install(pkgs);
  const after = missing();
  if (after.length) {
    throw new LabError(
      `lab: still missing after installing ${pkgs.join(" ")}: ${after.map((r) => `${probeOf(r, o.sshdPath)} (package ${r.pkg})`).join(", ")}`,
    );
  }
  return { installed: pkgs };
}
