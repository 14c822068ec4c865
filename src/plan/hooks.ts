// Where plan files meet a run: `plan` writes one, `apply --plan` checks and enforces one.
import type { Io } from "../cli/io.js";
import type { RunFlags } from "../cli/options.js";
import type { Loaded } from "../cli/commands/run.js";
import type { RunOptions, RunResult } from "../engine/runner.js";
import type { Mode } from "../model/events.js";
import type { Redactor } from "../report/redact.js";
import { InputError } from "../errors.js";

export interface PlanHooks {
  runOptions: Partial<RunOptions>;
  /** called with the finished run; returns the exit code */
  after(result: RunResult, redactor: Redactor): Promise<number>;
}

export async function planHooks(mode: Mode, flags: RunFlags, _loaded: Loaded, _io: Io): Promise<PlanHooks> {
  if (mode === "plan" || flags.plan) throw new InputError("plan files are not supported by this build yet");
  return { runOptions: {}, after: async (r) => r.exitCode };
}
