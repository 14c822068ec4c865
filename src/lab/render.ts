// Pure renderers for the files a lab writes: sshd_config, inventory.ini, known_hosts.
import type { NodePlan } from "./addresses.js";

export interface SshdConfigInput {
  listen: string; // ip:port
  root: string;
  hostKey: string;
  authorizedKeys: string;
  pidFile: string;
}

export function renderSshdConfig(c: SshdConfigInput): string {
  return [
    `# remedy lab node; generated, do not edit`,
    `ListenAddress ${c.listen}`,
    `ChrootDirectory ${c.root}`,
    `HostKey ${c.hostKey}`,
    `AuthorizedKeysFile ${c.authorizedKeys}`,
    `PermitRootLogin prohibit-password`,
    `PubkeyAuthentication yes`,
    `PasswordAuthentication no`,
    `KbdInteractiveAuthentication no`,
    `UsePAM no`,
    `StrictModes no`,
    `MaxStartups 500:30:1000`,
    `MaxSessions 10`,
    `UseDNS no`,
    `LogLevel INFO`, // "Accepted publickey" lines: reboot=die-after counts from the first login of a boot
    `PidFile ${c.pidFile}`,
    `PrintMotd no`,
    `PrintLastLog no`,
    `X11Forwarding no`,
    `AllowTcpForwarding no`,
    `AllowAgentForwarding no`,
    `PermitTunnel no`,
    `Subsystem sftp internal-sftp`,
    ``,
  ].join("\n");
}

export interface InventoryOptions {
  clientKey: string;
  knownHosts: string;
}

/** Kubespray-style inventory: first node of each OS is control plane + etcd; all are kube_node. */
export function renderInventory(nodes: readonly NodePlan[], o: InventoryOptions): string {
  const firstOf = (os: string) => nodes.find((n) => n.os === os);
  const control = [firstOf("el7"), firstOf("el9")].filter((n): n is NodePlan => n !== undefined);
  const host = (n: NodePlan) =>
    `${n.name} ansible_host=${n.ip} ansible_port=${n.port} ansible_user=root ansible_ssh_private_key_file=${o.clientKey} remedy_known_hosts=${o.knownHosts}`;
  const group = (name: string, members: readonly NodePlan[]) => [`[${name}]`, ...members.map((n) => n.name), ""];
  return [
    "# remedy lab inventory (kubespray groups); generated",
    "[all]",
    ...nodes.map(host),
    "",
    ...group("kube_control_plane", control),
    ...group("etcd", control),
    ...group("kube_node", nodes),
    "[k8s_cluster:children]",
    "kube_control_plane",
    "kube_node",
    "",
    ...group("el7", nodes.filter((n) => n.os === "el7")),
    ...group("el9", nodes.filter((n) => n.os === "el9")),
  ].join("\n");
}

/** One known_hosts line per node; `publicKey` is the content of a .pub file ("ssh-ed25519 AAAA... comment"). */
export function knownHostsLine(ip: string, port: number, publicKey: string): string {
  const [type, data] = publicKey.trim().split(/\s+/);
  const host = port === 22 ? ip : `[${ip}]:${port}`;
  return `${host} ${type} ${data}`;
}
