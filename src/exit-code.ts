// The exit-code numbers (DESIGN.md "Exit codes"). A leaf module: errors name their code from here, and
// src/cli/exit-codes.ts maps a run's typed summary to one. README documents the same table.
export enum ExitCode {
  Ok = 0,
  Failed = 1,
  ChangesPending = 2,
  Unreachable = 3,
  InvalidInput = 4,
  PlanRefused = 5,
  Internal = 70,
  Interrupted = 130,
}
