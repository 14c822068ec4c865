// Public API of the lab runtime (the CLI's `remedy lab ...`, the demo, the benchmark and tests use this).
export { labUp, canConnect, checkLabPrerequisites, type LabUpOptions } from "./up.js";
export { labDown, labStatus, labLeftovers, type LabStatus, type NodeStatus } from "./down.js";
export { setFault, clearFault } from "./control.js";
export { checkFault, interpretFaults, type Fault, type FaultSet } from "./faults.js";
export { readLabInfo, type LabInfo, type LabNode, type NodeRunState } from "./labfile.js";
export { DEFAULT_LAB_DIR, DEFAULT_SSH_PORT, labPaths, nodePaths } from "./paths.js";
export { buildBase, createNodeRoot, createNodeRoots, destroyNodeRoot, type NodeOs, type NodeRootSpec } from "./rootfs.js";
