// ansible-playbook: install (Debian ansible-core) if missing, and the three configurations the
// benchmark compares. All use the lab's inventory, client key and known_hosts with host key checking on.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BENCH_DIR = new URL("..", import.meta.url).pathname;

export function ansibleVersion() {
  const r = spawnSync("ansible-playbook", ["--version"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.split("\n")[0].trim() : undefined;
}

/** Installs ansible-core with apt-get when ansible-playbook is absent; returns its version line. */
export function ensureAnsible(log) {
  const have = ansibleVersion();
  if (have) return have;
  if (process.getuid?.() !== 0) throw new Error("bench: ansible-playbook is missing and installing it needs root: apt-get install -y ansible-core");
  log("ansible-playbook not found: apt-get update && apt-get install -y ansible-core");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update"], ["install", "-y", "ansible-core"]]) {
    const r = spawnSync("apt-get", args, { stdio: "inherit", env });
    if (r.status !== 0) throw new Error(`bench: apt-get ${args.join(" ")} failed (exit ${r.status}); install ansible-core by hand or run with --tools remedy`);
  }
  const v = ansibleVersion();
  if (!v) throw new Error("bench: ansible-playbook still not found after installing ansible-core");
  return v;
}

/**
 * The configurations. `needsPython`: the module runs python on the target.
 * defaults: what a user gets without tuning (forks 5; ansible's own default ssh_args already carry
 * ControlPersist=60s). tuned: forks = N (max 100), pipelining, ControlPersist. raw: the raw module
 * (no python on the target, no module transfer), tuned the same way.
 */
export function ansibleConfigs(hosts) {
  const forks = Math.min(Math.max(hosts, 1), 100);
  const persist = { ANSIBLE_SSH_ARGS: "-C -o ControlMaster=auto -o ControlPersist=300s" };
  return [
    { id: "ansible-defaults", playbook: "probes-command.yml", needsPython: true, env: { ANSIBLE_FORKS: "5" } },
    { id: "ansible-tuned", playbook: "probes-command.yml", needsPython: true, env: { ANSIBLE_FORKS: String(forks), ANSIBLE_PIPELINING: "True", ...persist } },
    { id: "ansible-raw", playbook: "probes-raw.yml", needsPython: false, env: { ANSIBLE_FORKS: String(forks), ...persist } },
  ];
}

/** Command, args and env of one ansible-playbook run; `tag` names a private ControlPath dir (found again to stop its masters). */
export function ansibleInvocation(config, lab) {
  const work = mkdtempSync(join(tmpdir(), "remedy-bench-ans-"));
  const cpDir = join(work, "cp");
  const env = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: process.env.HOME ?? "/root",
    LANG: "C.UTF-8",
    // bench/ansible/callback_plugins/bench_json.py: Debian's ansible-core has no json callback (ansible.posix does)
    ANSIBLE_STDOUT_CALLBACK: "bench_json",
    ANSIBLE_CALLBACK_PLUGINS: join(BENCH_DIR, "ansible", "callback_plugins"),
    ANSIBLE_LOAD_CALLBACK_PLUGINS: "True",
    ANSIBLE_HOST_KEY_CHECKING: "True",
    ANSIBLE_SSH_CONTROL_PATH_DIR: cpDir,
    ANSIBLE_LOCAL_TEMP: join(work, "tmp"),
    ANSIBLE_RETRY_FILES_ENABLED: "False",
    // the lab (started with python: true) has Debian python3 at /usr/bin/python3; no interpreter discovery round trips
    ANSIBLE_PYTHON_INTERPRETER: "/usr/bin/python3",
    ANSIBLE_CONFIG: join(work, "none.cfg"), // no ansible.cfg from cwd or ~ changes what we measure
    ...config.env,
  };
  const args = [
    "-i", lab.inventoryPath,
    "-e", `ansible_ssh_common_args='-o UserKnownHostsFile=${lab.knownHostsPath} -o StrictHostKeyChecking=yes'`,
    join(BENCH_DIR, "ansible", config.playbook),
  ];
  return { cmd: "ansible-playbook", args, env, cwd: work, tag: cpDir };
}
