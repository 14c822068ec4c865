// Fan-out of engine events to the chosen subscribers (listr2 / plain / JSON-lines / JUnit), redacted first.
import { writeFile, rename } from "node:fs/promises";
import type { Io } from "./io.js";
import type { RunEvent, RunSummary } from "../model/events.js";
import { plainLine } from "../report/plain.js";
import { ListrReporter } from "../report/listr.js";
import { renderSummary } from "../report/summary.js";
import type { Redactor } from "../report/redact.js";
import { JunitCollector } from "../report/junit.js";
import { jsonLine } from "../report/jsonl.js";

export class Reporters {
  private readonly listr?: ListrReporter;
  private readonly junit?: JunitCollector;
  private summary?: RunSummary;
  readonly events: RunEvent[] = [];

  constructor(
    private readonly io: Io,
    private readonly o: { json: boolean; verbose: boolean; junit?: string; junitFailOnChange?: boolean; redactor: Redactor },
  ) {
    if (!o.json && io.isTTY) this.listr = new ListrReporter();
    if (o.junit) this.junit = new JunitCollector({ failOnChange: o.junitFailOnChange });
  }

  emit(raw: RunEvent): void {
    const e = this.o.redactor.event(raw);
    this.junit?.handle(e);
    if (e.type === "run_end") this.summary = e.summary;
    if (this.o.json) this.io.out(jsonLine(e)); // versioned wire format (schemas/events.schema.json)
    else if (this.listr) this.listr.handle(e);
    else {
      const line = plainLine(e, this.o.verbose);
      if (line) this.io.out(line + "\n");
    }
  }

  async close(): Promise<void> {
    await this.listr?.close();
    if (this.summary) {
      const text = "\n" + renderSummary(this.summary);
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
