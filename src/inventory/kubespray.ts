// Kubespray's dynamic_groups role (run by every kubespray playbook) maps old group names and derives
// k8s_cluster with group_by; recent kubespray inventories rely on it and no longer define k8s_cluster.
// We do the same at load time, so `-l k8s_cluster`, `groups.k8s_cluster` and group_vars/k8s_cluster work.
import type { InventoryBuilder } from "./builder.js";
import { withAncestors } from "./vars.js";

/** target group <- hosts in any of these groups (in this order: later entries see earlier results). */
export const KUBESPRAY_GROUPS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["kube_control_plane", ["kube-master"]],
  ["kube_node", ["kube-node"]],
  ["calico_rr", ["calico-rr"]],
  ["no_floating", ["no-floating"]],
  ["k8s_cluster", ["kube_node", "kube_control_plane", "calico_rr"]],
];

/** Like group_by: matching hosts are added directly to the target group, created under `all` if needed. */
export function deriveKubesprayGroups(b: InventoryBuilder): void {
  for (const [target, sources] of KUBESPRAY_GROUPS) {
    if (!sources.some((s) => b.groups.has(s))) continue;
    for (const h of b.hosts.values()) {
      const groups = withAncestors(b.groups.values(), h.groups);
      if (!groups.has(target) && sources.some((s) => groups.has(s))) b.addHost(h.name, target, {}, h.loc);
    }
  }
}
