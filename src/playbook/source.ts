// A parsed YAML file that can answer "where is steps[2].check?" as line:col.
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node, Scalar } from "yaml";
import type { InputProblem } from "../errors.js";
import type { Seg } from "./scope.js";

export type Path = Seg[];

/** steps[2].check.run */
export function formatPath(path: Path): string {
  let out = "";
  for (const s of path) {
    if (typeof s === "number") out += `[${s}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** JSON pointer (ajv instancePath) → path; all-digit segments are list indexes. */
export function pointerToPath(pointer: string): Path {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^[0-9]+$/.test(s) ? Number(s) : s));
}

export class YamlSource {
  constructor(
    readonly file: string,
    readonly doc: Document,
    readonly lines: LineCounter,
  ) {}

  /** The deepest existing node on the path, and the key node of the last map entry walked. */
  private walk(path: Path): { node?: Node; key?: Node; complete: boolean } {
    let node = (this.doc.contents ?? undefined) as Node | undefined;
    let key: Node | undefined;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return { node, key, complete: false };
        key = pair.key as Node;
        // `key:` with no value has a null value node (or none): point at the key then
        node = (pair.value ?? undefined) as Node | undefined;
        if (!node?.range) return { node: key, key, complete: true };
      } else if (isSeq(node) && typeof seg === "number" && seg < node.items.length) {
        node = node.items[seg] as Node;
        key = undefined;
      } else {
        return { node, key, complete: false };
      }
    }
    return { node, key, complete: true };
  }

  offset(path: Path, at: "key" | "value" = "value"): number {
    const w = this.walk(path);
    const n = at === "key" && w.complete && w.key ? w.key : w.node;
    return n?.range?.[0] ?? 0;
  }

  pos(path: Path, at: "key" | "value" = "value"): { line: number; col: number } {
    return this.lines.linePos(this.offset(path, at));
  }

  /**
   * Position of column `col` (1-based) inside the string scalar at `path`, when the scalar is on one
   * line (plain or quoted); otherwise the scalar's start.
   */
  posInScalar(path: Path, col: number): { line: number; col: number } {
    const w = this.walk(path);
    const n = w.complete ? w.node : undefined;
    if (!isScalar(n) || !n.range) return this.pos(path);
    const quoted = n.type === Scalar.QUOTE_DOUBLE || n.type === Scalar.QUOTE_SINGLE;
    if (n.type !== Scalar.PLAIN && !quoted) return this.pos(path);
    const start = n.range[0] + (quoted ? 1 : 0);
    const src = String(n.source ?? "");
    // escapes or line folding make value columns differ from source columns: fall back to the start
    const rawLen = n.range[1] - n.range[0];
    if (rawLen !== src.length + (quoted ? 2 : 0) || col - 1 > src.length) return this.pos(path);
    return this.lines.linePos(start + col - 1);
  }

  /** A problem shown as "<path>: message", located at `loc` (default: `path`) or at an explicit position. */
  problem(path: Path, message: string, opts: { at?: "key" | "value"; loc?: Path; where?: { line: number; col: number } } = {}): InputProblem {
    const p = opts.where ?? this.pos(opts.loc ?? path, opts.at);
    const prefix = formatPath(path);
    return { file: this.file, line: p.line, col: p.col, message: prefix ? `${prefix}: ${message}` : message };
  }

  /** "file:line" of a node, for Step.at */
  at(path: Path): string {
    return `${this.file}:${this.pos(path).line}`;
  }
}
