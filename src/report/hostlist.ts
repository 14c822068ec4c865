// Host lists for humans: "el7-node[01:37],el9-node[01:03],bastion" (ansible's range notation).

interface Parsed {
  prefix: string;
  num: number;
  width: number;
  suffix: string;
}

function parse(host: string): Parsed | undefined {
  const m = /^(.*?)(\d+)(\D*)$/.exec(host);
  if (!m) return undefined;
  return { prefix: m[1]!, num: Number(m[2]), width: m[2]!.length, suffix: m[3]! };
}

/** Compresses runs of hosts that differ only in one number into `prefix[a:b]suffix`; order of first appearance kept. */
export function compressHosts(hosts: readonly string[]): string {
  const groups = new Map<string, { p: Parsed; nums: number[] }>();
  const order: Array<string | { key: string }> = [];
  for (const h of hosts) {
    const p = parse(h);
    if (!p) {
      order.push(h);
      continue;
    }
    const key = `${p.prefix}\u0000${p.width}\u0000${p.suffix}`;
    const g = groups.get(key);
    if (g) g.nums.push(p.num);
    else {
      groups.set(key, { p, nums: [p.num] });
      order.push({ key });
    }
  }
  const out: string[] = [];
  for (const o of order) {
    if (typeof o === "string") {
      out.push(o);
      continue;
    }
    const { p, nums } = groups.get(o.key)!;
    const pad = (n: number) => String(n).padStart(p.width, "0");
    const sorted = [...new Set(nums)].sort((a, b) => a - b);
    const ranges: string[] = [];
    for (let i = 0; i < sorted.length; ) {
      let j = i;
      while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
      ranges.push(j > i ? `${pad(sorted[i]!)}:${pad(sorted[j]!)}` : pad(sorted[i]!));
      i = j + 1;
    }
    if (ranges.length === 1 && !ranges[0]!.includes(":")) out.push(`${p.prefix}${ranges[0]}${p.suffix}`);
    else out.push(`${p.prefix}[${ranges.join(",")}]${p.suffix}`);
  }
  return out.join(",");
}

/** "3 hosts: n[1:3]" / "1 host: n1" */
export const hostCount = (hosts: readonly string[]): string => `${hosts.length} host${hosts.length === 1 ? "" : "s"}: ${compressHosts(hosts)}`;

/** Cuts a line to `width` columns with an ellipsis. */
export function fit(s: string, width: number): string {
  if (width <= 0 || [...s].length <= width) return s;
  return [...s].slice(0, Math.max(1, width - 1)).join("") + "…";
}

/** Wraps each line longer than `width` at a space when there is one (nothing is lost); wrapped parts are indented under the text. */
export function wrap(text: string, width: number, indent = 4): string {
  if (width <= 0) return text;
  const out: string[] = [];
  for (const line of text.split("\n")) {
    let chars = [...line];
    if (chars.length <= width) {
      out.push(line);
      continue;
    }
    const lead = " ".repeat(Math.max(0, Math.min(width - 20, (/^ */.exec(line)?.[0].length ?? 0) + indent)));
    let room = width;
    let prefix = "";
    while (chars.length > room) {
      // break after the last space in the second half of the room, else hard
      let cut = room;
      for (let i = room; i > room / 2; i--) if (chars[i - 1] === " ") { cut = i; break; }
      out.push(prefix + chars.slice(0, cut).join("").trimEnd());
      chars = chars.slice(cut);
      prefix = lead;
      room = Math.max(10, width - lead.length);
    }
    out.push(prefix + chars.join(""));
  }
  return out.join("\n");
}
