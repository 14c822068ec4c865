// remedy inventory: resolved hosts/groups/vars; --check-reachable connects (host keys verified).
import type { Io } from "../io.js";
import { ExitCode } from "../exit-codes.js";
import { hostVars, loadInventory, resolvePattern, renderInventory } from "../../inventory/index.js";
import { maskVaulted, openInventory, setVaultKeyring } from "../../inventory/vault.js";
import { vaultKeyringFor } from "../vault-password.js";
import { InventoryConnector } from "../connect.js";
import { pool } from "../../engine/runner.js";
import { errorMessage } from "../../errors.js";
import { resolveRunFlags } from "../run-settings.js";

export async function inventoryCommand(
  flags: { inventory?: string; limit?: string; graph?: boolean; json?: boolean; checkReachable?: boolean; knownHosts?: string; vaultPasswordFile?: string; vaultId?: string[]; askVaultPass?: boolean },
  io: Io,
): Promise<number> {
  const resolved = resolveRunFlags(flags, io); // -i, else $REMEDY_INVENTORY / ansible.cfg
  const { inventory, connect } = resolved;
  const vault = await vaultKeyringFor(resolved, io); // vaulted vars files need it to load at all
  setVaultKeyring(vault);
  const inv = await loadInventory(inventory);
  maskVaulted(inv, vault); // shown as <vaulted>, never decrypted for display
  const hosts = resolvePattern(inv, flags.limit ?? "all");
  io.out(renderInventory(inv, hosts, { graph: Boolean(flags.graph), json: Boolean(flags.json) }));
  if (!flags.checkReachable) return ExitCode.Ok;
  // connections need the real values (e.g. a vaulted become password): a fresh load, opened
  const live = await loadInventory(inventory);
  openInventory(live, hosts, vault, (h) => hostVars(live, h));
  const connector = new InventoryConnector(live, { knownHosts: flags.knownHosts, ...connect });
  const down: string[] = [];
  try {
    await pool(hosts, 100, io.signal, async (h) => {
      try {
        const t = await connector.get(h, io.signal);
        const r = await t.exec("true", { timeoutMs: 30_000 });
        if (r.exitCode !== 0) down.push(`${h}: \`true\` exited ${r.exitCode}`);
      } catch (e) {
        down.push(`${h}: ${errorMessage(e)}`);
      }
    });
  } finally {
    await connector.closeAll();
  }
  for (const d of down) io.err(`unreachable ${d}\n`);
  io.out(`${hosts.length - down.length}/${hosts.length} hosts reachable\n`);
  return down.length ? ExitCode.Unreachable : ExitCode.Ok;
}
