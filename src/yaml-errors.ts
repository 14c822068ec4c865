// YAML that parses but cannot be turned into values (unresolved alias, alias bomb, `<<:` of a scalar):
// a located input problem, never an internal error.
import { isAlias, isMap, isScalar, visit, type Document, type LineCounter } from "yaml";
import type { InputProblem } from "./errors.js";

export function yamlValueProblem(file: string, doc: Document, lines: LineCounter, e: unknown): InputProblem {
  const message = (e as Error).message.split("\n")[0] ?? String(e);
  let offset: number | undefined;
  let hint = "";
  visit(doc, {
    Alias(_k, node) {
      if (offset !== undefined) return visit.BREAK;
      if (!node.resolve(doc)) {
        offset = node.range?.[0];
        hint = `alias *${node.source} refers to no anchor &${node.source} defined before it`;
        return visit.BREAK;
      }
      return undefined;
    },
    Pair(_k, pair) {
      if (offset !== undefined) return visit.BREAK;
      if (isScalar(pair.key) && (pair.key.value === "<<" || pair.key.source === "<<")) {
        const v = isAlias(pair.value) ? pair.value.resolve(doc) : pair.value;
        if (v && !isMap(v) && !(Array.isArray((v as { items?: unknown[] }).items) && (v as { items: unknown[] }).items.every((i) => isAlias(i) && isMap(i.resolve(doc))))) {
          offset = (pair.key as { range?: [number, number, number] }).range?.[0];
          hint = "`<<:` merges a mapping (or a list of mappings) into this one; it cannot merge a scalar or a list of scalars";
          return visit.BREAK;
        }
      }
      return undefined;
    },
  });
  if (!hint && /excessive alias/i.test(message)) hint = "too many alias expansions (an alias bomb?); at most 100 are allowed";
  const p = offset !== undefined ? lines.linePos(offset) : { line: 1, col: 1 };
  return { file, line: p.line, col: p.col, message: `invalid YAML: ${hint || message}` };
}
