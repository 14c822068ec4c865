// The build writes the playbook schema's validator as code (scripts/build-schema-validator.mjs): it must
// judge every fixture exactly as the validator compiled at run time does (dist/ as built; `npm test` builds).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { schemaCompiler, schemaDigest } from "../../../src/playbook/schema.js";
import { validatePlaybookFile } from "../../../src/playbook/index.js";

const REPO = resolve(import.meta.dirname, "../../..");
const PRE = join(REPO, "dist/playbook/schema-validator.cjs");
const fixtures = ["test/fixtures/playbooks/invalid", "test/fixtures/playbooks/valid", "playbooks"].flatMap((d) =>
  readdirSync(join(REPO, d)).filter((f) => f.endsWith(".yml")).map((f) => join(REPO, d, f)),
);

describe("precompiled playbook schema validator", () => {
  it("exists after the build and carries the digest of the current schema", () => {
    if (!existsSync(PRE)) throw new Error(`${PRE} missing: run \`npm run build\` first`);
    const pre = createRequire(import.meta.url)(PRE);
    expect(pre.schemaDigest).toBe(schemaDigest(readFileSync(join(REPO, "schemas/playbook.schema.json"), "utf8")));
  });

  it("reports the same errors as the run-time compiled validator on every fixture and shipped playbook", () => {
    const pre = createRequire(import.meta.url)(PRE);
    const { ajv, schema } = schemaCompiler();
    const compiled = ajv.compile(schema);
    expect(fixtures.length).toBeGreaterThan(20);
    let invalid = 0;
    for (const f of fixtures) {
      let data: unknown;
      try {
        data = parse(readFileSync(f, "utf8"));
      } catch {
        continue; // YAML syntax fixtures never reach the schema
      }
      const a = compiled(data);
      const b = pre.default(data);
      expect(b, f).toBe(a);
      expect(JSON.parse(JSON.stringify(pre.default.errors ?? null)), f).toEqual(JSON.parse(JSON.stringify(compiled.errors ?? null)));
      if (!a) invalid++;
    }
    expect(invalid).toBeGreaterThan(10);
  });

  it("the built CLI's messages for invalid playbooks are the ones src produces", async () => {
    const dist = await import(join(REPO, "dist/playbook/index.js"));
    for (const f of fixtures.filter((x) => x.includes("/invalid/"))) {
      const [fromDist, fromSrc] = await Promise.all([dist.validatePlaybookFile(f), validatePlaybookFile(f)]);
      expect(JSON.parse(JSON.stringify(fromDist)), f).toEqual(JSON.parse(JSON.stringify(fromSrc)));
    }
  });
});
