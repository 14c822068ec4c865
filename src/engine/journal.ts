// Resumable run journal on the controller: <state dir>/runs/<id>.jsonl (state dir: $REMEDY_STATE_DIR, else
// $XDG_STATE_HOME/remedy, else ~/.local/state/remedy; see src/config/settings.ts), one line per event that matters,
// appended synchronously so a killed controller leaves only complete lines behind.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunEvent } from "../model/events.js";
import { InputError } from "../errors.js";
import type { CordonedNode } from "./cordon-tracker.js";

export interface JournalHeader {
  type: "journal";
  runId: string;
  playbook: string;
  playbookSha256: string;
  inventorySha256: string;
  hosts: string[];
  time: string;
}

/** `dir` is the state directory (never the working directory: runs from anywhere find their journals). */
export function journalPath(dir: string, runId: string): string {
  return join(dir, "runs", `${runId}.jsonl`);
}

export class Journal {
  constructor(readonly file: string) {}

  static create(dir: string, header: Omit<JournalHeader, "type" | "time">): Journal {
    const file = journalPath(dir, header.runId);
    mkdirSync(join(dir, "runs"), { recursive: true, mode: 0o700 });
    const j = new Journal(file);
    j.write({ type: "journal", time: new Date().toISOString(), ...header });
    return j;
  }

  private write(v: unknown): void {
    appendFileSync(this.file, JSON.stringify(v) + "\n");
  }

  /** a node this run cordoned (or uncordoned again): a killed run leaves it cordoned, --resume uncordons it */
  cordon = (c: CordonedNode, cordoned: boolean): void => {
    this.write({ type: "cordon", ...c, cordoned, time: new Date().toISOString() });
  };

  /** event subscriber: keeps only what resuming needs */
  handle = (e: RunEvent): void => {
    if (e.type === "host_end" || e.type === "step_end" || e.type === "batch_start" || e.type === "run_end") this.write(e);
  };
}

export interface ResumeState {
  header: JournalHeader;
  /** hosts that finished without failure: skipped on resume */
  finished: Set<string>;
  /** per host: the node the earlier run cordoned and did not uncordon */
  cordoned: Map<string, CordonedNode>;
  /** what the earlier run did, one line per step it ended (changed, failed...) and per host it ended */
  report: string[];
}

/** Pure: journal text → what a resumed run may skip. A torn last line (killed mid-write) is ignored. */
export function parseJournal(text: string, file: string): ResumeState {
  const lines = text.split("\n").filter((l) => l.trim());
  let header: JournalHeader | undefined;
  const finished = new Set<string>();
  const cordoned = new Map<string, CordonedNode>();
  const report: string[] = [];
  lines.forEach((line, i) => {
    let v: { type?: string; host?: string; status?: string; node?: string; delegate?: string; leave?: boolean; cordoned?: boolean; name?: string; message?: string };
    try {
      v = JSON.parse(line) as typeof v;
    } catch {
      if (i === lines.length - 1) return;
      throw new InputError([{ file, line: i + 1, message: "journal line is not JSON; the journal is damaged (start a fresh run instead of --resume)" }]);
    }
    if (v.type === "journal") header = v as JournalHeader;
    if (v.type === "step_end" && v.host && (v.status === "changed" || v.status === "failed" || v.status === "unreachable")) report.push(`${v.host}: step "${v.name ?? "?"}" ${v.status}${v.message ? ` (${v.message})` : ""}`);
    if (v.type === "host_end" && v.host) report.push(`${v.host}: ${v.status}`);
    if (v.type === "host_end" && v.host) {
      if (v.status === "ok" || v.status === "changed") finished.add(v.host);
      else finished.delete(v.host);
    }
    if (v.type === "cordon" && v.host && v.node && v.delegate) {
      if (v.cordoned) cordoned.set(v.host, { host: v.host, node: v.node, delegate: v.delegate, leave: Boolean(v.leave) });
      else cordoned.delete(v.host);
    }
  });
  if (!header) throw new InputError([{ file, line: 1, message: "not a remedy run journal (no header line)" }]);
  return { header, finished, cordoned, report };
}

export function loadJournal(dir: string, runId: string): ResumeState {
  if (!/^[A-Za-z0-9._-]+$/.test(runId)) throw new InputError(`--resume ${JSON.stringify(runId)}: not a run id (see ${join(dir, "runs")})`);
  const file = journalPath(dir, runId);
  if (!existsSync(file)) throw new InputError(`--resume ${runId}: no journal at ${file}; run ids are the file names in ${join(dir, "runs")}`);
  return parseJournal(readFileSync(file, "utf8"), file);
}
