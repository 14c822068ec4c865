// YAML parsing shared by inventory files and group_vars/host_vars: YAML 1.1 like ansible's PyYAML,
// syntax errors and node positions reported as file:line:col.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from "yaml";
import { VAULT_YAML_TAG, Vaulted } from "./vault.js";
import { InputError } from "../errors.js";
import { yamlValueProblem } from "../yaml-errors.js";
import type { Loc } from "./loaded.js";

export interface YamlSource {
  doc: Document.Parsed;
  file: string;
  /** position of a node (its first character), or of the document start */
  at(node: unknown): Loc;
  /** the node an alias points to, or the node itself */
  deref(node: unknown): unknown;
}

export function parseYamlSource(text: string, file: string): YamlSource {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, version: "1.1", prettyErrors: false, customTags: [VAULT_YAML_TAG] });
  if (doc.errors.length > 0) {
    throw new InputError(
      doc.errors.map((e) => {
        const p = lc.linePos(skipBlank(text, e.pos[0]));
        return { file, line: p.line, col: p.col, message: `invalid YAML: ${firstLine(e.message)} (${e.code})` };
      }),
    );
  }
  try {
    doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // unresolved alias, alias bomb, `<<:` of a scalar: located input errors, not crashes
    throw new InputError([yamlValueProblem(file, doc, lc, e)]);
  }
  const at = (node: unknown): Loc => {
    const range = (node as Node | null)?.range;
    const p = lc.linePos(range ? range[0] : 0);
    return { file, line: p.line, col: p.col };
  };
  const deref = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);
  // inline `!vault |` values stay sealed (with their place) until the CLI opens them with a password
  visit(doc, { Scalar: (_k, node) => void (node.tag === "!vault" && (node.value = new Vaulted(String(node.value), at(node)))) });
  return { doc, file, at, deref };
}

/** True for a missing value (`key:` with nothing after it) or an explicit null. */
export function isNullNode(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

/** The text of a key as written (so `1.10` stays "1.10", not 1.1). */
export function keyText(node: unknown): string {
  if (isScalar(node)) return typeof node.value === "string" ? node.value : (node.source ?? String(node.value));
  return String(node);
}

export function describeNode(node: unknown): string {
  if (isScalar(node)) return node.value === null ? "nothing" : `the ${typeof node.value} '${String(node.value)}'`;
  if (isSeq(node)) return "a list";
  if (isMap(node)) return "a mapping";
  return "an unsupported value";
}

/** Some errors point at the line break before the offending token; report the token instead. */
function skipBlank(text: string, pos: number): number {
  if (text[pos] !== "\n" && text[pos] !== "\r") return pos;
  let i = pos;
  while (i < text.length && /\s/.test(text[i] as string)) i++;
  return i < text.length ? i : pos;
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? s;
}
