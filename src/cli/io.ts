// What a command may touch of the outside world; tests pass their own.
import { createInterface } from "node:readline/promises";

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  isTTY: boolean;
  /** ask a question on the terminal (prompt on stderr); resolves to the line typed */
  ask: (question: string) => Promise<string>;
  /** aborted on SIGINT */
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** ask for a secret (e.g. --ask-vault-pass) on the terminal without echoing it; absent: not interactive */
  askSecret?: (question: string) => Promise<string>;
}

export function processIo(signal: AbortSignal): Io {
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    isTTY: Boolean(process.stdout.isTTY && process.stdin.isTTY),
    ask: async (q) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(q);
      } finally {
        rl.close();
      }
    },
    signal,
    env: process.env,
    cwd: process.cwd(),
    askSecret: process.stdin.isTTY ? askSecretOnTty : undefined,
  };
}

/** Reads one line from the terminal with echo off (raw mode), prompt on stderr. */
function askSecretOnTty(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    let value = "";
    stdin.setRawMode(true);
    stdin.resume();
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (d: Buffer) => {
      for (const ch of d.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003") return done(new Error("interrupted"));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on("data", onData);
  });
}
