// Everything about one run that can be refused before connecting, once the playbook, inventory, -e and
// target hosts are known: undefined variables, typed inputs, template values, connection vars, references.
import type { InputProblem } from "../errors.js";
import { connectionVarProblems, hostVarOrigin, hostVars, groupsView } from "../inventory/index.js";
import type { Inventory } from "../model/inventory.js";
import type { Playbook } from "../model/playbook.js";
import { validatePlaybookFile } from "../playbook/index.js";
import { runValueProblems, type Origin } from "../playbook/run-check.js";

export interface PreflightInput {
  playbook: Playbook;
  inventory: Inventory;
  hosts: string[];
  extraVars: Record<string, unknown>;
}

export async function preflightProblems(l: PreflightInput): Promise<InputProblem[]> {
  const conn = connectionVarProblems(l.inventory, l.hosts);
  const inv = new Map(l.hosts.map((h) => [h, hostVars(l.inventory, h)]));
  // with the inventory known, a name nobody defines is an error now, not on the node later
  const knownVars = [...new Set([...inv.values()].flatMap((v) => Object.keys(v)))];
  const undefinedNames = await validatePlaybookFile(l.playbook.file, { extraVars: l.extraVars, knownVars });
  const originOf = (h: string, name: string): Origin => {
    if (Object.hasOwn(l.extraVars, name)) return { file: "-e" };
    if (Object.hasOwn(inv.get(h) ?? {}, name)) return hostVarOrigin(l.inventory, h, name) ?? { file: l.inventory.source };
    const at = l.playbook.varsAt?.[name];
    return at ? { file: l.playbook.file, ...at } : { file: l.playbook.file };
  };
  const values = runValueProblems({
    playbook: l.playbook,
    hosts: l.hosts,
    varsFor: (h) => ({ ...l.playbook.vars, ...inv.get(h), ...l.extraVars }),
    originOf,
    inventoryHosts: [...l.inventory.hosts.keys()],
    groups: groupsView(l.inventory),
  });
  return [...conn, ...undefinedNames, ...values];
}
