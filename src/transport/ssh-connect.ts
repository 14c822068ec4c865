// Turning a ConnectionSpec into ssh2 connect options (host key verifier, auth, algorithms) and ssh2's
// connect-time errors into TransportErrors that say what to do.
import type { ConnectConfig } from "ssh2";
import { TransportError } from "../errors.js";
import { authFailureMessage, planAuth, type AuthPlan } from "./auth.js";
import { appendKnownHost, fingerprint, knownKeyTypes, loadKnownHosts, preferredHostKeyAlgorithms, verifyHostKey, type HostKeyVerdict } from "./known-hosts.js";
import type { ConnectionSpec } from "./transport.js";
import { handshakeCapMs } from "./handshake-watch.js";

// ssh2 1.x defaults (lib/protocol/constants.js DEFAULT_SERVER_HOST_KEY), with ed25519 first as on Node 20.
const DEFAULT_HOST_KEY_ALGS = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa",
];

export interface ConnectPlan {
  config: ConnectConfig;
  auth: AuthPlan;
  /** the host key decision, set during the handshake */
  verdict(): HostKeyVerdict | undefined;
}

export function describeTarget(spec: ConnectionSpec): string {
  const addr = `${spec.hostname}:${spec.port}`;
  return spec.name !== spec.hostname ? `${spec.name} (${addr})` : addr;
}

/** `onWarning`: loud messages that do not stop the connection (a changed key with checking off, a key added). */
export function connectPlan(spec: ConnectionSpec, onWarning: (message: string) => void = () => undefined): ConnectPlan {
  const auth = planAuth(spec);
  let verdict: HostKeyVerdict | undefined;
  const config: ConnectConfig = {
    host: spec.hostname,
    port: spec.port,
    username: spec.user,
    readyTimeout: spec.connectTimeoutMs,
    keepaliveInterval: spec.keepaliveIntervalMs,
    keepaliveCountMax: 3,
    authHandler: auth.handler,
  };
  const files = loadKnownHosts(spec.knownHostsFiles);
  const id = { name: spec.name, hostname: spec.hostname, port: spec.port, aliases: [spec.name] };
  if (spec.hostKeyChecking === "off") {
    // Explicitly requested (ansible_host_key_checking=false / StrictHostKeyChecking=no): accept any key,
    // but a key that differs from the recorded one may be an attacker: say so loudly
    config.hostVerifier = (key: Buffer) => {
      const v = verifyHostKey(files, id, key);
      if (!v.ok && v.reason !== "unknown") onWarning(`host key checking is off, connecting anyway: ${v.message}`);
      return true;
    };
  } else {
    config.algorithms = { serverHostKey: preferredHostKeyAlgorithms(knownKeyTypes(files, id), DEFAULT_HOST_KEY_ALGS) as never };
    config.hostVerifier = (key: Buffer) => {
      const v = verifyHostKey(files, id, key);
      verdict = v;
      if (!v.ok && v.reason === "unknown" && spec.hostKeyChecking === "accept-new") {
        // OpenSSH's StrictHostKeyChecking=accept-new: trust on first use, never a changed or revoked key
        const file = spec.knownHostsFiles[0];
        if (!file) return false;
        try {
          const line = appendKnownHost(file, id, key);
          onWarning(`added the host key of ${describeTarget(spec)} to ${file} (accept-new): ${line.split(" ").slice(0, 2).join(" ")} ${fingerprint(key)}`);
          verdict = undefined;
          return true;
        } catch (e) {
          verdict = { ok: false, reason: "unknown", message: `${v.message}; accept-new could not write ${file}: ${(e as Error).message}` };
          return false;
        }
      }
      return v.ok;
    };
  }
  return { config, auth, verdict: () => verdict };
}

/** The server stayed silent for the whole connect timeout (`what`: at which point of the handshake). */
export function handshakeTimeout(spec: ConnectionSpec, what: string): TransportError {
  return new TransportError(spec.name, "timeout", `timed out connecting to ${describeTarget(spec)}: ${what} within ${spec.connectTimeoutMs / 1000}s (host down, firewalled or overloaded?)`);
}

/** An ssh2 'error' before 'ready' → TransportError with a kind the engine can act on. */
export function connectError(spec: ConnectionSpec, plan: ConnectPlan, err: Error & { level?: string; code?: string }): TransportError {
  const target = describeTarget(spec);
  const v = plan.verdict();
  if (v && !v.ok) return new TransportError(spec.name, "hostkey", v.message, { cause: err });
  if (err.level === "client-authentication") return new TransportError(spec.name, "auth", authFailureMessage(spec, plan.auth), { cause: err });
  if (err.level === "client-timeout") {
    // ssh2's own readyTimeout: the overall cap of a handshake that kept making progress, or (via a jump
    // host, where the silence watch does not apply) the connect timeout itself
    const cap = spec.proxyJump ? spec.connectTimeoutMs : handshakeCapMs(spec.connectTimeoutMs);
    const what = /handshake/i.test(err.message) ? `no SSH handshake within ${cap / 1000}s` : err.message;
    return new TransportError(spec.name, "timeout", `timed out connecting to ${target}: ${what} (host down, firewalled or overloaded?)`, { cause: err });
  }
  const why: Record<string, string> = {
    ECONNREFUSED: "connection refused (is sshd running and listening on that port?)",
    ENOTFOUND: "host name not found (check ansible_host / HostName)",
    EAI_AGAIN: "host name lookup failed temporarily (DNS)",
    EHOSTUNREACH: "no route to host",
    ENETUNREACH: "network unreachable",
    ETIMEDOUT: "TCP connect timed out",
    ECONNRESET: "connection reset during the handshake (sshd MaxStartups, TCP wrappers or a firewall?)",
  };
  const msg = (err.code && why[err.code]) ?? err.message;
  // a reset mid-handshake is how sshd sheds load (MaxStartups): the pool narrows and tries again
  return new TransportError(spec.name, "connect", `cannot connect to ${target} as ${spec.user}: ${msg}`, { cause: err, shed: err.code === "ECONNRESET" });
}
