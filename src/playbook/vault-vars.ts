// Inline `!vault` values in a playbook's own `vars:`: opened with the run's vault keyring, the same way as the
// inventory's (src/inventory/vault.ts), so every decrypted value is a secret whatever its name.
import { findVaulted, type VaultKeyring } from "../inventory/vault.js";
import type { Playbook } from "../model/playbook.js";

/**
 * Opens the playbook's vaulted vars in place. Without a password, a sealed var the run needs (one that no
 * target host's inventory vars override; -e already replaced it in `pb.vars`) is refused with its
 * file:line:col before anything connects; one every host overrides stays sealed and unused.
 */
export function openPlaybookVars(pb: Playbook, hosts: readonly string[], k: VaultKeyring, hostVarsOf: (host: string) => Record<string, unknown>): void {
  if (!k.empty) {
    k.open(pb.vars);
    return;
  }
  for (const [name, v] of Object.entries(pb.vars)) {
    const sealed = findVaulted(v);
    if (sealed && hosts.some((h) => !Object.hasOwn(hostVarsOf(h), name))) k.decrypt(sealed.envelope, sealed.at); // throws the located "needs a password" error
  }
}
