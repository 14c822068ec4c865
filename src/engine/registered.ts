// What `register:` stores for a command's result.
import type { ExecResult } from "../transport/transport.js";

export function registered(r: ExecResult, extra: { compliant?: boolean; changed?: boolean }) {
  return { stdout: r.stdout, stderr: r.stderr, rc: r.exitCode, stdout_lines: r.stdout.split("\n").filter((l, i, a) => l !== "" || i < a.length - 1), ...extra };
}
