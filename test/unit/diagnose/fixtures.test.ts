// Every test/fixtures/diagnose/<case>/collected.txt → findings() must equal expected.json (ids, severity, playbooks, counts).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findings, isClean, parseCollected } from "../../../src/diagnose/index.js";

const DIR = fileURLToPath(new URL("../../fixtures/diagnose", import.meta.url));
interface Expected {
  id: string;
  severity: string;
  recommend: string;
  then?: string[];
  count: number;
  source: string;
  lineIncludes: string;
}

const cases = readdirSync(DIR).filter((d) => !d.startsWith("."));

describe("diagnose fixtures", () => {
  it("has the cases the issue asks for", () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
    for (const c of ["clean-el7", "clean-el9", "netdev-el7", "slub-el7", "slub-el9", "skb-el9", "pleg-el7", "sysctl-el9"]) expect(cases).toContain(c);
  });
  for (const c of cases) {
    it(c, () => {
      const obs = parseCollected(readFileSync(join(DIR, c, "collected.txt"), "utf8"));
      expect(obs.missingSections).toEqual([]);
      const want = JSON.parse(readFileSync(join(DIR, c, "expected.json"), "utf8")) as Expected[];
      const got = findings(obs);
      expect(got.map((f) => ({ id: f.id, severity: f.severity, recommend: f.recommend, then: f.then, count: f.evidence.count, source: f.evidence.source }))).toEqual(
        want.map((w) => ({ id: w.id, severity: w.severity, recommend: w.recommend, then: w.then, count: w.count, source: w.source })),
      );
      got.forEach((f, i) => expect(f.evidence.line).toContain(want[i]?.lineIncludes));
      expect(isClean(got)).toBe(want.every((w) => w.severity === "info"));
    });
  }
});
