// Fan-out of engine events to the chosen subscribers (human: live TTY or plain / JSON-lines / JUnit), redacted first.
import { writeFile, rename } from "node:fs/promises";
import type { Io } from "./io.js";
import type { RunEvent, RunSummary } from "../model/events.js";
import { HumanReporter } from "../report/plain.js";
import { renderSummary } from "../report/summary.js";
import type { Redactor } from "../report/redact.js";
import { JunitCollector } from "../report/junit.js";
import { jsonLine } from "../report/jsonl.js";

/** Columns to fit: $COLUMNS, else the terminal's, else 160 (CI logs). */
export function widthOf(io: Pick<Io, "env" | "isTTY">): number {
  return Number(io.env["COLUMNS"]) || (io.isTTY ? process.stdout.columns : 0) || 160;
}

export class Reporters {
  private readonly human?: HumanReporter;
  private timer?: NodeJS.Timeout;
  private readonly junit?: JunitCollector;
  private summary?: RunSummary;
  readonly events: RunEvent[] = [];

  constructor(
    private readonly io: Io,
    private readonly o: { json: boolean; verbose: boolean; junit?: string; junitFailOnChange?: boolean; redactor: Redactor; now?: () => number; groupResults?: boolean },
  ) {
    if (!o.json) {
      this.human = new HumanReporter({ verbose: o.verbose, width: widthOf(io), tty: io.isTTY, now: o.now ?? Date.now, write: io.out });
      // a TTY's live line shows the elapsed time moving even while no host finishes
      if (io.isTTY) (this.timer = setInterval(this.human.tick, 1000)).unref();
    }
    if (o.junit) this.junit = new JunitCollector({ failOnChange: o.junitFailOnChange });
  }

  emit(raw: RunEvent): void {
    const e = this.o.redactor.event(raw);
    this.junit?.handle(e);
    if (e.type === "run_end") this.summary = e.summary;
    if (this.o.json) this.io.out(jsonLine(e)); // versioned wire format (schemas/events.schema.json)
    else this.human?.handle(e);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const grouped = this.human?.close() ?? "";
    if (grouped && this.o.groupResults !== false) this.io.out(grouped); // the apply preview prints its pending list instead
    if (this.summary) {
      const text = "\n" + renderSummary(this.summary, { width: this.human ? widthOf(this.io) : undefined });
      if (this.o.json) this.io.err(text);
      else this.io.out(text);
    }
    if (this.junit && this.o.junit) {
      const tmp = `${this.o.junit}.tmp-${process.pid}`;
      await writeFile(tmp, this.junit.xml());
      await rename(tmp, this.o.junit);
    }
  }
}
