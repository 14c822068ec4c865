// Version arithmetic for runc and kernel strings (pure).

export interface RuncVersion {
  major: number;
  minor: number;
  patch: number;
  /** release-candidate number; undefined for a final release (sorts after every rc) */
  rc?: number;
}

/** "1.0.0-rc93", "1.0.0-rc5+dev.docker-18.06", "1.1.4", "v1.1.1" → parts; undefined if not a runc version. */
export function parseRuncVersion(v: string): RuncVersion | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-rc(\d+))?/.exec(v.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), rc: m[4] === undefined ? undefined : Number(m[4]) };
}

export function compareRunc(a: RuncVersion, b: RuncVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || (a.rc ?? Infinity) - (b.rc ?? Infinity) || 0;
}

export const RC93: RuncVersion = { major: 1, minor: 0, patch: 0, rc: 93 };
export const RC94: RuncVersion = { major: 1, minor: 0, patch: 0, rc: 94 };

export function isRc93(v: string | undefined): boolean {
  const p = v === undefined ? undefined : parseRuncVersion(v);
  return p !== undefined && compareRunc(p, RC93) === 0;
}

/** true/false when known; undefined when the version could not be read */
export function runcBelowRc94(v: string | undefined): boolean | undefined {
  const p = v === undefined ? undefined : parseRuncVersion(v);
  return p === undefined ? undefined : compareRunc(p, RC94) < 0;
}

/** "3.10.0-957.el7.x86_64" → [3, 10, 0] */
export function kernelTriple(release: string): [number, number, number] | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

export function isKernel310(release: string): boolean {
  const k = kernelTriple(release);
  return k !== undefined && k[0] === 3 && k[1] === 10;
}

/** ELRepo kernel-lt 6.1.x before 6.1.109 (the skb_segment GSO fix is in 6.1.109). */
export function isElrepo61Vulnerable(release: string): boolean {
  const k = kernelTriple(release);
  return k !== undefined && k[0] === 6 && k[1] === 1 && k[2] < 109 && /elrepo/.test(release);
}
