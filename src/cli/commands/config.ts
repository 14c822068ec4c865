// remedy config: every setting, its value and where it came from (flag, environment, ansible.cfg, default).
import type { Command } from "commander";
import type { Io } from "../io.js";
import { renderSettings } from "../../config/settings.js";
import { settingsFor } from "../run-settings.js";

export function registerConfig(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command("config")
    .description("show each setting (inventory, remote_user, forks, ...) and where its value came from")
    .option("-i, --inventory <path>", "as for check/apply")
    .option("-u, --user <name>", "as for check/apply")
    .option("--private-key <file>", "as for check/apply")
    .option("-b, --become", "as for check/apply")
    .option("-f, --forks <n>", "as for check/apply")
    .option("--vault-password-file <file>", "as for check/apply")
    .option("--json", "one JSON object: {ansibleCfg, settings: [{key, value, source}]}")
    .action((f: { inventory?: string; user?: string; privateKey?: string; become?: boolean; forks?: string; vaultPasswordFile?: string; json?: boolean }) => {
      const s = settingsFor(f, io);
      io.out(f.json ? JSON.stringify({ ansibleCfg: s.cfgFile ?? null, settings: s.all }) + "\n" : renderSettings(s));
      setCode(0);
    });
}
