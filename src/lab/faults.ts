// Node faults: the `.lab/faults` file format (key or key=value lines) and its parsed meaning.
import { LabError } from "../errors.js";

/** One `.lab/faults` line, e.g. "unreachable", "slow_ms=200", "reboot=never", "panic=127.0.0.1:6666". */
export type Fault = string;

export interface FaultSet {
  unreachable: boolean;
  slowMs: number;
  reboot: { kind: "normal" } | { kind: "never" } | { kind: "same-bootid" } | { kind: "die-after"; seconds: number };
  hostkeyChanged: boolean;
  panic?: { ip: string; port: number };
  diskFull: boolean;
  /** Read by the node tools only. */
  hang?: string;
  kernelLog?: string;
}

const KNOWN = new Set(["unreachable", "slow_ms", "reboot", "hostkey", "panic", "disk", "hang", "kernel_log"]);

export const faultKey = (f: Fault): string => f.split("=", 1)[0]!.trim();

/** Validates one fault line; throws LabError naming the accepted forms. */
export function checkFault(f: Fault): Fault {
  const line = f.trim();
  const key = faultKey(line);
  const value = line.includes("=") ? line.slice(line.indexOf("=") + 1) : "";
  const bad = (why: string) => new LabError(`lab fault "${line}": ${why}`);
  if (!KNOWN.has(key)) throw bad(`unknown key; use one of ${[...KNOWN].join(", ")}`);
  if (key === "slow_ms" && !/^\d+$/.test(value)) throw bad("slow_ms needs a number of milliseconds");
  if (key === "reboot" && !/^(never|same-bootid|die-after:\d+(\.\d+)?)$/.test(value)) throw bad("use reboot=never, reboot=same-bootid or reboot=die-after:<sec>");
  if (key === "hostkey" && value !== "changed") throw bad("use hostkey=changed");
  if (key === "disk" && value !== "full") throw bad("use disk=full");
  if (key === "panic" && !/^\d+\.\d+\.\d+\.\d+:\d+$/.test(value)) throw bad("use panic=<collector-ip>:<port>");
  if ((key === "hang" || key === "kernel_log") && value === "") throw bad(`${key} needs a value`);
  return line;
}

export function parseFaultLines(text: string): Fault[] {
  return text
    .split("\n")
    .map((l) => l.replace(/#.*/, "").trim())
    .filter(Boolean);
}

/** Meaning of a fault list; unknown lines are ignored here (the tools may read their own keys). */
export function interpretFaults(lines: readonly Fault[]): FaultSet {
  const set: FaultSet = { unreachable: false, slowMs: 0, reboot: { kind: "normal" }, hostkeyChanged: false, diskFull: false };
  for (const line of lines) {
    const key = faultKey(line);
    const value = line.includes("=") ? line.slice(line.indexOf("=") + 1).trim() : "";
    if (key === "unreachable") set.unreachable = value !== "0" && value !== "false";
    else if (key === "slow_ms") set.slowMs = Number(value) || 0;
    else if (key === "reboot") {
      if (value === "never") set.reboot = { kind: "never" };
      else if (value === "same-bootid") set.reboot = { kind: "same-bootid" };
      else if (value.startsWith("die-after:")) set.reboot = { kind: "die-after", seconds: Number(value.slice(10)) || 0 };
    } else if (key === "hostkey") set.hostkeyChanged = value === "changed";
    else if (key === "disk") set.diskFull = value === "full";
    else if (key === "panic") {
      const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(value);
      if (m) set.panic = { ip: m[1]!, port: Number(m[2]) };
    } else if (key === "hang") set.hang = value;
    else if (key === "kernel_log") set.kernelLog = value;
  }
  return set;
}

/** The list with `fault` added, replacing a line with the same key. */
export function withFault(lines: readonly Fault[], fault: Fault): Fault[] {
  const key = faultKey(fault);
  return [...lines.filter((l) => faultKey(l) !== key), fault];
}

/** The list without the given key (or without everything when key is undefined). */
export function withoutFault(lines: readonly Fault[], key?: string): Fault[] {
  return key === undefined ? [] : lines.filter((l) => faultKey(l) !== faultKey(key));
}
