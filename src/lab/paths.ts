// Where everything of a lab lives on this machine (see NODE-STATE.md for the layout).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const DEFAULT_LAB_DIR = "/var/lib/remedy-lab";
/** Port every node's sshd listens on (each node has its own loopback address). */
export const DEFAULT_SSH_PORT = 2222;

export const labPaths = (labDir: string) => ({
  base: join(labDir, "base"),
  nodes: join(labDir, "nodes"),
  labJson: join(labDir, "lab.json"),
  inventory: join(labDir, "inventory.ini"),
  knownHosts: join(labDir, "known_hosts"),
  clientKey: join(labDir, "client_key"),
  authorizedKeys: join(labDir, "authorized_keys"),
  supervisorLog: join(labDir, "supervisor.log"),
  supervisorPid: join(labDir, "supervisor.pid"),
  /** Written by the supervisor after every change it applied (see SupervisorState). */
  state: join(labDir, "state.json"),
});

export const nodePaths = (labDir: string, name: string) => {
  const dir = join(labDir, "nodes", name);
  const root = join(dir, "root");
  return {
    dir,
    root,
    sshdConfig: join(dir, "sshd_config"),
    hostKey: join(dir, "ssh_host_ed25519_key"),
    sshdPid: join(dir, "sshd.pid"),
    sshdLog: join(dir, "sshd.log"),
    bootLog: join(dir, "boot.log"),
    /** Mount point of the small full tmpfs used by the disk=full fault (outside the chroot). */
    diskFull: join(dir, "diskfull"),
    control: join(root, ".lab"),
    faults: join(root, ".lab", "faults"),
    rebootRequest: join(root, ".lab", "reboot-request"),
  };
};

/** The directory of the compiled lab code (dist/lab or src/lab under a TS runner). */
export const labCodeDir = (): string => dirname(fileURLToPath(import.meta.url));
/** Node tools shipped next to the code (scripts/copy-assets.mjs copies src/lab/tools to dist/lab/tools). */
export const defaultToolsDir = (): string => join(labCodeDir(), "tools");
