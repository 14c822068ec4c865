// "Did you mean" for names: edit distance plus substring matches, closest first.

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/** Up to `max` known names close to `name`, or undefined when none is close. */
export function suggest(name: string, known: Iterable<string>, max = 3): string[] | undefined {
  const lower = name.toLowerCase();
  const limit = Math.max(2, Math.floor(name.length / 3));
  const scored: Array<[string, number]> = [];
  for (const k of new Set(known)) {
    const d = editDistance(lower, k.toLowerCase());
    const contains = lower.length >= 3 && (k.toLowerCase().includes(lower) || lower.includes(k.toLowerCase()));
    if (d <= limit || contains) scored.push([k, contains ? Math.min(d, limit) : d]);
  }
  scored.sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0]));
  const out = scored.slice(0, max).map(([k]) => k);
  return out.length ? out : undefined;
}
