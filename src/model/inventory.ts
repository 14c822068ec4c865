// Inventory model (types only). Built by src/inventory/, consumed by the engine and CLI.

export type Vars = Record<string, unknown>;

export interface InventoryHost {
  name: string;
  /** vars set on the host itself (inline, host_vars/) — group vars are merged by hostVars() */
  vars: Vars;
  /** direct groups, in definition order */
  groups: string[];
}

export interface InventoryGroup {
  name: string;
  hosts: string[];
  children: string[];
  vars: Vars;
}

export interface Inventory {
  /** path of the inventory file or directory */
  source: string;
  /** sha256 over the inventory file(s) incl. group_vars/host_vars, stable across runs */
  sha256: string;
  hosts: Map<string, InventoryHost>;
  groups: Map<string, InventoryGroup>;
}
