// ssh2 authHandler: ssh-agent, then each identity file, then the password. Records what was tried so an
// auth failure can name the user, host and keys.
import { existsSync, readFileSync } from "node:fs";
import ssh2 from "ssh2";
import type { AnyAuthMethod, AuthHandlerMiddleware, AuthenticationType } from "ssh2";
import type { ConnectionSpec } from "./transport.js";

export interface AuthPlan {
  handler: AuthHandlerMiddleware;
  /** human-readable list of what was offered, in order (filled as methods are tried) */
  tried: string[];
  /** identity files that could not be used, with the reason */
  problems: string[];
}

interface Candidate {
  label: string;
  needs: AuthenticationType;
  method: AnyAuthMethod;
}

/** Loads the identity files now (so problems are known before connecting) and builds the handler. */
export function planAuth(spec: ConnectionSpec): AuthPlan {
  const problems: string[] = [];
  const candidates: Candidate[] = [];
  const username = spec.user;
  if (spec.agentSocket) {
    if (existsSync(spec.agentSocket)) {
      candidates.push({ label: `ssh-agent (${spec.agentSocket})`, needs: "publickey", method: { type: "agent", username, agent: spec.agentSocket } });
    } else problems.push(`ssh-agent socket ${spec.agentSocket} does not exist (stale SSH_AUTH_SOCK?)`);
  }
  for (const file of spec.identityFiles) {
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      problems.push(`${file}: ${code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (e as Error).message}`);
      continue;
    }
    const parsed = ssh2.utils.parseKey(data);
    if (parsed instanceof Error) {
      problems.push(
        /encrypted|passphrase/i.test(parsed.message)
          ? `${file}: the key is passphrase-protected; load it into ssh-agent (ssh-add ${file}) and make SSH_AUTH_SOCK point at it`
          : `${file}: not a usable private key (${parsed.message})`,
      );
      continue;
    }
    candidates.push({ label: file, needs: "publickey", method: { type: "publickey", username, key: data } });
  }
  if (spec.password !== undefined) {
    candidates.push({ label: "password", needs: "password", method: { type: "password", username, password: spec.password } });
  }
  const tried: string[] = [];
  let i = 0;
  const handler: AuthHandlerMiddleware = (methodsLeft, _partial, next) => {
    // methodsLeft is null on the first call; afterwards the server's list of acceptable methods.
    while (i < candidates.length) {
      const c = candidates[i++]!;
      if (methodsLeft && !methodsLeft.includes(c.needs)) continue;
      tried.push(c.label);
      return next(c.method);
    }
    return (next as unknown as (x: false) => void)(false);
  };
  return { handler, tried, problems };
}

export function authFailureMessage(spec: ConnectionSpec, plan: AuthPlan): string {
  const where = `${spec.user}@${spec.hostname}:${spec.port}${spec.name !== spec.hostname ? ` (${spec.name})` : ""}`;
  const tried = plan.tried.length ? `tried ${plan.tried.join(", ")}` : "no usable credentials (no agent, no identity file, no password)";
  const problems = plan.problems.length ? `; not usable: ${plan.problems.join("; ")}` : "";
  return `authentication failed for ${where}: ${tried}${problems}. Check ansible_user / ansible_ssh_private_key_file and the host's authorized_keys`;
}
