// JUnit XML: one testsuite per host, one testcase per step; failed → <failure>, unreachable → <error>,
// skipped → <skipped/>; pending changes → <failure> with failOnChange (ansible's JUNIT_FAIL_ON_CHANGE).
// classname is "<playbook>.<host>" with the dots inside each part made "_": Jenkins splits on the last dot.
// A step's time is its own duration, or the time its commands took when they ran batched ahead of it.
// Shape: the Jenkins xUnit junit-10.xsd (testsuites has no `skipped` attribute there; testsuite does).
import type { RunEvent } from "../model/events.js";

interface Case {
  name: string;
  classname: string;
  time: number;
  status: string;
  message?: string;
  output: string[];
}

export function xmlEscape(s: string): string {
  // drop characters XML 1.0 cannot carry at all
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "�");
  return clean.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

export interface JunitOptions {
  /** would-change (and would-fail) steps are failures: the CI job shows pending drift as red */
  failOnChange?: boolean;
}

/** One segment of a Jenkins classname: no dots (Jenkins reads the last dot as package.class), no path. */
export function classSegment(s: string): string {
  return s.replace(/\.[A-Za-z0-9]+$/, (ext) => (/^\.(ya?ml|json)$/i.test(ext) ? "" : ext)).replace(/[./\\\s]+/g, "_") || "_";
}

const FAILED = new Set(["failed", "would_fail"]);

export class JunitCollector {
  constructor(private readonly o: JunitOptions = {}) {}
  private readonly suites = new Map<string, Case[]>();
  private readonly commandMs = new Map<string, number>();
  private readonly hostProblems = new Map<string, { status: string; message?: string }>();
  private readonly output = new Map<string, string[]>();
  private playbook = "remedy";
  private started?: string;
  private runId?: string;

  handle = (e: RunEvent): void => {
    if (e.type === "run_start") {
      this.playbook = e.playbook;
      this.runId = e.runId;
      this.started = e.time.replace(/\.\d+Z$/, "").replace(/Z$/, "");
      for (const h of e.hosts) this.suites.set(h, []);
    } else if (e.type === "command") {
      const key = `${e.host}\u0000${e.step}`;
      const lines = this.output.get(key) ?? [];
      lines.push(`$ ${e.record.command}\n${e.record.stdout}${e.record.stderr ? `\n[stderr] ${e.record.stderr}` : ""}`);
      this.output.set(key, lines.slice(-5));
      this.commandMs.set(key, (this.commandMs.get(key) ?? 0) + e.record.durationMs);
    } else if (e.type === "step_end") {
      const key = `${e.host}\u0000${e.step}`;
      const ms = Math.max(e.durationMs, this.commandMs.get(key) ?? 0);
      this.suites.get(e.host)?.push({ name: e.name, classname: this.classname(e.host), time: ms / 1000, status: e.status, message: e.message, output: this.output.get(key) ?? [] });
    } else if (e.type === "host_end" && (e.status === "unreachable" || e.status === "untouched" || e.status === "failed")) {
      this.hostProblems.set(e.host, { status: e.status, message: e.message });
    }
  };

  private classname(host: string): string {
    return `${classSegment(this.playbook.split("/").pop() ?? this.playbook)}.${classSegment(host)}`;
  }

  private kind(status: string): "failure" | "error" | "skipped" | "pass" {
    if (status === "unreachable") return "error";
    if (FAILED.has(status) || (this.o.failOnChange && status === "would_change")) return "failure";
    if (status === "skipped") return "skipped";
    return "pass";
  }

  xml(): string {
    const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
    let tests = 0;
    let failures = 0;
    let errors = 0;
    let seconds = 0;
    const suites: string[] = [];
    for (const [host, cases] of this.suites) {
      const problem = this.hostProblems.get(host);
      const all = [...cases];
      if (problem && (problem.status !== "failed" || !cases.some((c) => FAILED.has(c.status)))) {
        all.push({ name: problem.status === "unreachable" ? "connect" : "host", classname: this.classname(host), time: 0, status: problem.status === "untouched" ? "skipped" : problem.status === "unreachable" ? "unreachable" : "failed", message: problem.message ?? problem.status, output: [] });
      }
      const f = all.filter((c) => this.kind(c.status) === "failure").length;
      const er = all.filter((c) => this.kind(c.status) === "error").length;
      const s = all.filter((c) => c.status === "skipped").length;
      tests += all.length;
      failures += f;
      errors += er;
      const body = all.map((c) => {
        const attrs = `name="${xmlEscape(c.name)}" classname="${xmlEscape(c.classname)}" time="${c.time.toFixed(3)}"`;
        const sysout = c.output.length ? `<system-out>${xmlEscape(c.output.join("\n").slice(-4000))}</system-out>` : "";
        const kind = this.kind(c.status);
        const message = c.message ?? c.status.replace("_", " ");
        if (kind === "failure" || kind === "error") return `    <testcase ${attrs}><${kind} message="${xmlEscape(message)}" type="${c.status}">${xmlEscape(c.message ?? "")}</${kind}>${sysout}</testcase>`;
        if (kind === "skipped") return `    <testcase ${attrs}><skipped message="${xmlEscape(c.message ?? "skipped")}"/>${sysout}</testcase>`;
        return `    <testcase ${attrs}>${sysout}${c.status !== "ok" ? `<system-err>${xmlEscape(c.status)}</system-err>` : ""}</testcase>`;
      });
      const time = all.reduce((t, c) => t + c.time, 0);
      seconds += time;
      // the run id, the same as in events, journal, lock owner and audit lines
      const props = this.runId ? `    <properties><property name="remedy.run_id" value="${xmlEscape(this.runId)}"/></properties>\n` : "";
      const stamp = this.started ? ` timestamp="${xmlEscape(this.started)}"` : "";
      suites.push(`  <testsuite name="${xmlEscape(host)}" tests="${all.length}" failures="${f}" errors="${er}" skipped="${s}" time="${time.toFixed(3)}"${stamp} hostname="${xmlEscape(host)}">\n${body.join("\n")}\n${props}  </testsuite>`);
    }
    out.push(`<testsuites name="${xmlEscape(this.playbook)}" tests="${tests}" failures="${failures}" errors="${errors}" time="${seconds.toFixed(3)}">`);
    out.push(...suites, "</testsuites>", "");
    return out.join("\n");
  }
}
