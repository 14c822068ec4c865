// ansible.cfg: which file (ansible's search order, first found wins) and its [defaults] section.
import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { InputError } from "../errors.js";

export interface AnsibleCfg {
  file: string;
  /** [defaults] keys (lower-case) → value and 1-based line */
  defaults: Map<string, { value: string; line: number }>;
}

export interface CfgSearch {
  env: Record<string, string | undefined>;
  cwd: string;
  home?: string;
  /** default /etc/ansible/ansible.cfg */
  etc?: string;
}

/**
 * ansible-core's order: $ANSIBLE_CONFIG (a file, or a directory holding ansible.cfg), ./ansible.cfg
 * (skipped when the directory is world-writable, as ansible does), ~/.ansible.cfg, /etc/ansible/ansible.cfg.
 */
export function findAnsibleCfg(s: CfgSearch): string | undefined {
  const fromEnv = s.env["ANSIBLE_CONFIG"];
  const candidates: string[] = [];
  if (fromEnv) {
    const p = resolve(s.cwd, expandHome(fromEnv, s.home));
    candidates.push(isDir(p) ? join(p, "ansible.cfg") : p);
  }
  if (!worldWritable(s.cwd)) candidates.push(join(s.cwd, "ansible.cfg"));
  candidates.push(join(s.home ?? homedir(), ".ansible.cfg"), s.etc ?? "/etc/ansible/ansible.cfg");
  return candidates.find((f) => existsSync(f) && !isDir(f));
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function worldWritable(dir: string): boolean {
  try {
    return (statSync(dir).mode & 0o002) !== 0;
  } catch {
    return false;
  }
}

function expandHome(p: string, home = homedir()): string {
  return p === "~" ? home : p.startsWith("~/") ? join(home, p.slice(2)) : p;
}

/** INI as python's configparser reads ansible.cfg: sections, `key = value` or `key: value`, `#`/`;` comments. */
export function parseAnsibleCfg(text: string, file: string): AnsibleCfg {
  const defaults = new Map<string, { value: string; line: number }>();
  let section: string | undefined;
  let last: string | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (/^\s*([#;].*)?$/.test(raw)) return;
    // configparser: an indented line continues the previous value
    if (/^\s/.test(raw) && last && section === "defaults") {
      const prev = defaults.get(last)!;
      defaults.set(last, { value: `${prev.value}\n${raw.trim()}`, line: prev.line });
      return;
    }
    const sec = /^\s*\[([^\]]+)\]\s*$/.exec(raw);
    if (sec) {
      section = sec[1]!.trim().toLowerCase();
      last = undefined;
      return;
    }
    const kv = /^\s*([^=:\s][^=:]*?)\s*[=:]\s*(.*)$/.exec(raw);
    if (!kv) throw new InputError(`${file}:${line}: expected "key = value" or a [section] header`);
    if (section === undefined) throw new InputError(`${file}:${line}: "${kv[1]}" is outside any section; put it under [defaults]`);
    if (section !== "defaults") return;
    last = kv[1]!.toLowerCase();
    defaults.set(last, { value: stripInlineComment(kv[2]!), line });
  });
  return { file, defaults };
}

/** ansible.cfg allows `key = value ; comment` (inline prefixes ; and #, after whitespace). */
function stripInlineComment(v: string): string {
  return v.replace(/\s+[;#].*$/, "").trim();
}

export function loadAnsibleCfg(s: CfgSearch): AnsibleCfg | undefined {
  const file = findAnsibleCfg(s);
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(`${file}: cannot read this ansible.cfg (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); fix it or point ANSIBLE_CONFIG elsewhere`);
  }
  return parseAnsibleCfg(text, file);
}

/** Path settings in ansible.cfg are relative to the file's directory; `~` is the home directory. */
export function cfgPath(cfg: AnsibleCfg, value: string, home?: string): string {
  const p = expandHome(value, home);
  return isAbsolute(p) ? p : resolve(dirname(cfg.file), p);
}
