// What a command may touch of the outside world; tests pass their own.
import { createInterface } from "node:readline/promises";

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  isTTY: boolean;
  /** ask a yes/no question on the terminal */
  confirm: (question: string) => Promise<boolean>;
  /** aborted on SIGINT */
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIo(signal: AbortSignal): Io {
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    isTTY: Boolean(process.stdout.isTTY && process.stdin.isTTY),
    confirm: async (q) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        const a = await rl.question(`${q} [y/N] `);
        return /^y(es)?$/i.test(a.trim());
      } finally {
        rl.close();
      }
    },
    signal,
    env: process.env,
    cwd: process.cwd(),
  };
}
