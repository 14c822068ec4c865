// The only way a value reaches a shell string: POSIX single-quote quoting.
export function shellQuote(value: string): string {
  if (value === "") return "''";
  if (/^[A-Za-z0-9_\/.,:=+@%-]+$/.test(value)) return value;
  return "'" + value.replace(/'/g, `'"'"'`) + "'";
}

export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}
