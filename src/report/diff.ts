// Unified diff (diff -u style) of two texts, for --diff of copy/template: LCS over lines, 3 lines of context.

const MAX_LINES = 4000;

export interface DiffNames {
  from: string;
  to: string;
}

function lines(s: string): string[] {
  if (s === "") return [];
  const l = s.split("\n");
  if (l[l.length - 1] === "") l.pop();
  return l;
}

type Op = { t: " " | "-" | "+"; line: string; a: number; b: number };

function ops(a: string[], b: string[]): Op[] {
  // trim the common head and tail, then an LCS table over the middle
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const n = am.length;
  const m = bm.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = am[i] === bm[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: Op[] = [];
  for (let k = 0; k < head; k++) out.push({ t: " ", line: a[k]!, a: k, b: k });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && am[i] === bm[j]) out.push({ t: " ", line: am[i]!, a: head + i++, b: head + j++ });
    // deletions before insertions, as diff -u prints them
    else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) out.push({ t: "-", line: am[i]!, a: head + i++, b: head + j });
    else out.push({ t: "+", line: bm[j]!, a: head + i, b: head + j++ });
  }
  for (let k = 0; k < tail; k++) out.push({ t: " ", line: a[a.length - tail + k]!, a: a.length - tail + k, b: b.length - tail + k });
  return out;
}

/** "" when equal; a note instead of a diff for binary or very large files. */
export function unifiedDiff(before: string, after: string, names: DiffNames, context = 3): string {
  if (before === after) return "";
  if (before.includes("\u0000") || after.includes("\u0000")) return `Binary files ${names.from} and ${names.to} differ\n`;
  const a = lines(before);
  const b = lines(after);
  if (a.length > MAX_LINES || b.length > MAX_LINES) return `${names.from} (${a.length} lines) and ${names.to} (${b.length} lines) differ; too large to show\n`;
  const all = ops(a, b);
  const out = [`--- ${names.from}`, `+++ ${names.to}`];
  const changed = all.map((o, k) => (o.t !== " " ? k : -1)).filter((k) => k >= 0);
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k]! - context);
    let end = Math.min(all.length - 1, changed[k]! + context);
    while (k + 1 < changed.length && changed[k + 1]! - context <= end + 1) end = Math.min(all.length - 1, changed[++k]! + context);
    k++;
    const hunk = all.slice(start, end + 1);
    const aStart = hunk[0]!.a;
    const bStart = hunk[0]!.b;
    const aLen = hunk.filter((o) => o.t !== "+").length;
    const bLen = hunk.filter((o) => o.t !== "-").length;
    out.push(`@@ -${aLen ? aStart + 1 : aStart},${aLen} +${bLen ? bStart + 1 : bStart},${bLen} @@`);
    for (const o of hunk) out.push(o.t + o.line);
  }
  const noNl = (s: string) => s !== "" && !s.endsWith("\n");
  if (noNl(before) || noNl(after)) out.push("\\ (a file does not end with a newline)");
  return out.join("\n") + "\n";
}
