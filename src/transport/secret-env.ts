// Secret values never travel on a remote command line (where `ps` on the node would show them): a command
// refers to them as "$REMEDY_SECRET_<name>", and a short prelude reads their base64 from the session's
// stdin into environment variables before the command runs (exported: batched checks run in child shells;
// a process's environment is readable by its owner and root only, unlike its arguments). Works the same
// over sudo and locally.
import type { ExecOptions, ExecResult, Transport } from "./transport.js";

const NAME = /^REMEDY_SECRET_[A-Za-z_][A-Za-z0-9_]*$/;

/** The prelude and the stdin bytes that deliver `env` (only the names `command` refers to). */
export function secretDelivery(command: string, env: ReadonlyMap<string, string>): { prelude: string; stdin: Buffer } | undefined {
  const used = [...env.keys()].filter((k) => NAME.test(k) && command.includes(`$${k}`)).sort();
  if (used.length === 0) return undefined;
  const lines = used.map((k) => `IFS= read -r __rs || exit 125; ${k}=$(printf '%s\\n' "$__rs" | base64 -d; printf x); ${k}=\${${k}%x}; export ${k}`);
  const prelude = `${lines.join("\n")}\nunset __rs\n`;
  const stdin = Buffer.from(used.map((k) => Buffer.from(env.get(k)!, "utf8").toString("base64") + "\n").join(""));
  return { prelude, stdin };
}

/** A transport whose exec delivers the secrets a command refers to on stdin; everything else is passed through. */
export function withSecretEnv(t: Transport, env: ReadonlyMap<string, string>): Transport {
  const exec = (command: string, opts: ExecOptions = {}): Promise<ExecResult> => {
    const d = secretDelivery(command, env);
    if (!d) return t.exec(command, opts);
    const rest = opts.stdin === undefined ? Buffer.alloc(0) : Buffer.isBuffer(opts.stdin) ? opts.stdin : Buffer.from(opts.stdin);
    return t.exec(d.prelude + command, { ...opts, stdin: Buffer.concat([d.stdin, rest]) });
  };
  return {
    get host() {
      return t.host;
    },
    get connected() {
      return t.connected;
    },
    connect: (signal) => t.connect(signal),
    exec,
    put: (content, remotePath, opts) => t.put(content, remotePath, opts),
    get: (remotePath, localPath) => t.get(remotePath, localPath),
    close: () => t.close(),
  };
}
