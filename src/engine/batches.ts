// Rolling remediation arithmetic (pure): serial → batches, failure budget, the default control-plane-first order.
// Semantics are ansible's (PlaybookExecutor._get_serialized_batches, pct_to_int, max_fail_percentage), except
// where ansible has a bug: a serial value <= 0 there replaces *all* batches computed so far with the rest of
// the hosts; here it only puts the rest of the hosts in one final batch.
import { InputError } from "../errors.js";

/** One serial value against the total host count: int as is; "30%" → floor(30% of total), at least 1. */
export function serialSize(value: number | string, total: number): number {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new InputError(`serial: ${value} is not a whole number of hosts`);
    return value;
  }
  const s = value.trim();
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(s);
  if (pct) return Math.floor((Number(pct[1]) / 100) * total) || 1;
  if (/^-?\d+$/.test(s)) return Number(s);
  throw new InputError(`serial: ${JSON.stringify(value)} is neither a number of hosts nor a percentage like "30%"`);
}

/**
 * Split hosts (in order) into batches. No serial (or an empty list) = one batch. A list is consumed in
 * order and its last value repeats until the hosts run out: [1, "30%"] over 10 hosts → 1, 3, 3, 3.
 * A value <= 0 puts all remaining hosts in one batch. Percentages are of all hosts, not of those left.
 */
export function computeBatches(hosts: string[], serial: Array<number | string> | undefined): string[][] {
  if (hosts.length === 0) return [];
  if (!serial || serial.length === 0) return [[...hosts]];
  const sizes = serial.map((v) => serialSize(v, hosts.length));
  const batches: string[][] = [];
  let rest = [...hosts];
  for (let i = 0; rest.length > 0; i++) {
    const size = sizes[Math.min(i, sizes.length - 1)] as number;
    const take = size <= 0 ? rest.length : size;
    batches.push(rest.slice(0, take));
    rest = rest.slice(take);
  }
  return batches;
}

/**
 * Should no further batch start? The caller counts unreachable hosts as failed.
 * - any_errors_fatal: any failure.
 * - max_fail_percentage: failed/size*100 strictly greater than it (equal is still within budget; 0 = any failure).
 * - neither: only a batch where every host failed (ansible stops the play then).
 */
export function budgetBlown(batchSize: number, failedInBatch: number, maxFailPercentage?: number, anyErrorsFatal?: boolean): boolean {
  if (batchSize <= 0 || failedInBatch <= 0) return false;
  if (anyErrorsFatal) return true;
  if (maxFailPercentage !== undefined) return (failedInBatch / batchSize) * 100 > maxFailPercentage;
  return failedInBatch >= batchSize;
}

/** Groups whose members must never be disrupted together (kubespray names, old and new). */
export const CONTROL_PLANE_GROUPS = ["kube_control_plane", "kube-master", "kube_master", "etcd"] as const;

/**
 * The default rolling order when a playbook with disruptive actions (reboot, drain) sets no serial:
 * control-plane and etcd members go first, one at a time (losing two etcd members at once loses quorum
 * on a 3-member cluster), then all other hosts in one batch. Without such members: undefined serial
 * (one batch). Returns the hosts reordered (stable within each part) and the serial to pass to
 * computeBatches. The engine calls this only in apply mode for playbooks with disruptive actions.
 */
export function defaultSerialFor(hosts: string[], groups: Record<string, readonly string[]>): { hosts: string[]; serial: number[] | undefined } {
  const cp = new Set<string>();
  for (const g of CONTROL_PLANE_GROUPS) for (const h of groups[g] ?? []) cp.add(h);
  const first = hosts.filter((h) => cp.has(h));
  if (first.length === 0) return { hosts: [...hosts], serial: undefined };
  const others = hosts.filter((h) => !cp.has(h));
  return { hosts: [...first, ...others], serial: [...first.map(() => 1), ...(others.length ? [others.length] : [])] };
}
