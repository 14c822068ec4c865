// Setup of the unit project, whose files share processes (vitest.config.ts: isolate false): process-wide
// state a file may leave behind is reset before every test, so no result depends on which file ran before.
import { beforeEach } from "vitest";
import { setVaultKeyring, VaultKeyring } from "../../src/inventory/vault.js";

beforeEach(() => {
  // set by every CLI run (src/cli/commands/run.ts) and by the vault tests
  setVaultKeyring(new VaultKeyring([]));
});
