// Human output of a run, for CI logs (plain) and terminals (live). While the run goes: failures and
// unreachable hosts at once (each once), reboots, warnings, and progress (a live "N/M hosts, elapsed"
// line on a TTY; a progress line at most every `progressEveryMs` in plain mode). With -v every step
// and command of every host as it happens. At the end: results grouped across hosts (group.ts).
import type { RunEvent } from "../model/events.js";
import { ResultGroups, renderGroups } from "./group.js";
import { LABEL, indentRest, mark } from "./marks.js";
import { wrap } from "./hostlist.js";

export interface HumanOptions {
  verbose: boolean;
  /** terminal columns */
  width: number;
  /** live status line and colours */
  tty: boolean;
  now: () => number;
  progressEveryMs?: number;
  write: (s: string) => void;
}

/** One line (continuations indented) per event, or undefined; -v and the failure lines use it. */
export function plainLine(e: RunEvent, verbose: boolean, color = false): string | undefined {
  switch (e.type) {
    case "run_start":
      return `${e.mode} ${e.playbook} on ${e.hosts.length} host(s)`;
    case "batch_start":
      return e.index > 0 || verbose ? `--- batch ${e.index + 1}: ${e.hosts.join(", ")}` : undefined;
    case "step_end": {
      const head = `${mark(e.status, color)} [${e.host}] ${e.name}: ${LABEL[e.status] ?? e.status}`;
      const text = e.message && e.status === "changed" ? `before: ${e.message}` : e.message; // a changed step's message is the old state
      const msg = text ? (text.includes("\n") ? `\n${text}` : ` (${text})`) : "";
      const cmds = e.status === "would_change" && e.commands?.length ? `\nwould run:\n${e.commands.map((c) => `  $ ${indentRest(c, 4)}`).join("\n")}` : "";
      const diff = e.diff ? `\ndiff:\n${e.diff.trimEnd()}` : "";
      return indentRest(head + msg + cmds + diff, 4);
    }
    case "host_end":
      return e.status === "unreachable" || (e.status === "failed" && e.message) ? indentRest(`${mark(e.status, color)} [${e.host}] ${e.status.toUpperCase()}: ${e.message ?? ""}`, 4) : undefined;
    case "command":
      return verbose ? indentRest(`  [${e.host}] ${e.phase}: ${e.record.command} -> ${e.record.timedOut ? "timed out" : `rc=${e.record.exitCode ?? e.record.signal}`} (${e.record.durationMs} ms)`, 6) : undefined;
    case "reboot":
      return `[${e.host}] reboot: ${e.state}${e.detail ? ` (${e.detail})` : ""}`;
    case "artifact":
      return `[${e.host}] artifact ${e.name}: ${e.source.replace(/_/g, " ")} on ${e.builder} (key ${e.key.slice(0, 12)})`;
    case "warning":
      return indentRest(`${e.host ? `[${e.host}] ` : ""}WARNING: ${e.message}`, 4);
    default:
      return undefined;
  }
}

const clock = (ms: number): string => {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
};

export class HumanReporter {
  readonly groups = new ResultGroups();
  private total = 0;
  private done = 0;
  private failed = 0;
  private unreachable = 0;
  private started = 0;
  private lastProgress = 0;
  private live = "";
  /** hosts whose failure was already printed (a step failure is not repeated by host_end) */
  private readonly reported = new Set<string>();

  constructor(private readonly o: HumanOptions) {}

  handle = (e: RunEvent): void => {
    this.groups.handle(e);
    if (e.type === "run_start") {
      this.total = e.hosts.length;
      this.started = this.lastProgress = this.o.now();
    }
    let line: string | undefined;
    if (this.o.verbose) line = plainLine(e, true, this.o.tty);
    else if (e.type === "step_end") line = e.status === "failed" || (e.status as string) === "would_fail" ? plainLine(e, false, this.o.tty) : undefined;
    else if (e.type === "host_end") line = this.reported.has(e.host) ? undefined : plainLine(e, false, this.o.tty);
    else if (e.type !== "command") line = plainLine(e, false, this.o.tty);
    if (e.type === "step_end" && e.status === "failed") this.reported.add(e.host);
    if (e.type === "host_end") {
      this.done++;
      if (e.status === "failed") this.failed++;
      if (e.status === "unreachable") this.unreachable++;
    }
    if (line) this.print(line);
    if (e.type === "host_end") this.progress(false);
  };

  /** called by a timer on a TTY so the elapsed time moves while hosts work */
  tick = (): void => this.progress(true);

  private progressText(): string {
    const bad = [this.failed ? `${this.failed} failed` : "", this.unreachable ? `${this.unreachable} unreachable` : ""].filter(Boolean).join(", ");
    return `${this.done}/${this.total} hosts done${bad ? ` (${bad})` : ""}, ${clock(this.o.now() - this.started)} elapsed`;
  }

  private progress(fromTimer: boolean): void {
    if (this.o.tty) {
      this.live = this.progressText();
      this.o.write(`\r\u001b[2K${this.live}`);
      return;
    }
    if (fromTimer || this.total <= 1) return;
    const now = this.o.now();
    if (now - this.lastProgress >= (this.o.progressEveryMs ?? 10_000) || (this.done === this.total && this.total > 1)) {
      this.lastProgress = now;
      this.o.write(`progress: ${this.progressText()}\n`);
    }
  }

  private print(line: string): void {
    if (this.o.tty && this.live) this.o.write("\r\u001b[2K");
    this.o.write(wrap(line, this.o.tty ? this.o.width + 9 : this.o.width) + "\n"); // +9: a colour code around the mark
    if (this.o.tty && this.live) this.o.write(this.live);
  }

  /** grouped results; the caller prints the summary table after it */
  close(): string {
    if (this.o.tty && this.live) this.o.write("\r\u001b[2K");
    this.live = "";
    const body = renderGroups(this.groups.groups(), { width: this.o.width, color: this.o.tty });
    return body ? `\nResults by step:\n${body}` : "";
  }
}
