// Bounded capture of a command's stdout/stderr (whole chunks, decoded once so UTF-8 is never split).

export const OUTPUT_CAP = 4 * 1024 * 1024;

export class OutputBuffer {
  private readonly parts: Buffer[] = [];
  private size = 0;
  private dropped = 0;
  constructor(private readonly cap = OUTPUT_CAP) {}

  push(chunk: Buffer): void {
    const room = this.cap - this.size;
    if (room <= 0) {
      this.dropped += chunk.length;
      return;
    }
    const keep = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.parts.push(keep);
    this.size += keep.length;
    this.dropped += chunk.length - keep.length;
  }

  text(stream: "stdout" | "stderr"): string {
    const s = Buffer.concat(this.parts).toString("utf8");
    return this.dropped ? `${s}\n[remedy: ${stream} truncated: ${this.dropped} more bytes after the first ${this.cap}]` : s;
  }
}
