// Runs the remedy CLI in-process with a capturing Io; parses --json event lines.
import { appendFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Io } from "../../../src/cli/io.js";
import type { RunEvent } from "../../../src/model/events.js";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));

/** The CLI's run path needs the SSH/local transports (src/transport/{spec,ssh,local}.ts). */
export const TRANSPORT_READY = ["spec.ts", "ssh.ts", "local.ts"].every((f) => existsSync(`${REPO}src/transport/${f}`));

export interface CliResult {
  code: number;
  out: string;
  err: string;
  events: RunEvent[];
}

export async function remedy(argv: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const { runCli } = await import("../../../src/cli/program.js");
  let out = "";
  let err = "";
  const trace = env.REMEDY_TEST_TRACE ? (s: string) => appendFileSync(env.REMEDY_TEST_TRACE!, s) : () => undefined;
  const io: Io = { out: (s) => void ((out += s), trace(s)), err: (s) => void ((err += s), trace(s)), isTTY: false, ask: async () => "no", signal: new AbortController().signal, env, cwd: REPO };
  const code = await runCli(argv, io);
  // --json run output is one event per line; other commands (cache list --json) print one pretty document
  const events = out
    .split("\n")
    .filter((l) => l.startsWith('{"v":') || l.startsWith('{"type":')) // versioned JSON-lines events (schemas/events.schema.json)
    .map((l) => JSON.parse(l) as RunEvent);
  return { code, out, err, events };
}

export const artifactEvents = (r: CliResult) => r.events.filter((e): e is Extract<RunEvent, { type: "artifact" }> => e.type === "artifact");
