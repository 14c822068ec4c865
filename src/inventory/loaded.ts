// What loadInventory returns beyond the shared Inventory model: where each var came from (ansible
// ranks inventory-file vars below group_vars/host_vars files), the files read, and warnings.
import type { Inventory, Vars } from "../model/inventory.js";

export interface VarLayers {
  /** vars from the inventory file(s): `[g:vars]`, YAML `vars:` */
  groupInventory: Map<string, Vars>;
  /** vars from group_vars/<group>(.yml|.yaml|.json|/) */
  groupFiles: Map<string, Vars>;
  /** inline host vars and YAML host maps (incl. a `:port` suffix) */
  hostInventory: Map<string, Vars>;
  /** vars from host_vars/<host>(...) */
  hostFiles: Map<string, Vars>;
}

export interface LoadedInventory extends Inventory {
  /** every file read, absolute, sorted (the sha256 covers exactly these) */
  files: string[];
  /** things ansible would accept but that are probably mistakes (e.g. group_vars for an unknown group) */
  warnings: string[];
  layers: VarLayers;
  /** where each var of each layer was set: varLocKey(layer, entity, name) → file:line:col */
  varLocs?: Map<string, Loc>;
}

export type LayerName = "groupInventory" | "groupFiles" | "hostInventory" | "hostFiles";

export function varLocKey(layer: LayerName, entity: string, name: string): string {
  return `${layer}\0${entity}\0${name}`;
}

export function isLoaded(inv: Inventory): inv is LoadedInventory {
  return "layers" in inv && (inv as LoadedInventory).layers !== undefined;
}

export interface Loc {
  file: string;
  line: number;
  col: number;
}
