// The narrow transport interface: connect, exec, put/get, close. No ssh2 types leak past this file's implementors.

export interface ExecResult {
  /** null when the command ended by a signal or was killed at its timeout */
  exitCode: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut?: boolean;
}

export interface ExecOptions {
  /** ms; the command is killed (signal, then channel close) when exceeded and resolves with timedOut */
  timeoutMs?: number;
  /** text fed to the command's stdin */
  stdin?: string | Buffer;
  /** run via non-interactive sudo */
  become?: boolean;
  becomeUser?: string;
  signal?: AbortSignal;
  /** sees stdout as it arrives (it is still captured in the result); a transport that cannot stream never calls it */
  onStdoutChunk?: (chunk: Buffer) => void;
}

export interface PutOptions {
  mode?: number;
  owner?: string;
  group?: string;
  /** keep a copy of the replaced file as <dest>.remedy-bak.<timestamp> */
  backup?: boolean;
  become?: boolean;
}

export interface PutResult {
  sha256: string;
  bytes: number;
  changed: boolean;
  backupPath?: string;
}

export interface Transport {
  readonly host: string;
  connect(signal?: AbortSignal): Promise<void>;
  /** Resolves for any exit code; rejects only with TransportError (connection problems) */
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  /** Atomic upload: temp file in the destination dir, fsync, sha256 checked on the far side, rename. */
  put(content: Buffer | { localPath: string }, remotePath: string, opts?: PutOptions): Promise<PutResult>;
  /** Download a remote file to a local path (temp + rename locally). */
  get(remotePath: string, localPath: string): Promise<{ sha256: string; bytes: number }>;
  close(): Promise<void>;
  /** True while the underlying connection is up. */
  readonly connected: boolean;
}

/** Connection parameters resolved from inventory vars, ~/.ssh/config and CLI flags. */
export interface ConnectionSpec {
  /** inventory name */
  name: string;
  hostname: string;
  port: number;
  user: string;
  identityFiles: string[];
  agentSocket?: string;
  password?: string;
  knownHostsFiles: string[];
  /**
   * "strict" (default) refuses unknown and changed keys; "accept-new" (OpenSSH's) adds an unknown key to the
   * first known_hosts file and refuses a changed one; "off" accepts any key (a changed one is still warned about)
   */
  hostKeyChecking: "strict" | "accept-new" | "off";
  proxyJump?: ConnectionSpec;
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  maxSessions: number;
  become: boolean;
  becomeUser?: string;
  becomePassword?: string;
  /** "ssh" (default) or "local" (child_process on this machine) */
  connection: "ssh" | "local";
  /** settings that were given but not understood (e.g. unsupported ansible_ssh_common_args), for the UI */
  warnings?: string[];
}

export type TransportFactory = (spec: ConnectionSpec) => Transport;
