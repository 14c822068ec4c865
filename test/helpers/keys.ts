// Throwaway SSH keys for tests, made with ssh-keygen (real OpenSSH formats).
// generateKeyPair(path) → { privatePath, publicPath, publicKey ("ssh-ed25519 AAAA... comment") }.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";

export interface KeyPair {
  privatePath: string;
  publicPath: string;
  /** one line: "<type> <base64> <comment>" */
  publicKey: string;
}

export function generateKeyPair(path: string, opts: { type?: "ed25519" | "rsa" | "ecdsa"; comment?: string; passphrase?: string } = {}): KeyPair {
  rmSync(path, { force: true });
  rmSync(`${path}.pub`, { force: true });
  const args = ["-q", "-t", opts.type ?? "ed25519", "-N", opts.passphrase ?? "", "-C", opts.comment ?? "remedy-test", "-f", path];
  if (opts.type === "rsa") args.splice(2, 0, "-b", "2048");
  execFileSync("ssh-keygen", args, { stdio: ["ignore", "ignore", "pipe"] });
  return { privatePath: path, publicPath: `${path}.pub`, publicKey: readFileSync(`${path}.pub`, "utf8").trim() };
}

/** "<type> <base64>" without the comment, as known_hosts wants it. */
export function keyTypeAndBlob(publicKey: string): string {
  return publicKey.trim().split(/\s+/).slice(0, 2).join(" ");
}

/** known_hosts host field for a host and port ("host" on 22, "[host]:port" otherwise). */
export function knownHostsHost(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}
