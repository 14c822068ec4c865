// One mark per outcome, the same in plain and TTY output (TTY adds colour); never green for "would change".
export const MARK: Record<string, string> = {
  ok: "✓",
  would_change: "~",
  would_fail: "!",
  changed: "+",
  failed: "✗",
  unreachable: "⊘",
  skipped: "-",
  untouched: "·",
};

export const LABEL: Record<string, string> = {
  ok: "ok",
  would_change: "would change",
  would_fail: "would fail",
  changed: "changed",
  failed: "FAILED",
  unreachable: "UNREACHABLE",
  skipped: "skipped",
  untouched: "untouched",
};

const COLOR: Record<string, string> = { ok: "32", would_change: "33", would_fail: "35", changed: "36", failed: "31", unreachable: "1;31", skipped: "2", untouched: "2" };

export function mark(status: string, color = false): string {
  const m = MARK[status] ?? "?";
  return color && COLOR[status] ? `\u001b[${COLOR[status]}m${m}\u001b[0m` : m;
}

/** Indents every line after the first by `indent` spaces (continuation lines stay under their text). */
export function indentRest(text: string, indent: number): string {
  return text.split("\n").join("\n" + " ".repeat(indent));
}
