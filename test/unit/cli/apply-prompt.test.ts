// The apply prompt: y/yes applies, d/details prints the full list and asks again, anything else declines.
import { describe, expect, it } from "vitest";
import { askToApply } from "../../../src/cli/apply-prompt.js";

function io(answers: string[]) {
  const asked: string[] = [];
  let out = "";
  return {
    io: {
      ask: async (q: string) => {
        asked.push(q);
        const a = answers.shift();
        if (a === undefined) throw new Error(`asked more often than answered: ${q}`);
        return a;
      },
      out: (s: string) => void (out += s),
    },
    asked,
    out: () => out,
  };
}

describe("askToApply", () => {
  it.each([["y"], ["yes"], [" YES "]])("%j applies", async (a) => {
    const t = io([a]);
    expect(await askToApply(t.io, 4, () => "DETAILS\n")).toBe(true);
    expect(t.asked).toEqual(["Apply these changes to 4 host(s)? [y/N, d = details] "]);
    expect(t.out()).toBe("");
  });

  it.each([[""], ["n"], ["no"], ["yess"], ["apply"]])("%j declines", async (a) => {
    expect(await askToApply(io([a]).io, 4, () => "DETAILS\n")).toBe(false);
  });

  it("d and details print the full list and ask again", async () => {
    const t = io(["d", "details", "yes"]);
    expect(await askToApply(t.io, 100, () => "DETAILS\n")).toBe(true);
    expect(t.out()).toBe("DETAILS\nDETAILS\n");
    expect(t.asked).toHaveLength(3);
    const declined = io(["D", "n"]);
    expect(await askToApply(declined.io, 100, () => "DETAILS\n")).toBe(false);
    expect(declined.out()).toBe("DETAILS\n");
  });
});
