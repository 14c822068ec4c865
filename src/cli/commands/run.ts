// check / plan / apply: load and validate everything first (nothing connects on bad input), then run.
import type { Io } from "../io.js";
import type { RunFlags } from "../options.js";
import { intFlag, parseExtraVars, parseSerial } from "../options.js";
import { InputError } from "../../errors.js";
import { loadPlaybook } from "../../playbook/index.js";
import { loadInventory, resolvePattern, hostVars, groupsView } from "../../inventory/index.js";
import { runPlaybook, type RunOptions, type RunResult } from "../../engine/runner.js";
import { systemClock } from "../../engine/context.js";
import { InventoryConnector } from "../connect.js";
import type { Mode, RunEvent } from "../../model/events.js";
import type { Playbook } from "../../model/playbook.js";
import type { Inventory } from "../../model/inventory.js";
import { Reporters, widthOf } from "../reporters.js";
import { renderPendingChanges } from "../../report/pending.js";
import { Redactor, secretValues } from "../../report/redact.js";
import { planHooks } from "../../plan/hooks.js";
import { BuildOnceService } from "../../artifacts/build-once.js";
import { artifactCacheDir } from "../../artifacts/cache.js";
import { Journal, loadJournal, journalPath as journalPathFor } from "../../engine/journal.js";
import { randomUUID } from "node:crypto";
import { resolveRunFlags, settingsNote } from "../run-settings.js";
import { vaultKeyringFor } from "../vault-password.js";
import { openInventory, setVaultKeyring } from "../../inventory/vault.js";
import { listRun } from "./list.js";
import { ExitCode } from "../exit-codes.js";

export interface Loaded {
  playbook: Playbook;
  inventory: Inventory;
  hosts: string[];
  extraVars: Record<string, unknown>;
}

export async function loadForRun(pbPath: string, flags: RunFlags): Promise<Loaded> {
  const extraVars = parseExtraVars(flags.extraVars ?? []);
  if (!flags.inventory) throw new InputError("missing -i/--inventory: name the inventory file or directory");
  const [playbook, inventory] = await Promise.all([loadPlaybook(pbPath, { extraVars }), loadInventory(flags.inventory)]);
  const hosts = resolvePattern(inventory, playbook.hosts, flags.limit);
  if (hosts.length === 0) {
    throw new InputError(`hosts pattern "${playbook.hosts}"${flags.limit ? ` limited by "${flags.limit}"` : ""} matches no host in ${flags.inventory}`);
  }
  return { playbook, inventory, hosts, extraVars };
}

