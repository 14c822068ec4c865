// Everything about one run that can be refused before connecting, once the playbook, inventory, -e and
// target hosts are known: undefined variables, typed inputs, template values, connection vars, references.
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { loadJournal } from "../engine/journal.js";
import { InputError, type InputProblem } from "../errors.js";
import type { RunFlags } from "./options.js";
import { connectionVarProblems, hostVarOrigin, hostVars, groupsView } from "../inventory/index.js";
import type { Inventory } from "../model/inventory.js";
import type { Playbook } from "../model/playbook.js";
import { validatePlaybookFile } from "../playbook/index.js";
import { runValueProblems, type Origin } from "../playbook/run-check.js";

export interface PreflightInput {
  playbook: Playbook;
  inventory: Inventory;
  hosts: string[];
  extraVars: Record<string, unknown>;
}

export async function preflightProblems(l: PreflightInput): Promise<InputProblem[]> {
  // hosts that run kubectl for the targets connect too
  const delegates = l.playbook.steps.flatMap((s) => [...s.apply, ...s.rollback]).flatMap((a) => ((a.kind === "cordon" || a.kind === "drain" || a.kind === "uncordon") && a.delegateTo && l.inventory.hosts.has(a.delegateTo) ? [a.delegateTo] : []));
  const conn = connectionVarProblems(l.inventory, [...new Set([...l.hosts, ...delegates])]);
  const inv = new Map(l.hosts.map((h) => [h, hostVars(l.inventory, h)]));
  // with the inventory known, a name nobody defines is an error now, not on the node later
  const knownVars = [...new Set([...inv.values()].flatMap((v) => Object.keys(v)))];
  const undefinedNames = await validatePlaybookFile(l.playbook.file, { extraVars: l.extraVars, knownVars });
  const originOf = (h: string, name: string): Origin => {
    if (Object.hasOwn(l.extraVars, name)) return { file: "-e" };
    if (Object.hasOwn(inv.get(h) ?? {}, name)) return hostVarOrigin(l.inventory, h, name) ?? { file: l.inventory.source };
    const at = l.playbook.varsAt?.[name];
    return at ? { file: l.playbook.file, ...at } : { file: l.playbook.file };
  };
  const values = runValueProblems({
    playbook: l.playbook,
    hosts: l.hosts,
    varsFor: (h) => ({ ...l.playbook.vars, ...inv.get(h), ...l.extraVars }),
    originOf,
    inventoryHosts: [...l.inventory.hosts.keys()],
    groups: groupsView(l.inventory),
  });
  return [...conn, ...undefinedNames, ...values];
}

/** Files named by flags that must exist, output paths that must be writable, a --resume id with a journal. */
export function flagProblems(flags: RunFlags, cwd: string, o: { journal?: boolean; stateDir?: string } = {}): InputProblem[] {
  const out: InputProblem[] = [];
  const runs = resolve(cwd, o.stateDir ?? ".remedy", "runs");
  if (o.journal) {
    // apply keeps its journal in <state dir>/runs/
    let dir = runs;
    while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
    try {
      accessSync(dir, constants.W_OK);
    } catch {
      out.push({ file: runs, message: `the run journal cannot be written (${dir} is not writable); set REMEDY_STATE_DIR to a writable directory` });
    }
  }
  const must = (flag: string, p: string | undefined, what: string) => {
    if (p === undefined) return;
    const abs = resolve(cwd, p);
    try {
      if (!statSync(abs).isFile()) out.push({ file: flag, message: `${p} is not a file; name ${what}` });
      else accessSync(abs, constants.R_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      out.push({ file: flag, message: `${p}: ${code === "ENOENT" ? "no such file" : "cannot be read"}; name ${what}` });
    }
  };
  must("--known-hosts", flags.knownHosts, "an existing known_hosts file (ssh-keyscan HOST >> FILE creates one)");
  must("--ssh-config", flags.sshConfig, "an existing ssh_config file");
  const writable = (flag: string, p: string | undefined) => {
    if (p === undefined) return;
    const abs = resolve(cwd, p);
    if (existsSync(abs) && statSync(abs).isDirectory()) return void out.push({ file: flag, message: `${p} is a directory; name a file to write` });
    const dir = dirname(abs);
    try {
      if (!statSync(dir).isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
      accessSync(dir, constants.W_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      out.push({ file: flag, message: `cannot write ${p}: ${code === "ENOENT" || code === "ENOTDIR" ? `the directory ${dirname(p)} does not exist` : "the directory is not writable"}; create it or name another path` });
    }
  };
  writable("--junit", flags.junit);
  writable("-o/--out", flags.out);
  if (flags.resume !== undefined) {
    try {
      loadJournal(resolve(cwd, o.stateDir ?? ".remedy"), flags.resume);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      out.push(...e.problems);
    }
  }
  return out;
}
