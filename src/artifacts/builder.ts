// Pure: which inventory host builds an artifact for a target. "localhost" is the controller.
import { ArtifactError } from "./errors.js";

export const CONTROLLER = "localhost";

/**
 * "self" → the target; "controller"/"localhost" → the controller; otherwise an inventory host or a
 * group/pattern whose first host builds. `resolveHosts` evaluates ansible patterns (throws when nothing matches).
 */
export function resolveBuilder(builder: string, target: string, name: string, groups: Record<string, string[]>, resolveHosts?: (pattern: string) => string[]): string {
  if (builder === "self") return target;
  if (builder === "controller" || builder === "localhost") return CONTROLLER;
  let hosts: string[] = [];
  if (resolveHosts) {
    try {
      hosts = resolveHosts(builder);
    } catch (e) {
      throw new ArtifactError(`artifact ${name}: builder "${builder}" ${e instanceof Error ? e.message : String(e)}; name an inventory host, a group, "self" or "controller"`);
    }
  } else if (groups[builder]) hosts = groups[builder]!;
  else if (groups.all?.includes(builder)) hosts = [builder];
  const first = hosts[0];
  if (!first) throw new ArtifactError(`artifact ${name}: builder "${builder}" matches no inventory host; name an inventory host, a group, "self" or "controller"`);
  return first;
}
