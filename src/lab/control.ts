// Changing a running lab's faults: edit /.lab/faults, signal the supervisor, wait until it applied them.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { LabError } from "../errors.js";
import { checkFault, parseFaultLines, withFault, withoutFault, type Fault } from "./faults.js";
import { readLabInfo, readSupervisorState } from "./labfile.js";
import { nodePaths } from "./paths.js";
import { alive } from "./procs.js";

export async function setFault(labDir: string, node: string, fault: Fault, timeoutMs = 15_000): Promise<void> {
  checkFault(fault);
  await updateFaults(labDir, node, (lines) => withFault(lines, fault.trim()), timeoutMs);
}

/** Removes one fault key (e.g. "slow_ms" or "reboot"), or every fault when key is omitted. */
export async function clearFault(labDir: string, node: string, key?: string, timeoutMs = 15_000): Promise<void> {
  await updateFaults(labDir, node, (lines) => withoutFault(lines, key), timeoutMs);
}

async function updateFaults(labDir: string, node: string, change: (lines: Fault[]) => Fault[], timeoutMs: number): Promise<void> {
  const info = readLabInfo(labDir);
  if (!info) throw new LabError(`lab: no lab in ${labDir}`);
  if (!info.nodes.some((n) => n.name === node)) throw new LabError(`lab: no node ${node} in ${labDir}`);
  const file = nodePaths(labDir, node).faults;
  const lines = change(existsSync(file) ? parseFaultLines(readFileSync(file, "utf8")) : []);
  writeFileSync(file, lines.map((l) => l + "\n").join(""));
  if (!alive(info.supervisorPid)) return; // lab not running: the faults apply at the next start
  const want = JSON.stringify(lines);
  const end = Date.now() + timeoutMs;
  let lastSignal = 0;
  for (;;) {
    const applied = readSupervisorState(labDir)?.nodes[node]?.faults;
    if (JSON.stringify(applied) === want) return;
    if (Date.now() > end) throw new LabError(`lab: supervisor did not apply faults on ${node} within ${timeoutMs} ms (see ${labDir}/supervisor.log)`);
    if (Date.now() - lastSignal > 1000) {
      process.kill(info.supervisorPid, "SIGHUP");
      lastSignal = Date.now();
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
