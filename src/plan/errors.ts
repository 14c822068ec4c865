// Plan-specific outcomes that are not "plan refused" (exit 5): a node locked by another run, hosts unreachable.
import { RemedyError } from "../errors.js";
import { ExitCode } from "../exit-code.js";

/** Another run holds the lock on a node (apply --plan is all-or-nothing, so nothing was applied): exit 1. */
export class LockedError extends RemedyError {
  override readonly exitCode = ExitCode.Failed;
}

/** apply --plan could not check every host of the plan, so it applied nothing: exit 3. */
export class PlanUnreachableError extends RemedyError {
  override readonly exitCode = ExitCode.Unreachable;
}
