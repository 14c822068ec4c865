// argv → command. Errors become exit codes here (and only here); main.ts exits.
import { Command, CommanderError, Option } from "commander";
import { RemedyError, InternalError } from "../errors.js";
import { ExitCode } from "./exit-codes.js";
import type { Io } from "./io.js";
import { remedyVersion } from "../plan/who.js";
import type * as RunModule from "./commands/run.js";
import type * as ValidateModule from "./commands/validate.js";
import type * as InventoryModule from "./commands/inventory.js";

// Command modules are imported when their command runs: `remedy --version` and `validate` load neither
// ssh2 nor the lab (start-up is part of every run's wall time; test/unit/cli/lazy-imports.test.ts).
const runCommand: typeof RunModule.runCommand = async (...a) => (await import("./commands/run.js")).runCommand(...a);
const validateCommand: typeof ValidateModule.validateCommand = async (...a) => (await import("./commands/validate.js")).validateCommand(...a);
const inventoryCommand: typeof InventoryModule.inventoryCommand = async (...a) => (await import("./commands/inventory.js")).inventoryCommand(...a);

/** The commands defined here; anything else on the command line (help, lab, demo, ...) needs the extra ones. */
const CORE_COMMANDS = new Set(["check", "plan", "apply", "validate", "inventory", "-V", "--version"]);

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function addRunOptions(cmd: Command): Command {
  return cmd
    .option("-i, --inventory <path>", "inventory file or directory (INI or YAML); default $REMEDY_INVENTORY, $ANSIBLE_INVENTORY or ansible.cfg's inventory")
    .option("-l, --limit <pattern>", "further limit the hosts (ansible pattern)")
    .option("-f, --forks <n>", "hosts worked on in parallel (default 50, or $ANSIBLE_FORKS / ansible.cfg forks)")
    .option("--serial <sizes>", "batch sizes, e.g. 1,30% (apply)")
    .option("--timeout <seconds>", "per-command timeout for steps that set no timeout: of their own")
    .option("-e, --extra-vars <vars>", "key=value pairs, @file (YAML/JSON) or a JSON object; repeatable, later wins", collect, [])
    .option("-t, --tags <tags>", "only steps with one of these tags (comma-separated)")
    .option("--skip-tags <tags>", "leave out steps with one of these tags (comma-separated)")
    .option("--diff", "show a unified diff of each file copy/template would write (check, plan, apply)")
    .option("--list-hosts", "print the hosts the run would work on, then exit (no connection)")
    .option("--list-tasks", "print the steps with their tags and when conditions, then exit (no connection)")
    .option("-u, --user <name>", "SSH user for hosts whose inventory sets no ansible_user")
    .option("--private-key <file>", "SSH key for hosts whose inventory sets no ansible_ssh_private_key_file")
    .option("-b, --become", "sudo on hosts whose inventory does not set ansible_become")
    .option("--vault-password-file <file>", "ansible-vault password file (or executable printing it); default $ANSIBLE_VAULT_PASSWORD_FILE / ansible.cfg")
    .option("--ask-vault-pass", "ask for the ansible-vault password on the terminal")
    .option("--vault-id <id@source>", "vault id and password source, e.g. prod@~/.vault-prod or dev@prompt (repeatable)", collect, [])
    .option("--json", "JSON-lines events on stdout")
    .option("--junit <file>", "write a JUnit XML report")
    .option("--junit-fail-on-change", "pending changes are failing testcases (also JUNIT_FAIL_ON_CHANGE=true)")
    .option("--known-hosts <file>", "known_hosts file to verify host keys against")
    .option("--ssh-config <file>", "ssh config file (default ~/.ssh/config)")
    .option("-v, --verbose", "print every command");
}

export async function runCli(argv: string[], io: Io): Promise<number> {
  let code: number = ExitCode.Ok;
  const program = new Command("remedy")
    .description("Fix broken Kubernetes nodes with checked, verified playbooks over SSH")
    .version(remedyVersion()) // from package.json
    .exitOverride()
    .showHelpAfterError("(run remedy --help for usage)")
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  addRunOptions(program.command("check").argument("<playbook>").description("dry run: run only check phases; exit 2 when changes are pending")).action(
    async (pb: string, flags) => void (code = await runCommand("check", pb, flags, io)),
  );
  addRunOptions(program.command("plan").argument("<playbook>").description("dry run that writes a plan file for approval"))
    .requiredOption("-o, --out <file>", "plan file to write")
    .action(async (pb: string, flags) => void (code = await runCommand("plan", pb, flags, io)));
  addRunOptions(program.command("apply").argument("<playbook>").description("check → apply where needed → verify"))
    .option("--plan <file>", "apply exactly this approved plan")
    .option("-y, --yes", "do not ask for confirmation")
    .option("--resume <runId>", "resume an interrupted run, skipping finished hosts")
    .option("--lock-timeout <seconds>", "wait up to this long for a node locked by another remedy run; 0 fails at once", "60")
    .action(async (pb: string, flags) => void (code = await runCommand("apply", pb, flags, io)));
  program
    .command("validate")
    .argument("<playbooks...>")
    .description("schema and semantic validation only; no connection")
    .option("-i, --inventory <path>", "also validate this inventory and the playbooks' host patterns")
    .option("-e, --extra-vars <kv>", "key=value or JSON, as for check/apply (checked against typed inputs)", collect, [])
    .action(async (pbs: string[], flags) => void (code = await validateCommand(pbs, flags, io)));
  program
    .command("inventory")
    .description("show resolved hosts, groups and vars")
    .option("-i, --inventory <path>", "inventory file or directory; default $REMEDY_INVENTORY, $ANSIBLE_INVENTORY or ansible.cfg's inventory")
    .option("-l, --limit <pattern>", "host pattern")
    .option("--graph", "show the group tree")
    .option("--json", "ansible-inventory --list style JSON")
    .addOption(new Option("--check-reachable", "connect to every host and report reachability").hideHelp(false))
    .option("--known-hosts <file>", "known_hosts file")
    .option("--vault-password-file <file>", "ansible-vault password file (vaulted values still show as <vaulted>)")
    .option("--vault-id <id@source>", "vault id and password source (repeatable)", collect, [])
    .option("--ask-vault-pass", "ask for the ansible-vault password")
    .action(async (flags) => void (code = await inventoryCommand(flags, io)));
  if (!CORE_COMMANDS.has(argv[0] ?? "")) (await import("./commands/extra.js")).registerExtraCommands(program, io, (c) => (code = c), runCli);

  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return ExitCode.Ok;
      return ExitCode.InvalidInput;
    }
    if (e instanceof RemedyError) {
      io.err(`remedy: ${e.message}\n`);
      if (e instanceof InternalError) io.err("remedy: this is a bug in remedy; please report it with the command you ran.\n");
      return e.exitCode;
    }
    io.err(`remedy: internal error (a bug in remedy, please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return ExitCode.Internal;
  }
}
