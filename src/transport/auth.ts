// ssh2 authHandler: ssh-agent, then each identity file, then the password. Records what was tried so an
// auth failure can name the user, host and keys.
import { existsSync, readFileSync, statSync } from "node:fs";
import ssh2 from "ssh2";
import type { AnyAuthMethod, AuthHandlerMiddleware, AuthenticationType, ParsedKey } from "ssh2";
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
    const key = loadIdentity(file);
    if (typeof key === "string") {
      problems.push(key);
      continue;
    }
    // the parsed key itself: ssh2 would otherwise parse the file's text again for every connection
    candidates.push({ label: file, needs: "publickey", method: { type: "publickey", username, key } });
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

// One parse per identity file per run, not two per host (ours to check it, ssh2's to use it): at 100 hosts
// parsing an RSA key was a visible share of the controller's CPU. Re-read when the file changes.
const identities = new Map<string, { stamp: string; key: ParsedKey | string }>();

/** The parsed private key, or why the file cannot be used. */
function loadIdentity(file: string): ParsedKey | string {
  let stamp: string;
  try {
    const st = statSync(file, { bigint: true });
    stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch (e) {
    return unreadable(file, e);
  }
  const hit = identities.get(file);
  if (hit?.stamp === stamp) return hit.key;
  let key: ParsedKey | string;
  try {
    const parsed = ssh2.utils.parseKey(readFileSync(file));
    const one = Array.isArray(parsed) ? parsed[0] : parsed;
    key =
      one instanceof Error || one === undefined
        ? /encrypted|passphrase/i.test(String(one?.message))
          ? `${file}: the key is passphrase-protected; load it into ssh-agent (ssh-add ${file}) and make SSH_AUTH_SOCK point at it`
          : `${file}: not a usable private key (${one?.message ?? "no key in the file"})`
        : one;
  } catch (e) {
    return unreadable(file, e);
  }
  identities.set(file, { stamp, key });
  return key;
}

function unreadable(file: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return `${file}: ${code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (e as Error).message}`;
}
