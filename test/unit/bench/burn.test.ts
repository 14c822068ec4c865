// A bench killed mid-run must not leave its CPU burners saturating the machine for whatever runs next.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { BURN_LOOP } from "../../../bench/lib/burn.mjs";

describe("bench CPU burners", () => {
  it("a burner ends by itself once the process it belongs to is gone", async () => {
    const owner = spawn("sleep", ["0.3"]);
    const burner = spawn("/bin/sh", ["-c", BURN_LOOP, "burn", String(owner.pid)], { stdio: "ignore" });
    try {
      const code = await new Promise<number | null>((resolve, reject) => {
        burner.once("exit", (c) => resolve(c));
        // generous: the loop looks a few times a second even on a loaded machine
        setTimeout(() => reject(new Error("burner outlived its owner by 30 s")), 30_000).unref();
      });
      expect(code).toBe(0);
      expect(owner.exitCode).toBe(0);
    } finally {
      burner.kill("SIGKILL");
    }
  }, 40_000);
});
