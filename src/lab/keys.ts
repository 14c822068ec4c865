// ed25519 keys via ssh-keygen (client key, one host key per node).
import { existsSync, readFileSync, rmSync } from "node:fs";
import { LabError } from "../errors.js";
import { run } from "./run.js";

/** Creates (replacing) an unencrypted ed25519 key pair at path / path.pub; returns the public key text. */
export async function generateKey(path: string, comment: string): Promise<string> {
  rmSync(path, { force: true });
  rmSync(`${path}.pub`, { force: true });
  const r = await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path]);
  if (r.code !== 0 || !existsSync(`${path}.pub`)) {
    throw new LabError(`lab: ssh-keygen for ${path} failed: ${r.stderr.trim()} (apt-get install openssh-client)`);
  }
  return readFileSync(`${path}.pub`, "utf8");
}
