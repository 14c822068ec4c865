// RPM-style version comparison (rpmvercmp + epoch:version-release), for kernel releases like
// "4.19.12-1.el7.elrepo.x86_64" or "3.10.0-1160.el7.x86_64" against "4.19".

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isAlpha = (c: string | undefined): boolean => c !== undefined && /[A-Za-z]/.test(c);
const isAlnum = (c: string | undefined): boolean => isDigit(c) || isAlpha(c);

/** rpm's rpmvercmp: alternating numeric/alpha segments; numeric beats alpha; "~" sorts before anything, "^" after. */
export function rpmvercmp(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== "~" && a[i] !== "^") i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== "~" && b[j] !== "^") j++;
    if (a[i] === "~" || b[j] === "~") {
      if (a[i] !== "~") return 1;
      if (b[j] !== "~") return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === "^" || b[j] === "^") {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== "^") return 1;
      if (b[j] !== "^") return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    const numeric = isDigit(a[i]);
    const same = numeric ? isDigit : isAlpha;
    const si = i;
    while (i < a.length && same(a[i])) i++;
    const sj = j;
    while (j < b.length && same(b[j])) j++;
    let s1 = a.slice(si, i);
    let s2 = b.slice(sj, j);
    // segments of different kinds: a numeric one is newer
    if (s2 === "") return numeric ? 1 : -1;
    if (numeric) {
      s1 = s1.replace(/^0+/, "");
      s2 = s2.replace(/^0+/, "");
      if (s1.length !== s2.length) return s1.length > s2.length ? 1 : -1;
    }
    if (s1 !== s2) return s1 > s2 ? 1 : -1;
  }
  if (i >= a.length && j >= b.length) return 0;
  // whichever still has characters left wins
  return i >= a.length ? -1 : 1;
}

interface Evr {
  epoch: number;
  version: string;
  release?: string;
}

function splitEvr(s: string): Evr {
  const m = /^(\d+):(.*)$/.exec(s.trim());
  const epoch = m ? Number(m[1]) : 0;
  const rest = m ? m[2]! : s.trim();
  const dash = rest.lastIndexOf("-");
  return dash >= 0 ? { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) } : { epoch, version: rest };
}

/**
 * Compare two versions like rpm compares EVRs: epoch, then version, then release — the release only
 * when both sides have one, so "4.19.12-1.el7" == "4.19.12" and "4.19.12-1.el7.elrepo.x86_64" > "4.19".
 */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const x = splitEvr(a);
  const y = splitEvr(b);
  if (x.epoch !== y.epoch) return x.epoch > y.epoch ? 1 : -1;
  const v = rpmvercmp(x.version, y.version);
  if (v !== 0 || x.release === undefined || y.release === undefined) return v;
  return rpmvercmp(x.release, y.release);
}

export const VERSION_OPS = ["<", "<=", "==", "!=", ">=", ">", "lt", "le", "eq", "ne", "ge", "gt"] as const;

export function versionOpHolds(cmp: -1 | 0 | 1, op: string): boolean | undefined {
  switch (op) {
    case "<":
    case "lt":
      return cmp < 0;
    case "<=":
    case "le":
      return cmp <= 0;
    case "==":
    case "eq":
      return cmp === 0;
    case "!=":
    case "ne":
      return cmp !== 0;
    case ">=":
    case "ge":
      return cmp >= 0;
    case ">":
    case "gt":
      return cmp > 0;
  }
  return undefined;
}
