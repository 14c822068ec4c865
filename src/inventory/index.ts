// Public API of the inventory module.
export { loadInventory, parseInventoryText, inventorySha256 } from "./load.js";
export type { LoadedInventory, VarLayers } from "./loaded.js";
export { isLoaded } from "./loaded.js";
export { resolvePattern, splitPattern } from "./pattern.js";
export { hostVars, hostVarOrigin, groupsView, groupHosts, hostGroups } from "./vars.js";
export { renderInventory, redact, isSecretName, REDACTED, type RenderOptions } from "./render.js";
export { expandHostRange, MAX_RANGE_HOSTS } from "./range.js";
export { connectionVarProblems } from "./connection-vars.js";
export { InventoryBuilder } from "./builder.js";
