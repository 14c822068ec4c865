// Public API of `remedy diagnose`: collect (one script per host) → parseCollected → findings → render.
export type { Observations, LogSource } from "./observations.js";
export { collectScript, SECTIONS, LOG_FILTER } from "./script.js";
export { parseCollected, splitSections, parseKpatchList } from "./parse.js";
export { tallyLines, collectEvidence, matchSignature, SIGNATURES, type SignatureId } from "./signatures.js";
export { findings, effectiveRunc, isClean, PLAYBOOK, type Finding, type Severity } from "./findings.js";
export { diagnoseHost, diagnoseHosts, diagnoseExitCode, type HostDiagnosis } from "./run.js";
export { renderTable, renderJsonLines, planCommand, TABLE_LEGEND, type TableOptions } from "./render.js";
