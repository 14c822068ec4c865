// Run an artifact's build commands on its builder in a fresh work dir and download the output into a cache staging dir.
import { posix } from "node:path";
import type { Transport, ExecResult } from "../transport/transport.js";
import type { CommandRecord } from "../model/events.js";
import { shellQuote } from "../transport/quote.js";
import { actionFailure, excerpt } from "../engine/decide.js";
import { ArtifactError } from "./errors.js";
import { sha256File } from "./cache.js";
import type { ResolvedArtifact } from "./key.js";

export interface BuildRun {
  /** inventory name of the builder ("localhost" = the controller) */
  builder: string;
  transport: Transport;
  become: boolean;
  signal?: AbortSignal;
  /** each command the build ran, for the event stream */
  record?: (r: CommandRecord) => void;
}

export interface BuildResult {
  sha256: string;
  size: number;
  builderFacts: { kernel: string; arch: string };
}

export const WORKDIR_PREFIX = "remedy-artifact.";

/** One command line: cd into the work dir with $REMEDY_WORKDIR exported, then the user's command verbatim (own line: comments and `||` keep their meaning). */
export function buildCommand(workdir: string, command: string): string {
  const q = shellQuote(workdir);
  return `cd -- ${q} && REMEDY_WORKDIR=${q} && export REMEDY_WORKDIR || exit 125\n${command}`;
}

export function outputPath(workdir: string, output: string): string {
  return output.startsWith("/") ? output : posix.join(workdir, output);
}

/** Parses `mktemp -d` + uname output; pure for tests. */
export function parseWorkdir(stdout: string): { workdir: string; kernel: string; arch: string } | undefined {
  const [workdir, kernel = "", arch = ""] = stdout.split("\n").map((l) => l.trim());
  if (!workdir || !workdir.startsWith("/") || !workdir.includes(WORKDIR_PREFIX)) return undefined;
  return { workdir, kernel, arch };
}

/** Builds `a` on the builder and writes the output to `localPath`; the work dir is removed afterwards, also on failure. */
export async function buildArtifact(a: ResolvedArtifact, run: BuildRun, localPath: string): Promise<BuildResult> {
  const where = run.builder === "localhost" ? "the controller" : run.builder;
  const timeoutMs = a.timeoutSec * 1000;
  const exec = async (command: string, shown = command, timeout = timeoutMs): Promise<ExecResult> => {
    const r = await run.transport.exec(command, { timeoutMs: timeout, become: run.become, signal: run.signal });
    run.record?.({ command: `[${run.builder}] ${shown}`, exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, durationMs: r.durationMs, stdout: excerpt(r.stdout, 2000), stderr: excerpt(r.stderr, 2000) });
    return r;
  };

  const mk = await exec(`d=$(mktemp -d "\${TMPDIR:-/tmp}/${WORKDIR_PREFIX}XXXXXX") && printf '%s\\n' "$d" "$(uname -r)" "$(uname -m)"`, "mktemp -d (work dir)", 60_000);
  const wd = mk.exitCode === 0 ? parseWorkdir(mk.stdout) : undefined;
  if (!wd) throw new ArtifactError(`artifact ${a.name}: could not create a work dir on ${where}: ${actionFailure([0], mk, 60) ?? `unexpected output ${JSON.stringify(excerpt(mk.stdout, 200))}`}`);
  try {
    for (const cmd of a.build) {
      if (run.signal?.aborted) throw new ArtifactError(`artifact ${a.name}: interrupted during the build on ${where}`);
      const r = await exec(buildCommand(wd.workdir, cmd), cmd);
      const f = actionFailure([0], r, a.timeoutSec);
      if (f) throw new ArtifactError(`artifact ${a.name}: build on ${where} failed: \`${cmd}\` ${f}`);
    }
    const out = outputPath(wd.workdir, a.output);
    const sum = await exec(`sha256sum -- ${shellQuote(out)}`, `sha256sum ${out}`, 600_000);
    const remoteSha = sum.exitCode === 0 ? /^([0-9a-f]{64})\b/.exec(sum.stdout)?.[1] : undefined;
    if (!remoteSha) {
      throw new ArtifactError(`artifact ${a.name}: the build on ${where} succeeded but produced no readable ${out} (output: ${a.output}): ${excerpt(sum.stderr || sum.stdout, 300)}; check the build's output path`);
    }
    const got = await run.transport.get(out, localPath);
    const local = await sha256File(localPath);
    if (got.sha256 !== remoteSha || local.sha256 !== remoteSha) {
      throw new ArtifactError(`artifact ${a.name}: download of ${out} from ${where} is corrupt (sha256 on ${where} ${remoteSha}, received ${local.sha256}); re-run`);
    }
    return { sha256: remoteSha, size: local.size, builderFacts: { kernel: wd.kernel, arch: wd.arch } };
  } finally {
    // best effort: a leftover work dir wastes disk on the builder but does not change the result
    await exec(`rm -rf -- ${shellQuote(wd.workdir)}`, `rm -rf ${wd.workdir}`, 300_000).catch(() => undefined);
  }
}
