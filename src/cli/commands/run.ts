// check / plan / apply: load and validate everything first (nothing connects on bad input), then one run
// with one owner: one connector (one SSH connection per host), one run id (events, journal, lock owner,
// audit lines, JUnit), one typed summary; the exit code is computed here and only here.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Io } from "../io.js";
import type { RunFlags } from "../options.js";
import { parseExtraVars } from "../options.js";
import { parseRunRequest } from "./run-request.js";
import { InputError, InterruptedError } from "../../errors.js";
import { flagProblems, preflightProblems } from "../preflight.js";
import { loadPlaybook, openPlaybookVars } from "../../playbook/index.js";
import { loadInventory, resolvePattern, hostVars, groupsView } from "../../inventory/index.js";
import { runPlaybook, type RunOptions, type RunResult } from "../../engine/runner.js";
import { systemClock } from "../../engine/context.js";
import { InventoryConnector } from "../connect.js";
import type { Mode, RunEvent } from "../../model/events.js";
import type { Playbook } from "../../model/playbook.js";
import type { Loaded } from "./loaded.js";
import { Reporters, widthOf } from "../reporters.js";
import { renderNotOffered, renderPendingChanges, type PendingView } from "../../report/pending.js";
import { askToApply } from "../apply-prompt.js";
import { Redactor, secretValues } from "../../report/redact.js";
import { BuildOnceService } from "../../artifacts/build-once.js";
import { artifactCacheDir } from "../../artifacts/cache.js";
import { Journal, loadJournal, journalPath as journalPathFor } from "../../engine/journal.js";
import { NodeGate, layoutFrom } from "../../plan/gate.js";
import { localDeadRunProbe, pidAlive } from "../../plan/lock.js";
import { auditOfRun, type AuditRecord } from "../../plan/audit.js";
import { controllerIdentity } from "../../plan/who.js";
import { shellQuote } from "../../transport/quote.js";
import { ExitCode, exitCodeForRun } from "../exit-codes.js";
import { enforcement, loadPlanForApply, planWriter, refusalReport, type LoadedPlan } from "./run-plan.js";
import { resolveRunFlags, settingsNote } from "../run-settings.js";
import { vaultKeyringFor } from "../vault-password.js";
import { openInventory, setVaultKeyring, vaultedNames, type VaultKeyring } from "../../inventory/vault.js";
import { listRun } from "./list.js";

export type { Loaded } from "./loaded.js";

/** `preflight: false` for --list-hosts/--list-tasks, which run nothing (as ansible-playbook, they list without filling in values). */
/** `vault`: inline !vault values are opened before the pre-flight checks, which must see (and may refuse) plaintext values. */
export async function loadForRun(pbPath: string, flags: RunFlags, o: { preflight?: boolean; vault?: VaultKeyring } = {}): Promise<Loaded> {
  const extraVars = parseExtraVars(flags.extraVars ?? []);
  if (!flags.inventory) throw new InputError("missing -i/--inventory: name the inventory file or directory");
  const [playbook, inventory] = await Promise.all([loadPlaybook(pbPath, { extraVars }), loadInventory(flags.inventory)]);
  const hosts = resolvePattern(inventory, playbook.hosts, flags.limit);
  if (hosts.length === 0) {
    throw new InputError(`hosts pattern "${playbook.hosts}"${flags.limit ? ` limited by "${flags.limit}"` : ""} matches no host in ${flags.inventory}`);
  }
  if (o.vault) {
    // inline !vault values of the inventory and of the playbook's vars: refused here without a password
    openInventory(inventory, hosts, o.vault, (h) => hostVars(inventory, h));
    openPlaybookVars(playbook, hosts, o.vault, (h) => hostVars(inventory, h));
  }
  if (o.preflight !== false) {
    const problems = await preflightProblems({ playbook, inventory, hosts, extraVars });
    if (problems.length) throw new InputError(problems);
  }
  return { playbook, inventory, hosts, extraVars };
}

/** A tag filter that selects nothing is a typo, not "everything is compliant": exit 4, before connecting. */
export function checkTags(pb: Playbook, flag: "--tags" | "--skip-tags", tags: string[] | undefined): void {
  if (!tags?.length) return;
  const known = [...new Set(pb.steps.flatMap((s) => s.tags))].sort();
  const unknown = tags.filter((t) => !known.includes(t));
  if (flag === "--tags" ? unknown.length === tags.length : unknown.length > 0) {
    throw new InputError([{ file: pb.file, message: `${flag} ${unknown.join(",")}: no step has ${unknown.length > 1 ? "these tags" : "this tag"}; known tags: ${known.length ? known.join(", ") : "(none: this playbook's steps have no tags)"}` }]);
  }
}

function redactorFor(l: Loaded, hosts: string[], vault?: VaultKeyring): Redactor {
  const r = new Redactor();
  if (vault) r.add(vault.revealed); // every decrypted vault value is a secret, whatever its name
  r.add(secretValues(l.extraVars, l.playbook.inputs));
  r.add(secretValues(l.playbook.vars, l.playbook.inputs));
  for (const h of hosts) r.add(secretValues(hostVars(l.inventory, h), l.playbook.inputs));
  return r;
}

