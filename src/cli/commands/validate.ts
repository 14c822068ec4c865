// remedy validate: schema + semantics for each playbook (and the inventory); never connects.
import type { Io } from "../io.js";
import { ExitCode } from "../exit-codes.js";
import { validatePlaybookFile, loadPlaybook } from "../../playbook/index.js";
import { loadInventory, resolvePattern } from "../../inventory/index.js";
import { InputError, formatProblem } from "../../errors.js";
import { preflightProblems } from "../preflight.js";
import { parseExtraVars } from "../options.js";

export async function validateCommand(files: string[], flags: { inventory?: string; extraVars?: string[] }, io: Io): Promise<number> {
  let bad = 0;
  const extraVars = parseExtraVars(flags.extraVars ?? []);
  const inventory = flags.inventory ? await loadInventory(flags.inventory) : undefined;
  for (const f of files) {
    const problems = await validatePlaybookFile(f, { extraVars });
    if (problems.length) {
      bad++;
      for (const p of problems) io.err(formatProblem(p) + "\n");
      continue;
    }
    if (inventory) {
      try {
        const pb = await loadPlaybook(f, { extraVars });
        const hosts = resolvePattern(inventory, pb.hosts);
        // with the inventory: undefined names, typed inputs, template values, connection vars (as a run would)
        const problems = await preflightProblems({ playbook: pb, inventory, hosts, extraVars });
        if (problems.length) throw new InputError(problems);
        io.out(`${f}: ok (hosts "${pb.hosts}" → ${hosts.length} host(s))\n`);
      } catch (e) {
        bad++;
        io.err(`${f}: ${e instanceof InputError ? e.message : String(e)}\n`);
      }
    } else io.out(`${f}: ok\n`);
  }
  if (bad) io.err(`${bad} of ${files.length} playbook(s) invalid\n`);
  return bad ? ExitCode.InvalidInput : ExitCode.Ok;
}
