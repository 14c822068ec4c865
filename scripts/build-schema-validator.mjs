// Build step: the playbook schema's ajv validator as standalone code (dist/playbook/schema-validator.cjs),
// so a run loads it instead of compiling the schema (~0.3-0.4 s of every remedy start-up). The file carries
// the schema's sha256; src/playbook/schema.ts uses it only while they match.
import { writeFileSync } from "node:fs";
import standaloneCode from "ajv/dist/standalone/index.js";
import { schemaCompiler, schemaDigest } from "../dist/playbook/schema.js";

const { ajv, schema, text } = schemaCompiler({ source: true });
const code = (standaloneCode.default ?? standaloneCode)(ajv, ajv.compile(schema));
writeFileSync(new URL("../dist/playbook/schema-validator.cjs", import.meta.url), `${code}\nmodule.exports.schemaDigest = ${JSON.stringify(schemaDigest(text))};\n`);