export async function runCommand(mode: Mode, pbPath: string, cliFlags: RunFlags, io: Io): Promise<number> {
  const flags = resolveRunFlags(cliFlags, io); // -i/-f/-u/... defaults from the environment and ansible.cfg
  if (flags.verbose && !flags.json) io.err(settingsNote(flags.settings)); // -v: which settings came from where
  const req = parseRunRequest(mode, pbPath, flags, io);
  const badFlags = flagProblems(flags, io.cwd, { journal: mode === "apply", stateDir: flags.settings.str("state_dir") });
  if (badFlags.length) throw new InputError(badFlags);
  const { forks, lockWaitMs, serial, skipTags } = req;
  let tags = req.tags;
  const vault = await vaultKeyringFor(flags, io); // before loading: whole vaulted vars files decrypt while loading
  setVaultKeyring(vault);
  const listing = Boolean(flags.listHosts || flags.listTasks);
  const loaded = await loadForRun(pbPath, flags, { preflight: !listing, vault });
  const { playbook, inventory, extraVars } = loaded;
  let hosts = loaded.hosts;
  checkTags(playbook, "--tags", tags);
  checkTags(playbook, "--skip-tags", skipTags);
  if (listing) {
    const steps = playbook.steps.filter((st) => !st.tags.some((t) => skipTags?.includes(t)));
    return listRun({ ...loaded, playbook: { ...playbook, steps } }, { ...flags, tags }, io);
  }
  for (const w of (inventory as { warnings?: string[] }).warnings ?? []) io.err(`warning: ${w}\n`);
  if (req.timeoutSec) for (const s of playbook.steps) if (!s.timeoutExplicit) s.timeoutSec = req.timeoutSec; // a default only

  const writePlan = mode === "plan" ? await planWriter(flags, loaded, io, tags) : undefined;
  let plan: LoadedPlan | undefined;
  if (req.approval.kind === "plan") {
    plan = await loadPlanForApply(flags, loaded, io, tags, (hs) => redactorFor(loaded, hs, vault));
    hosts = plan.hosts;
    tags = plan.tags;
  }
  const interactive = req.approval.kind === "interactive";

  const redactor = redactorFor(loaded, hosts, vault);
  const varsFor = (host: string) => ({ ...playbook.vars, ...hostVars(inventory, host), ...extraVars });
  // the run id: a resumed run keeps the killed run's id (journal, lock owner, audit lines, events, JUnit)
  const runId = req.resume ?? randomUUID();
  let journal: Journal | undefined;
  const stateDir = flags.settings.str("state_dir")!; // $REMEDY_STATE_DIR, $XDG_STATE_HOME/remedy, ~/.local/state/remedy
  let resumeState: ReturnType<typeof loadJournal> | undefined;
  if (mode === "apply" && req.resume) {
    resumeState = loadJournal(stateDir, req.resume);
    if (resumeState.header.playbookSha256 !== playbook.sha256) throw new InputError(`--resume ${req.resume}: ${playbook.file} changed since that run; start a new run`);
  }

  // loud connection news (a changed host key with checking off, a key added by accept-new): a warning event
  // of the run in progress, stderr outside one
  const relay: Relay = {};
  const onWarning = (host: string, m: string) => (relay.emit ? relay.emit({ type: "warning", host, message: m, time: new Date().toISOString() }) : io.err(`WARNING: ${host}: ${m}\n`));
  const connector = new InventoryConnector(inventory, { knownHosts: flags.knownHosts, sshConfig: flags.sshConfig, onWarning, ...flags.connect });
  const layout = layoutFrom(io.env);
  const creator = controllerIdentity(io.env);
  const gate =
    mode === "apply"
      ? new NodeGate({
          layout,
          owner: { runId, controller: creator.who, since: new Date().toISOString(), planId: plan?.doc.id, controllerHost: hostname(), controllerPid: process.pid },
          audit: { creator, runId, planId: plan?.doc.id, playbook: { path: playbook.file, sha256: playbook.sha256 } },
          become: playbook.become,
          waitMs: lockWaitMs,
          deadRun: localDeadRunProbe(hostname(), pidAlive),
          sleep: systemClock.sleep,
          now: systemClock.now,
          signal: io.signal,
          redact: (s) => redactor.text(s),
          onWait: (m, w) => io.err(`waiting up to ${Math.round(w / 1000)} s for the run lock: ${m}\n`),
          onWarning: (m) => io.err(`warning: ${m}\n`),
        })
      : undefined;
  const base: Omit<RunOptions, "mode" | "emit"> = {
    runId,
    playbook,
    hosts,
    varsFor,
    // decrypted vault values travel like secrets ("$REMEDY_SECRET_<name>", value on stdin), whatever the var is called
    secretVarsFor: (h) => vaultedNames(varsFor(h), vault),
    groups: groupsView(inventory),
    connector,
    signal: io.signal,
    clock: systemClock,
    forks,
    serial,
    tags,
    skipTags,
    diff: flags.diff,
    // one per run: hosts with the same artifact key share one build
    artifacts: new BuildOnceService({ cacheDir: artifactCacheDir(io.env), resolveHosts: (p) => resolvePattern(inventory, p) }),
  };
  try {
    if (interactive) {
      // show what would change, then ask; hosts whose apply would fail are not offered
      const preview = await runWithReporters("check", base, flags, io, redactor, { relay, preview: true });
      const pending = preview.hosts.filter((h) => h.status === "would_change").map((h) => h.host);
      const previewCode = exitCodeForRun(preview.summary);
      if (!pending.length) return previewCode === ExitCode.ChangesPending ? ExitCode.Ok : previewCode;
      // one screen, whatever the number of hosts; `d` at the prompt shows every command and diff line
      io.out(redactor.text(renderPending(preview, widthOf(io))));
      const excluded = preview.hosts.filter((h) => h.status !== "would_change" && h.status !== "ok");
      io.out(renderNotOffered(excluded, widthOf(io)));
      if (!(await askToApply(io, pending.length, () => redactor.text(renderPending(preview, widthOf(io), { details: true }))))) {
        io.err("Nothing applied.\n");
        return ExitCode.Failed; // declined, as terraform: scripts must not read it as applied
      }
      base.hosts = pending;
    }
    if (mode === "apply") {
      if (resumeState) {
        base.skipHosts = resumeState.finished;
        base.leftCordoned = [...resumeState.cordoned.values()];
        base.earlierRun = async (_host, t) => {
          const r = await t.exec(`grep -F ${shellQuote(`"run_id":${JSON.stringify(runId)}`)} ${shellQuote(layout.auditFile)} 2>/dev/null || true`, { timeoutMs: 30_000, become: playbook.become });
          return auditOfRun(r.stdout, runId).map(describeAudit);
        };
        journal = new Journal(journalPathFor(stateDir, runId));
        io.err(`resuming run ${runId}: ${resumeState.finished.size} host(s) already finished are skipped\n`);
        for (const line of resumeState.report) io.err(`  the interrupted run: ${line}\n`);
      } else {
        journal = Journal.create(stateDir, { runId, playbook: playbook.file, playbookSha256: playbook.sha256, inventorySha256: inventory.sha256, hosts: base.hosts });
        io.err(`run ${runId} (journal ${journal.file}; after an interruption: remedy apply ... --resume ${runId})\n`);
      }
      base.gate = gate;
      base.onCordon = journal.cordon;
      if (plan) base.plan = enforcement(plan, redactor, lockWaitMs, io);
    }
    const result = await runWithReporters(mode, base, flags, io, redactor, { journal, relay });
    if (plan && result.planRefusals.length) {
      io.err(refusalReport(plan, result.planRefusals));
      if (io.signal.aborted) throw new InterruptedError("interrupted during the plan's check pass; nothing was applied");
    }
    if (writePlan) await writePlan(result, redactor);
    return exitCodeForRun(result.summary);
  } finally {
    await connector.closeAll();
  }
}