export async function runCommand(mode: Mode, pbPath: string, cliFlags: RunFlags, io: Io): Promise<number> {
  const flags = resolveRunFlags(cliFlags, io); // -i/-f/-u/... defaults from the environment and ansible.cfg
  if (flags.verbose && !flags.json) io.err(settingsNote(flags.settings)); // -v: which settings came from where
  const forks = intFlag("forks", flags.forks, 1, 5000) ?? 50;
  const timeout = intFlag("timeout", flags.timeout, 1, 86400);
  const serial = parseSerial(flags.serial);
  const tags = flags.tags ? flags.tags.split(",").map((t) => t.trim()).filter(Boolean) : undefined;
  if (mode === "apply" && flags.plan && flags.resume) throw new InputError("--plan and --resume cannot be combined");
  const vault = await vaultKeyringFor(flags, io); // before loading: whole vaulted vars files decrypt while loading
  setVaultKeyring(vault);
  const loaded = await loadForRun(pbPath, flags);
  const { playbook, inventory, hosts, extraVars } = loaded;
  openInventory(inventory, hosts, vault, (h) => hostVars(inventory, h)); // inline !vault; refused here without a password
  const skipTags = flags.skipTags ? flags.skipTags.split(",").map((t) => t.trim()).filter(Boolean) : [];
  if (skipTags.length) playbook.steps = playbook.steps.filter((s) => !s.tags.some((t) => skipTags.includes(t)));
  if (flags.listHosts || flags.listTasks) return listRun(loaded, { ...flags, tags }, io);
  for (const w of (inventory as { warnings?: string[] }).warnings ?? []) io.err(`warning: ${w}\n`);
  if (timeout) for (const s of playbook.steps) if (!s.timeoutExplicit) s.timeoutSec = timeout; // a default only

  // apply connects to every host for its run lock before anything else: say so instead of a silent wait
  if (mode === "apply" && !flags.json && (flags.yes || flags.plan || io.isTTY)) io.err(`taking the run lock on ${hosts.length} host(s)…\n`);
  const plan = await planHooks(mode, flags, loaded, io);
  if (mode === "apply" && !flags.yes && !flags.plan) {
    if (!io.isTTY || flags.json) {
      throw new InputError("apply needs an approval when not run interactively: pass --yes, or --plan <file> from `remedy plan`");
    }
  }

  const redactor = new Redactor();
  redactor.add(vault.revealed); // every decrypted vault value is a secret, whatever its name
  redactor.add(secretValues(extraVars));
  redactor.add(secretValues(playbook.vars));
  const varsFor = (host: string) => ({ ...playbook.vars, ...hostVars(inventory, host), ...extraVars });
  for (const h of hosts) redactor.add(secretValues(hostVars(inventory, h)));

  const connector = new InventoryConnector(inventory, { knownHosts: flags.knownHosts, sshConfig: flags.sshConfig, ...flags.connect });
  const base: Omit<RunOptions, "mode" | "emit"> = {
    playbook,
    hosts,
    varsFor,
    groups: groupsView(inventory),
    connector,
    signal: io.signal,
    clock: systemClock,
    forks,
    serial,
    tags,
    diff: flags.diff,
    // one per run: hosts with the same artifact key share one build
    artifacts: new BuildOnceService({ cacheDir: artifactCacheDir(io.env), resolveHosts: (p) => resolvePattern(inventory, p) }),
    ...plan.runOptions,
  };
  let afterCalled = false;
  try {
    // interactive apply: show what would change, then ask
    if (mode === "apply" && !flags.yes && !flags.plan) {
      const preview = await runWithReporters("check", base, flags, io, redactor, { summaryOnly: false, preview: true });
      if (preview.exitCode !== 2) return preview.exitCode;
      io.out(renderPending(preview, widthOf(io)));
      if (!(await io.confirm(`Apply these changes to ${preview.summary.hosts.filter((h) => h.would_change > 0).length} host(s)?`))) {
        io.err("Nothing applied.\n");
        return ExitCode.Failed; // declined, as terraform: scripts must not read it as applied
      }
    }
    let journal: Journal | undefined;
    if (mode === "apply") {
      const stateDir = flags.settings.str("state_dir")!; // $REMEDY_STATE_DIR, $XDG_STATE_HOME/remedy, ~/.local/state/remedy
      const runId = flags.resume ?? base.runId ?? randomUUID();
      if (flags.resume) {
        const state = loadJournal(stateDir, flags.resume);
        if (state.header.playbookSha256 !== playbook.sha256) throw new InputError(`--resume ${flags.resume}: ${playbook.file} changed since that run; start a new run`);
        base.skipHosts = state.finished;
        base.leftCordoned = [...state.cordoned.values()];
        journal = new Journal(journalPathFor(stateDir, runId));
        io.err(`resuming run ${runId}: ${state.finished.size} host(s) already finished are skipped\n`);
      } else {
        journal = Journal.create(stateDir, { runId, playbook: playbook.file, playbookSha256: playbook.sha256, inventorySha256: inventory.sha256, hosts });
        io.err(`run ${runId} (journal ${journal.file}; after an interruption: remedy apply ... --resume ${runId})\n`);
      }
      base.runId = runId;
      base.onCordon = journal.cordon;
    }
    const result = await runWithReporters(mode, base, flags, io, redactor, { journal });
    const code = await plan.after(result, redactor);
    afterCalled = true;
    return code;
  } finally {
    if (!afterCalled) await plan.abandon?.(); // e.g. declined at the prompt, or an error: release node locks
    await connector.closeAll();
  }
}

async function runWithReporters(mode: Mode, base: Omit<RunOptions, "mode" | "emit">, flags: RunFlags, io: Io, redactor: Redactor, o: { summaryOnly?: boolean; journal?: Journal; preview?: boolean }): Promise<RunResult> {
  const reporters = new Reporters(io, { json: Boolean(flags.json), verbose: Boolean(flags.verbose), junit: flags.junit, junitFailOnChange: flags.junitFailOnChange, redactor, groupResults: !o.preview });
  const emit = (e: RunEvent) => {
    o.journal?.handle(redactor.event(e));
    reporters.emit(e);
  };
  try {
    const result = await runPlaybook({ ...base, mode, emit, runId: base.runId });
    return result;
  } finally {
    await reporters.close();
  }
}

/** What an interactive apply is about to do: grouped across hosts (src/report/pending.ts). */
export function renderPending(r: RunResult, width = 160): string {
  return renderPendingChanges(r.hosts, width);
}
