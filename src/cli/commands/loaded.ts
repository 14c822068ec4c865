// What check/plan/apply (and --list-hosts/--list-tasks) have once the inputs are loaded and validated.
import type { Playbook } from "../../model/playbook.js";
import type { Inventory } from "../../model/inventory.js";

export interface Loaded {
  playbook: Playbook;
  inventory: Inventory;
  hosts: string[];
  extraVars: Record<string, unknown>;
}
