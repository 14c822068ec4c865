// Issue 13 acceptance 1, statically for every shipped playbook and every input: an injection string is
// either refused by the input's type (exit 4 before connecting, see the invalid-input suite) or, when the
// type admits it, every command gets it as one shell-quoted word and every template reads it back exactly
// (shell templates are sourced by bash, as the node's initscripts do).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { Action } from "../../../src/model/playbook.js";
import { encodeValue, interpolate, loadPlaybook, parseTemplate } from "../../../src/playbook/index.js";
import { inputProblem } from "../../../src/playbook/inputs.js";
import { shellQuote } from "../../../src/transport/quote.js";
import { sampleFacts } from "../../helpers/facts.js";

const DIR = fileURLToPath(new URL("../../../playbooks/", import.meta.url));
const FILES = readdirSync(DIR).filter((f) => f.endsWith(".yml")).sort();
const INJECTIONS = ["$(touch /tmp/pwned)", "`touch /tmp/pwned`", "x; touch /tmp/pwned", "x\ntouch /tmp/pwned", "x' ; touch /tmp/pwned ; '", 'x" ; touch /tmp/pwned ; "', "*", "../../etc/passwd", "a b", "${IFS}", "ünï😀", "-rf /", "x|y", "x&&y"];
const tmp = mkdtempSync(join(tmpdir(), "remedy-shipped-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function templatesOf(a: Action): Array<{ text: string; syntax: "shell" | "sysctl" | "keyfile" | "plain" }> {
  return a.kind === "copy" && a.template && a.content !== undefined ? [{ text: a.content, syntax: a.syntax ?? "plain" }] : [];
}

describe("shipped playbooks: injection strings are refused or stay data", () => {
  for (const f of FILES) {
    it(f, async () => {
      const pb = await loadPlaybook(join(DIR, f));
      const inputs = Object.entries(pb.inputs ?? {});
      expect(inputs.length, `${f} declares its inputs`).toBeGreaterThan(0);
      for (const [name, spec] of inputs) {
        for (const s of INJECTIONS) {
          if (inputProblem(spec, s) !== undefined) continue; // refused before connecting
          const scope = { vars: { ...pb.vars, [name]: s }, facts: sampleFacts(), host: "node1", groups: { all: ["node1"] }, registered: {} };
          for (const step of pb.steps) {
            const run = step.check?.run;
            const texts = [run, ...step.apply.map((a) => (a.kind === "run" ? a.run : undefined))].filter((t): t is string => t !== undefined && t.includes(`{{ ${name} }}`));
            for (const t of texts) {
              let out: string;
              try {
                out = interpolate(t, scope, "shell");
              } catch {
                continue; // needs a registered value: rendered at run time the same way
              }
              expect(out, `${f} ${name}`).toContain(shellQuote(s));
            }
            for (const a of step.apply) {
              for (const tpl of templatesOf(a)) {
                const uses = parseTemplate(tpl.text).some((p) => p.kind === "expr" && "path" in p.head && p.head.path.root === name);
                if (!uses) continue;
                if (!encodeValue(tpl.syntax, s).ok) continue; // refused before connecting (run-check)
                const body = interpolate(tpl.text, scope, { file: tpl.syntax });
                if (tpl.syntax === "shell") {
                  const file = join(tmp, "conf");
                  writeFileSync(file, body);
                  const key = /^([A-Z_]+)=\{\{ (\w+) \}\}$/m.exec(tpl.text.split("\n").find((l) => l.includes(`{{ ${name} }}`))!)![1]!;
                  expect(execFileSync("bash", ["-c", `. "$1"; printf %s "$${key}"`, "_", file], { encoding: "utf8" })).toBe(s);
                }
              }
            }
          }
        }
      }
    });
  }
});
