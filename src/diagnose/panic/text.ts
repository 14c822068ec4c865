// netconsole datagram → text lines, defensively (pure): the port is open to anything that can send UDP.

/** Bytes of a datagram looked at; the rest is dropped (netconsole sends at most ~1 KiB per packet). */
export const MAX_PACKET_BYTES = 8192;
/** Characters kept of one line. */
export const MAX_LINE_CHARS = 1024;

/**
 * Truncates to MAX_PACKET_BYTES, decodes UTF-8 (invalid sequences become U+FFFD), replaces control characters
 * (except TAB) with U+FFFD, splits on newlines and drops empty lines. Never throws.
 */
export function packetLines(packet: Buffer): string[] {
  const text = packet.subarray(0, MAX_PACKET_BYTES).toString("utf8");
  const out: string[] = [];
  for (const piece of text.split(/\r?\n|\r/)) {
    // eslint-disable-next-line no-control-regex
    const clean = piece.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "\ufffd");
    if (clean.trim() === "") continue;
    out.push(clean.length > MAX_LINE_CHARS ? clean.slice(0, MAX_LINE_CHARS - 1) + "…" : clean);
  }
  return out;
}

/**
 * The message of a console line without what netconsole or printk put in front of it: the extended-mode header
 * `<level>,<seq>,<usec>,<flags>;`, a syslog `<N>` level, the printk time `[ 8374.456345]` and the caller id `[T123]`.
 */
export function messageOf(line: string): string {
  return line
    .replace(/^\d+,\d+,\d+,[^;]*;/, "")
    .replace(/^<\d{1,3}>/, "")
    .replace(/^\s*\[\s*\d+\.\d+\]/, "")
    .replace(/^\[\s*[TC]\d+\]/, "")
    .trim();
}

/** A line that starts a panic record (Oops/BUG/panic headers of the kernel). */
export const TRIGGER = /Kernel panic - not syncing|kernel BUG at|BUG: unable to handle|\bOops\b/;
/** The last line panic() prints. */
export const END_MARKER = /---\[ end Kernel panic/;
