#!/usr/bin/env -S node --max-semi-space-size=4
// The bin entry: the only place that calls process.exit.
// The shebang caps V8's young generation at 4 MB a semi-space: a run's live heap is small, but by default
// the young generation grows to ~50 MB at 100 hosts (RSS 109 MB; 84 MB capped, same CPU; issue 16).
import { setMaxListeners } from "node:events";
import { runCli } from "./program.js";
import { processIo } from "./io.js";
import { ExitCode } from "./exit-codes.js";

const controller = new AbortController();
// Every host in flight (up to --forks, and hosts queued for a handshake) listens for Ctrl-C on this one
// signal: hundreds of listeners are the design, not a leak.
setMaxListeners(0, controller.signal);
let interrupts = 0;
process.on("SIGINT", () => {
  interrupts++;
  if (interrupts === 1) {
    process.stderr.write("\nInterrupted: no new steps start; waiting for in-flight commands and cleanup (Ctrl-C again to quit now)\n");
    controller.abort(new Error("interrupted"));
  } else process.exit(ExitCode.Interrupted);
});
process.on("SIGTERM", () => controller.abort(new Error("terminated")));

runCli(process.argv.slice(2), processIo(controller.signal)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`remedy: internal error (a bug in remedy, please report it): ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(ExitCode.Internal);
  },
);
