// The JSON Schema (schemas/playbook.schema.json) compiled once, and the raw shapes it admits.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Ajv, ErrorObject, ValidateFunction } from "ajv";
import type { InputSpec } from "../model/playbook.js";

/** Repo-root schemas/ is two levels up from both src/playbook/ and dist/playbook/. */
export const SCHEMA_URL = new URL("../../schemas/playbook.schema.json", import.meta.url);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * Replace every local `$ref` by a copy of its target, so that ajv's error schemaPaths are full paths
 * from the root (errors-map.ts groups oneOf branches by schemaPath prefix; refs would break that).
 * The schema has no recursive refs.
 */
export function inlineRefs(schema: Json, root: Json = schema, seen: string[] = []): Json {
  if (Array.isArray(schema)) return schema.map((s) => inlineRefs(s, root, seen));
  if (schema === null || typeof schema !== "object") return schema;
  const ref = schema["$ref"];
  if (typeof ref === "string") {
    if (!ref.startsWith("#/") || seen.includes(ref)) throw new Error(`schema: unsupported $ref ${ref}`);
    let target: Json = root;
    for (const part of ref.slice(2).split("/")) {
      target = target !== null && typeof target === "object" && !Array.isArray(target) ? (target[part] ?? null) : null;
    }
    if (target === null) throw new Error(`schema: dangling $ref ${ref}`);
    const { $ref: _drop, ...siblings } = schema;
    const resolved = inlineRefs(target, root, [...seen, ref]) as Record<string, Json>;
    return { ...resolved, ...siblings };
  }
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === "definitions" && schema === root) continue;
    out[k] = inlineRefs(v, root, seen);
  }
  return out;
}

let compiled: ValidateFunction | undefined;

/** The ajv instance and schema every validator is built from (also by scripts/build-schema-validator.mjs). */
export function schemaCompiler(code?: { source: true }): { ajv: Ajv; schema: Record<string, Json>; text: string } {
  const text = readFileSync(SCHEMA_URL, "utf8");
  const schema = inlineRefs(JSON.parse(text) as Json) as Record<string, Json>;
  delete schema["$id"];
  // verbose: errors carry parentSchema (for x-expected hints and allowed keys) and the offending data.
  // required only here: with the precompiled validator a run never loads ajv's compiler (~0.1-0.2 s)
  const { Ajv: AjvClass } = createRequire(import.meta.url)("ajv") as typeof import("ajv");
  const ajv = new AjvClass({ allErrors: true, verbose: true, strict: true, strictTypes: false, ...(code ? { code } : {}) });
  ajv.addKeyword({ keyword: "x-expected", schemaType: "string" });
  return { ajv, schema, text };
}

export const schemaDigest = (text: string): string => createHash("sha256").update(text).digest("hex");

/** Beside the compiled JS, the build writes the validator as code (compiling the schema costs ~0.3-0.4 s per run). */
const PRECOMPILED_URL = new URL("./schema-validator.cjs", import.meta.url);

function validator(): ValidateFunction {
  if (compiled) return compiled;
  if (existsSync(PRECOMPILED_URL)) {
    const pre = createRequire(import.meta.url)(PRECOMPILED_URL.pathname) as { schemaDigest?: string; default?: ValidateFunction };
    // only while it was built from this very schema file (an edited schema falls back to compiling)
    if (pre.default && pre.schemaDigest === schemaDigest(readFileSync(SCHEMA_URL, "utf8"))) return (compiled = pre.default);
  }
  const { ajv, schema } = schemaCompiler();
  compiled = ajv.compile(schema);
  return compiled;
}

/** Validate raw YAML data; [] when it fits the schema. */
export function schemaErrors(data: unknown): ErrorObject[] {
  const validate = validator();
  return validate(data) ? [] : [...(validate.errors ?? [])];
}

// ---- raw shapes (what the schema admits, before defaults) ----

export type RawExit = number | number[];
export interface RawMatch {
  exit?: RawExit;
  stdout?: string;
  stdout_not?: string;
  equals?: string;
}
export type RawCheck =
  | string
  | {
      run: string;
      expect_exit?: RawExit;
      compliant?: RawMatch;
      not_applicable?: { match: RawMatch; reason: string };
      register?: string;
      timeout?: number;
    };
export type RawVerify = string | { run?: string; compliant?: RawMatch; retries?: number; delay?: number; timeout?: number };
export interface RawFile {
  src?: string;
  content?: string;
  dest: string;
  mode?: string;
  owner?: string;
  group?: string;
  backup?: boolean;
  sha256?: string;
  /** template only: the file's syntax (src/playbook/encode.ts) */
  syntax?: "shell" | "sysctl" | "keyfile" | "plain";
}
export interface RawKube {
  node?: string;
  delegate_to?: string;
  timeout?: number;
  leave_cordoned_on_failure?: boolean;
}
export interface RawReboot {
  timeout?: number;
  test_command?: string;
  expect?: string;
  stable_for?: number;
  command?: string;
  connect_timeout?: number;
}
export interface RawArtifact {
  name: string;
  key: Array<string | number | boolean>;
  builder?: string;
  build: string | string[];
  output: string;
  dest: string;
  mode?: string;
  owner?: string;
  timeout?: number;
}
export type RawAction =
  | string
  | { run: string; ok_exit?: RawExit; timeout?: number; register?: string }
  | { copy: RawFile }
  | { template: RawFile }
  | { reboot: true | RawReboot }
  | { cordon: true | RawKube }
  | { drain: true | RawKube }
  | { uncordon: true | RawKube }
  | { fail: string }
  | { artifact: RawArtifact };
export type RawActions = string | RawAction[];
export interface RawStep {
  name: string;
  id?: string;
  when?: string;
  when_reason?: string;
  tags?: string[];
  timeout?: number;
  check?: RawCheck;
  apply?: RawActions;
  verify?: RawVerify;
  rollback?: RawActions;
}
export interface RawPlaybook {
  name: string;
  description?: string;
  hosts: string;
  vars?: Record<string, unknown>;
  inputs?: Record<string, InputSpec>;
  serial?: number | string | Array<number | string>;
  max_fail_percentage?: number;
  any_errors_fatal?: boolean;
  become?: boolean;
  steps: RawStep[];
}
