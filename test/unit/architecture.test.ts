// Layering of src/: no import cycles (type-only imports included: they still tie the modules' designs
// together), and nothing outside src/cli/ imports from src/cli/ (data flows cli → engine → the rest).
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../../src", import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : n.endsWith(".ts") ? [p] : [];
  });
}

/** Relative imports of one file (static `import`/`export ... from` and dynamic `import("...")`), as src-relative paths. */
export function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^'"]*?\sfrom\s+["']([^"']+)["']|(?:^|\n)\s*import\s+["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec || !spec.startsWith(".")) continue;
    out.push(relative(SRC, resolve(dirname(file), spec.replace(/\.js$/, ".ts"))));
  }
  return out;
}

export function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const f of files(SRC)) g.set(relative(SRC, f), importsOf(f, readFileSync(f, "utf8")));
  return g;
}

/** Every elementary cycle's smallest representative is enough to fail: strongly connected components > 1 node (or a self-import). */
export function cycles(g: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (g.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe("architecture of src/", () => {
  const g = graph();

  it("the import parser sees static, re-export and dynamic imports", () => {
    const text = `import { a } from "./a.js";\nimport type { B } from "../b.js";\nexport { c } from "./c.js";\nconst d = await import("./d.js");\nimport "./e.js";\n`;
    expect(importsOf(join(SRC, "engine", "x.ts"), text).sort()).toEqual(["b.ts", "engine/a.ts", "engine/c.ts", "engine/d.ts", "engine/e.ts"]);
  });

  it("finds a cycle when there is one (the check itself can fail)", () => {
    expect(cycles(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]))).toEqual([["a", "b", "c"]]);
  });

  it("has no import cycle", () => {
    expect(cycles(g)).toEqual([]);
  });

  it("only src/cli/ imports src/cli/", () => {
    const bad = [...g].flatMap(([f, deps]) => (f.startsWith("cli/") ? [] : deps.filter((d) => d.startsWith("cli/")).map((d) => `${f} → ${d}`)));
    expect(bad).toEqual([]);
  });
});
