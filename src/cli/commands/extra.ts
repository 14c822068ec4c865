// Commands beyond the run core: lab, demo, diagnose, panic-listen, show, cache.
import type { Command } from "commander";
import type { Io } from "../io.js";

export function registerExtraCommands(_program: Command, _io: Io, _setCode: (c: number) => void): void {
  // filled in as the lab, plan and diagnose modules land
}
