// lab.json (written by lab up) and state.json (written by the supervisor): types and atomic IO.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { Fault } from "./faults.js";
import { labPaths } from "./paths.js";
import type { NodeOs } from "./rootfs.js";

export interface LabNode {
  name: string;
  os: NodeOs;
  ip: string;
  port: number;
  root: string;
  dir: string;
}

export interface LabInfo {
  dir: string;
  inventoryPath: string;
  knownHostsPath: string;
  clientKeyPath: string;
  nodes: LabNode[];
  supervisorPid: number;
  /** Pause between a node going down and its sshd starting again on reboot. */
  bootDelayMs: number;
  /** Pause between seeing a reboot request and dropping the node (lets `reboot` return first). */
  rebootGraceMs: number;
  startIndex: number;
  createdAt: string;
}

export type NodeRunState = "booting" | "up" | "rebooting" | "down" | "unreachable" | "dead";

export interface SupervisorNodeState {
  state: NodeRunState;
  sshdPid: number | null;
  boots: number;
  /** Fault lines the supervisor has applied (equal to .lab/faults once a reload is done). */
  faults: Fault[];
  diskFull: boolean;
  proxied: boolean;
}

export interface SupervisorState {
  pid: number;
  updatedAt: string;
  nodes: Record<string, SupervisorNodeState>;
}

export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n");
  renameSync(tmp, file);
}

export function readLabInfo(labDir: string): LabInfo | undefined {
  const f = labPaths(labDir).labJson;
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as LabInfo) : undefined;
}

export function readSupervisorState(labDir: string): SupervisorState | undefined {
  try {
    return JSON.parse(readFileSync(labPaths(labDir).state, "utf8")) as SupervisorState;
  } catch {
    return undefined;
  }
}
