// remedy show PLAN: what an approver needs to see before saying yes; never connects.
import type { Command } from "commander";
import type { Io } from "../io.js";
import { ExitCode } from "../exit-codes.js";
import { loadPlanFile } from "../../plan/load.js";
import { renderPlan } from "../../plan/render.js";
import { resolve } from "node:path";

export async function showCommand(file: string, flags: { json?: boolean }, io: Io): Promise<number> {
  const doc = await loadPlanFile(file, resolve(io.cwd, file));
  io.out(flags.json ? JSON.stringify(doc) + "\n" : renderPlan(doc, file)); // --json: one line, like every --json output
  return ExitCode.Ok;
}

export function registerShow(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("show")
    .argument("<plan>", "plan file written by `remedy plan -o`")
    .description("render a plan file for review (hosts, steps that would change and their commands, fingerprints, hashes)")
    .option("--json", "print the validated plan as one line of JSON")
    .action(async (file: string, flags: { json?: boolean }) => setCode(await showCommand(file, flags, io)));
}
