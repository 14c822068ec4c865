// Playbook file → typed model: YAML (with positions) → ajv → semantic checks → defaults.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument, visit, type Document } from "yaml";
import { InputError, type InputProblem } from "../errors.js";
import type { Playbook } from "../model/playbook.js";
import { playbook } from "./defaults.js";
import { mapSchemaErrors } from "./errors-map.js";
import { schemaErrors, type RawPlaybook } from "./schema.js";
import { inputProblems } from "./inputs-decl.js";
import { semanticProblems } from "./semantic.js";
import { yamlValueProblem } from "../yaml-errors.js";
import { YamlSource } from "./source.js";
import { VAULT_YAML_TAG, Vaulted } from "../inventory/vault.js";

export interface LoadOptions {
  /** -e key=value; override playbook vars */
  extraVars?: Record<string, unknown>;
  /** names known to exist at run time (e.g. inventory vars); when given, other unknown names are errors */
  knownVars?: string[];
}

/** The usual causes of yaml's terser errors. */
const YAML_HINTS: Record<string, string> = {
  BLOCK_AS_IMPLICIT_KEY: 'a value that contains ": " must be quoted, e.g. check: \'grep -q "gro: off" /etc/x\'',
  MISSING_CHAR: "a quote opened earlier is never closed",
  TAB_AS_INDENT: "indent with spaces",
  DUPLICATE_KEY: "this key is already set above in the same mapping",
  MULTIPLE_DOCS: "a playbook is a single YAML document (one play); remove the extra ---",
};

type Outcome = { playbook: Playbook; problems: [] } | { playbook?: undefined; problems: InputProblem[] };

/**
 * YAML reads an unquoted 4.10 as the number 4.1 and 0644 as 644. In `vars`, keep such scalars as the
 * text the author wrote, so {{ kernel_minor }} renders "4.10", not "4.1".
 */
function keepNumberText(value: unknown, source: string | undefined): unknown {
  if (typeof value === "number" && source !== undefined && String(value) !== source) return source;
  return value;
}

/**
 * Inline `!vault |` values under `vars:` stay sealed (a Vaulted with its file:line:col) until the CLI opens them
 * with the run's vault password, as the inventory's are. Anywhere else in a playbook a vaulted value is refused.
 */
function sealVaulted(doc: Document.Parsed, lines: LineCounter, file: string): InputProblem[] {
  const problems: InputProblem[] = [];
  const vars: unknown = doc.get("vars", true);
  const underVars = (path: readonly unknown[]) => vars !== undefined && path.includes(vars);
  visit(doc, {
    Scalar: (_key, node, path) => {
      if (node.tag !== "!vault") return;
      const p = lines.linePos(node.range?.[0] ?? 0);
      if (underVars(path)) node.value = new Vaulted(String(node.value), { file, line: p.line, col: p.col });
      else problems.push({ file, line: p.line, col: p.col, message: "a `!vault` value is read only under `vars:` (and in the inventory, group_vars, host_vars or an -e @file); move it to a var and use {{ name }} here" });
    },
  });
  return problems;
}

async function analyse(file: string, opts: LoadOptions): Promise<Outcome> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { problems: [{ file, message: code === "ENOENT" ? "playbook file not found" : `cannot read playbook: ${(e as Error).message}` }] };
  }
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const lines = new LineCounter();
  const doc = parseDocument(bytes.toString("utf8"), { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true, customTags: [VAULT_YAML_TAG] });
  if (doc.errors.length) {
    return {
      problems: doc.errors.map((e) => {
        const p = lines.linePos(e.pos[0]);
        const hint = YAML_HINTS[e.code] ? `; ${YAML_HINTS[e.code]}` : "";
        return { file, line: p.line, col: p.col, message: `YAML syntax error: ${e.message.split("\n")[0]!.replace(/; please use YAML.parseAllDocuments\(\)/, "")}${hint}` };
      }),
    };
  }
  const misplaced = sealVaulted(doc, lines, file);
  if (misplaced.length) return { problems: misplaced };
  const src = new YamlSource(file, doc, lines);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // unresolved alias, an alias bomb, `<<:` merging a scalar: bad input, not a crash
    return { problems: [yamlValueProblem(file, doc, lines, e)] };
  }
  if (data === null || data === undefined) return { problems: [{ file, line: 1, col: 1, message: "the playbook is empty" }] };

  const errors = schemaErrors(data);
  if (errors.length) return { problems: mapSchemaErrors(errors, src) };
  const raw = data as RawPlaybook;
  if (raw.vars) {
    const varsNode = doc.get("vars", true) as { items?: Array<{ key: { value?: unknown }; value?: { value?: unknown; source?: string } }> } | undefined;
    for (const pair of varsNode?.items ?? []) {
      const name = String(pair.key.value);
      raw.vars[name] = keepNumberText(raw.vars[name], pair.value?.source);
    }
  }

  const problems = [
    ...semanticProblems(raw, src, { vars: [...Object.keys(raw.vars ?? {}), ...Object.keys(raw.inputs ?? {}), ...Object.keys(opts.extraVars ?? {})], knownVars: opts.knownVars }),
    ...inputProblems(raw, src, opts.extraVars ?? {}),
  ];
  if (problems.length) return { problems: problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0)) };
  return {
    playbook: playbook(raw, { file, sha256, extraVars: opts.extraVars, stepAt: (i) => src.at(["steps", i]), varAt: (name) => src.pos(["vars", name]) }),
    problems: [],
  };
}

/** Load and validate a playbook; throws InputError listing every problem (file:line:col: message). */
export async function loadPlaybook(path: string, opts: LoadOptions = {}): Promise<Playbook> {
  const r = await analyse(path, opts);
  if (r.playbook) return r.playbook;
  throw new InputError(r.problems);
}

/** Problems of one playbook file, without throwing ([] when valid); for `remedy validate a.yml b.yml`. */
export async function validatePlaybookFile(path: string, opts: LoadOptions = {}): Promise<InputProblem[]> {
  return (await analyse(path, opts)).problems;
}
