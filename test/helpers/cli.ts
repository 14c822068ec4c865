// Run the CLI in-process with captured output (the same code path as the bin, minus process.exit).
import { setMaxListeners } from "node:events";
import { runCli } from "../../src/cli/program.js";
import type { Io } from "../../src/cli/io.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  events: Array<Record<string, unknown> & { type: string }>;
}

/** The run's signal as the bin makes it (src/cli/main.ts): one listener per host connection, no warning past 10. */
function runSignal(): AbortSignal {
  const { signal } = new AbortController();
  setMaxListeners(0, signal);
  return signal;
}

/** `answer`: yes or no at the apply prompt; `answers`: the lines typed at successive prompts (then "no"). */
export async function cli(argv: string[], opts: { tty?: boolean; answer?: boolean; answers?: string[]; signal?: AbortSignal; cwd?: string; env?: NodeJS.ProcessEnv; secret?: string } = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const answers = [...(opts.answers ?? [])];
  const io: Io = {
    out: (s) => void (stdout += s),
    err: (s) => void (stderr += s),
    isTTY: Boolean(opts.tty),
    ask: async () => (answers.length ? answers.shift()! : opts.answer ? "yes" : "no"),
    signal: opts.signal ?? runSignal(),
    env: opts.env ?? process.env,
    ...(opts.secret !== undefined ? { askSecret: async () => opts.secret! } : {}),
    cwd: opts.cwd ?? process.cwd(),
  };
  const code = await runCli(argv, io);
  const events = argv.includes("--json")
    ? stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as CliRun["events"][number])
    : [];
  return { code, stdout, stderr, events };
}
