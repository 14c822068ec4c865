// Plan file → validated PlanDoc. Every problem is an InputError (exit 4) naming the file and what is wrong.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { ErrorObject, ValidateFunction } from "ajv";
import { InputError } from "../errors.js";
import { PLAN_FORMAT, planChecksum, type PlanDoc } from "./format.js";

/** Repo-root schemas/ is two levels up from both src/plan/ and dist/plan/. */
export const PLAN_SCHEMA_URL = new URL("../../schemas/plan.schema.json", import.meta.url);

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(PLAN_SCHEMA_URL, "utf8")) as Record<string, unknown>;
    delete schema["$id"];
    // loaded on first use: only commands that read a plan pay for ajv (start-up of check/apply, issue 16)
    const { Ajv } = createRequire(import.meta.url)("ajv") as typeof import("ajv");
    compiled = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
  }
  return compiled;
}

export function planSchemaErrors(data: unknown): ErrorObject[] {
  const v = validator();
  return v(data) ? [] : [...(v.errors ?? [])];
}

function fail(file: string, message: string, line?: number, col?: number): never {
  throw new InputError([{ file, line, col, message }]);
}

/** "… at position 123" (V8) → line/col in text. */
function jsonErrorAt(text: string, message: string): { line: number; col: number } | undefined {
  const m = message.match(/position (\d+)/);
  if (!m) return undefined;
  const pos = Math.min(Number(m[1]), text.length);
  const before = text.slice(0, pos).split("\n");
  return { line: before.length, col: (before.at(-1)?.length ?? 0) + 1 };
}

function describeSchemaError(e: ErrorObject): string {
  const at = e.instancePath || "(top level)";
  if (e.keyword === "additionalProperties") return `${at}: unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  if (e.keyword === "required") return `${at}: missing field "${(e.params as { missingProperty: string }).missingProperty}"`;
  return `${at}: ${e.message ?? e.keyword}`;
}

/** Parse and check plan text (pure apart from the schema file); throws InputError. */
export function parsePlanText(text: string, file: string): PlanDoc {
  const hint = "re-run `remedy plan` to write a new one";
  if (text.trim() === "") fail(file, `the plan file is empty (truncated?); ${hint}`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const at = jsonErrorAt(text, msg);
    const truncated = /end of JSON input|Unterminated/i.test(msg) || (at !== undefined && at.line >= text.split("\n").length && !text.trimEnd().endsWith("}"));
    fail(file, `not valid JSON (${truncated ? "truncated" : "garbled"}?): ${msg}; ${hint}`, at?.line, at?.col);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) fail(file, `not a remedy plan: expected a JSON object with "format": "${PLAN_FORMAT}"`);
  const format = (data as { format?: unknown }).format;
  if (format === undefined) fail(file, `not a remedy plan: it has no "format" field (expected "${PLAN_FORMAT}")`);
  if (format !== PLAN_FORMAT) {
    const other = typeof format === "string" && /^remedy-plan\//.test(format);
    const by = (data as { remedy_version?: unknown }).remedy_version;
    fail(
      file,
      other
        ? `plan format "${format}" is not supported: this remedy reads only "${PLAN_FORMAT}"${typeof by === "string" ? ` (the plan was written by remedy ${by})` : ""}; use the matching remedy version or ${hint}`
        : `not a remedy plan: "format" is ${JSON.stringify(format)}, expected "${PLAN_FORMAT}"`,
    );
  }
  const errors = planSchemaErrors(data);
  if (errors.length) {
    const shown = errors.slice(0, 5).map(describeSchemaError);
    fail(file, `does not match the plan schema (schemas/plan.schema.json): ${shown.join("; ")}${errors.length > 5 ? `; and ${errors.length - 5} more` : ""}; ${hint}`);
  }
  const doc = data as PlanDoc;
  if (planChecksum(doc) !== doc.checksum) fail(file, `checksum does not match the content: the plan was edited or corrupted after \`remedy plan\` wrote it; ${hint}`);
  return doc;
}

/** `file` names the plan in messages; `path` (default: file) is where it is read from. */
export async function loadPlanFile(file: string, path = file): Promise<PlanDoc> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    fail(file, code === "ENOENT" ? "plan file not found; write one with `remedy plan PLAYBOOK -i INV -o FILE`" : `cannot read the plan file: ${(e as Error).message}`);
  }
  return parsePlanText(text, file);
}
