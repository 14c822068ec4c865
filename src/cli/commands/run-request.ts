// argv (commander's flags) → one typed request for check/plan/apply, validated once, before anything is
// loaded or connected. Every bad value is an InputError naming the flag (exit 4).
import type { Io } from "../io.js";
import type { RunFlags } from "../options.js";
import { intFlag, parseSerial } from "../options.js";
import { InputError } from "../../errors.js";
import type { Mode } from "../../model/events.js";
import { DEFAULT_LOCK_TIMEOUT_SEC } from "../../plan/gate.js";

/** How an apply is approved; dry runs need none. */
export type Approval = { kind: "dry_run" } | { kind: "yes" } | { kind: "plan"; file: string } | { kind: "interactive" };

export interface RunRequest {
  mode: Mode;
  playbookPath: string;
  approval: Approval;
  forks: number;
  /** --timeout: default per-command timeout (a step's own wins) */
  timeoutSec?: number;
  lockWaitMs: number;
  serial?: Array<number | string>;
  tags?: string[];
  skipTags?: string[];
  /** apply --resume: the killed run's id */
  resume?: string;
  /** plan -o */
  out?: string;
}

const splitList = (s: string | undefined) => (s ? s.split(",").map((t) => t.trim()).filter(Boolean) : undefined);

export function parseRunRequest(mode: Mode, playbookPath: string, flags: RunFlags, io: Pick<Io, "isTTY">): RunRequest {
  const extra = flags as RunFlags & { lockTimeout?: string; skipTags?: string };
  if (mode !== "apply" && flags.plan) throw new InputError(mode === "check" ? "--plan is for `remedy apply`; `remedy check` does not read plans" : "--plan is for `remedy apply`; `remedy plan` writes a plan with -o FILE");
  if (mode === "apply" && flags.plan && flags.resume) throw new InputError("--plan and --resume cannot be combined");
  if (mode === "plan" && !flags.out) throw new InputError("missing -o/--out: name the plan file to write");
  const approval: Approval = mode !== "apply" ? { kind: "dry_run" } : flags.plan ? { kind: "plan", file: flags.plan } : flags.yes ? { kind: "yes" } : { kind: "interactive" };
  if (approval.kind === "interactive" && (!io.isTTY || flags.json)) throw new InputError("apply needs an approval when not run interactively: pass --yes, or --plan <file> from `remedy plan`");
  return {
    mode,
    playbookPath,
    approval,
    forks: intFlag("forks", flags.forks, 1, 5000) ?? 50,
    timeoutSec: intFlag("timeout", flags.timeout, 1, 86400),
    lockWaitMs: (intFlag("lock-timeout", extra.lockTimeout, 0, 86400) ?? DEFAULT_LOCK_TIMEOUT_SEC) * 1000,
    serial: parseSerial(flags.serial),
    tags: splitList(flags.tags),
    skipTags: splitList(extra.skipTags),
    resume: flags.resume,
    out: flags.out,
  };
}
