// Typed errors. Each carries its own message (and cause); only src/cli/main.ts turns them into exit codes.
import { ExitCode } from "./exit-code.js";

export class RemedyError extends Error {
  readonly exitCode: ExitCode = ExitCode.Internal;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem in a user-supplied file, located at file:line:col. */
export interface InputProblem {
  file: string;
  line?: number;
  col?: number;
  message: string;
}

export function formatProblem(p: InputProblem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}:${p.col ?? 1}` : p.file;
  return `${where}: ${p.message}`;
}

/** Invalid playbook, inventory, plan file or CLI argument: nothing was run (exit 4). */
export class InputError extends RemedyError {
  override readonly exitCode = ExitCode.InvalidInput;
  readonly problems: InputProblem[];
  constructor(problems: InputProblem[] | string, options?: { cause?: unknown }) {
    const list = typeof problems === "string" ? [{ file: "", message: problems }] : problems;
    super(list.map((p) => (p.file ? formatProblem(p) : p.message)).join("\n"), options);
    this.problems = list;
  }
}

/** A plan that must not be applied (exit 5). */
export class PlanRefusedError extends RemedyError {
  override readonly exitCode = ExitCode.PlanRefused;
}

/** Transport-level failure (connect, auth, host key, channel); never a non-zero exit of a command. */
export class TransportError extends RemedyError {
  override readonly exitCode = ExitCode.Unreachable;
  readonly host: string;
  readonly kind: "connect" | "auth" | "hostkey" | "timeout" | "channel" | "closed" | "sftp";
  /** the server shed the handshake (reset or closed before the banner, e.g. sshd MaxStartups): worth another try later */
  readonly shed: boolean;
  constructor(host: string, kind: TransportError["kind"], message: string, options?: { cause?: unknown; shed?: boolean }) {
    super(message, options);
    this.host = host;
    this.kind = kind;
    this.shed = options?.shed ?? false;
  }
}

/** The user pressed Ctrl-C (exit 130). */
export class InterruptedError extends RemedyError {
  override readonly exitCode = ExitCode.Interrupted;
}

/** Lab setup problems (not root, sshd missing...). */
export class LabError extends RemedyError {
  override readonly exitCode = ExitCode.InvalidInput;
}

/** A bug in remedy itself (exit 70). */
export class InternalError extends RemedyError {
  override readonly exitCode = ExitCode.Internal;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