function describeAudit(r: AuditRecord): string {
  const what = r.action ?? r.result ?? "";
  if (r.event === "intent") return `${r.time} step "${r.step.name}": started ${r.phase ?? "apply"} action ${what}`;
  if (r.event === "result") return `${r.time} step "${r.step.name}": ${r.ok ? "finished" : "FAILED"} ${r.phase ?? "apply"} action ${what}${r.message ? ` (${r.message})` : ""}`;
  return `${r.time} step "${r.step.name}": ${r.result}${r.message ? ` (${r.message})` : ""}`;
}

/** Where transport warnings go while a run's reporters are open. */
interface Relay {
  emit?: (e: RunEvent) => void;
}

async function runWithReporters(mode: Mode, base: Omit<RunOptions, "mode" | "emit">, flags: RunFlags, io: Io, redactor: Redactor, o: { journal?: Journal; relay?: Relay; preview?: boolean }): Promise<RunResult> {
  const reporters = new Reporters(io, { json: Boolean(flags.json), verbose: Boolean(flags.verbose), junit: flags.junit, junitFailOnChange: flags.junitFailOnChange, redactor, groupResults: !o.preview });
  const emit = (e: RunEvent) => {
    // the exit code is the CLI's: stamped on run_end for JSON readers, from the typed summary
    const ev: RunEvent = e.type === "run_end" ? { ...e, exitCode: exitCodeForRun(e.summary) } : e;
    o.journal?.handle(redactor.event(ev));
    reporters.emit(ev);
  };
  if (o.relay) o.relay.emit = emit;
  try {
    return await runPlaybook({ ...base, mode, emit });
  } finally {
    if (o.relay) o.relay.emit = undefined;
    await reporters.close();
  }
}

/** What an interactive apply is about to do: grouped across hosts (src/report/pending.ts); hosts that would fail are not offered. */
export function renderPending(r: RunResult, width = 160, view: PendingView = {}): string {
  return renderPendingChanges(r.hosts.filter((h) => h.status === "would_change"), width, view);
}
