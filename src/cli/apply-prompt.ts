// The interactive apply's question, after the one-screen pending summary: `y`/`yes` applies, `d`/`details`
// prints the full pending list (every command, every --diff line) and asks again, anything else declines.
import type { Io } from "./io.js";

export const APPLY_ANSWERS = "[y/N, d = details]";

export async function askToApply(io: Pick<Io, "ask" | "out">, hosts: number, details: () => string): Promise<boolean> {
  for (;;) {
    const a = (await io.ask(`Apply these changes to ${hosts} host(s)? ${APPLY_ANSWERS} `)).trim().toLowerCase();
    if (a === "d" || a === "details") {
      io.out(details());
      continue;
    }
    return a === "y" || a === "yes";
  }
}
