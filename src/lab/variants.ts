// Node variants: how one lab node differs from the stock CentOS 7.6 / Rocky 9.1 node at `lab up`
// (written to /.lab/variant before lab-init; NODE-STATE.md lists what each one changes).
import { LabError } from "../errors.js";

const VARIANTS: Record<string, { values: RegExp; hint: string }> = {
  firmware: { values: /^(bios|uefi)$/, hint: "bios or uefi" },
  iface: { values: /^[a-z][a-z0-9]{1,14}$/, hint: "an interface name such as ens18" },
  kpatch: { values: /^rpm$/, hint: "rpm (the distro's kpatch package: EL7 0.6.1)" },
  kpatch_transition: { values: /^(\d{1,4}|never)$/, hint: "seconds or never" },
  runc: { values: /^(rc5|rc93)$/, hint: "rc5 or rc93 (EL7)" },
  pipe_workaround: { values: /^[01]$/, hint: "1" },
  gro_fixed: { values: /^[01]$/, hint: "1" },
  role: { values: /^(control-plane|worker)$/, hint: "control-plane or worker" },
};

/** Validates one `key=value` variant; returns it normalised. */
export function checkVariant(spec: string): string {
  const i = spec.indexOf("=");
  const key = i > 0 ? spec.slice(0, i) : spec;
  const v = VARIANTS[key];
  if (!v) throw new LabError(`lab: unknown node variant ${JSON.stringify(spec)}; known: ${Object.keys(VARIANTS).join(", ")}`);
  const value = i > 0 ? spec.slice(i + 1) : "";
  if (!v.values.test(value)) throw new LabError(`lab: variant ${key}=${JSON.stringify(value)}: expected ${v.hint}`);
  return `${key}=${value}`;
}
