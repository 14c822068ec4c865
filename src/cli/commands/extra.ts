// Commands beyond the run core: lab, demo, diagnose, panic-listen, show, cache.
import type { Command } from "commander";
import type { Io } from "../io.js";
import { registerLab } from "./lab.js";
import { registerDemo } from "./demo.js";
import { registerCache } from "./cache.js";
import { registerShow } from "./show.js";
import { registerDiagnose } from "./diagnose.js";
import { registerConfig } from "./config.js";
import { registerCompletion } from "./completion.js";
import { registerUnlock } from "./unlock.js";
import { InventoryConnector } from "../connect.js";

export function registerExtraCommands(program: Command, io: Io, setCode: (c: number) => void, runCli: (argv: string[], io: Io) => Promise<number>): void {
  registerLab(program, io, setCode);
  registerDemo(program, io, setCode, runCli);
  registerCache(program, io, setCode);
  registerShow(program, io, setCode);
  registerDiagnose(program, io, setCode);
  registerConfig(program, io, setCode);
  registerCompletion(program, io, setCode);
  registerUnlock(program, io, setCode, (inv, f, connect) => new InventoryConnector(inv, { knownHosts: f.knownHosts, sshConfig: f.sshConfig, ...connect }));
}
