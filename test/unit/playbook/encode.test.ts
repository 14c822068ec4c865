// Property test: random values rendered into each template syntax are read back byte for byte by the
// node-side consumer (bash/dash sourcing the file, systemd-sysctl's line rules, GLib's keyfile string
// rules), or refused. Never anything in between: a refused value is never written.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { encodeValue, positionProblem } from "../../../src/playbook/encode.js";
import { interpolate, UnsafeValueError } from "../../../src/playbook/interpolate.js";

/** mulberry32: deterministic, so a failure is reproducible from the seed */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ["'", '"', "`", "$(touch /tmp/pwned)", "$", "(", ")", "\\", "\n", "\r", "\t", " ", ";", "&", "|", "<", ">", "*", "?", "[", "]", "{", "}", "~", "#", "=", "!", "%", "^", "é", "日本", "😀", "\u0301", "\u0000", "\u0007", "\u007f", "\ud800", "a", "b", "0", "9", "-", "_", ".", "/", ":", "@", ",", "+", "\\n", "\\s", "${IFS}", "'\"'\"'"];

function randomValues(seed: number, n: number): string[] {
  const r = rng(seed);
  const out = ["", " ", "a b", "x'y", 'x"y', "`id`", "$(id)", "a\nb", "*", "~root", " lead", "trail ", "日本語", "😀", "\\", "\\\\s"];
  while (out.length < n) {
    const len = Math.floor(r() * 8);
    let s = "";
    for (let i = 0; i < len; i++) s += PIECES[Math.floor(r() * PIECES.length)];
    out.push(s);
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), "remedy-encode-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** systemd-sysctl / procps `sysctl -p`: key = value per line, blanks around both stripped, # and ; comments */
function readSysctl(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const line = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    out.set(line.slice(0, eq).trim(), line.slice(eq + 1).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, ""));
  }
  return out;
}

/** GLib g_key_file: `key=value`, blanks after '=' skipped, value escapes \s \n \t \r \\ (others invalid) */
function readKeyfile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const line = raw.replace(/^[ \t]+/, "");
    if (!line || line.startsWith("#") || line.startsWith("[")) continue;
    const eq = line.indexOf("=");
    const key = line.slice(0, eq).replace(/[ \t]+$/, "");
    const value = line.slice(eq + 1).replace(/^[ \t]+/, "");
    let decoded = "";
    for (let i = 0; i < value.length; i++) {
      const c = value[i]!;
      if (c !== "\\") {
        decoded += c;
        continue;
      }
      const n = value[++i];
      const m: Record<string, string> = { s: " ", n: "\n", t: "\t", r: "\r", "\\": "\\" };
      if (n === undefined || !(n in m)) throw new Error(`invalid escape \\${n ?? ""} in ${JSON.stringify(value)}`);
      decoded += m[n];
    }
    out.set(key, decoded);
  }
  return out;
}

const values = randomValues(20261206, 400);
const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** control characters other than tab, or a lone surrogate: no text file can carry them as one value line */
const unsafeLine = (v: string) => /[\0-\x08\x0a-\x1f\x7f]/.test(v) || LONE.test(v);

describe("rendering by file syntax (property test, node-side consumers)", () => {
  for (const shell of ["bash", "dash"]) {
    it(`shell: sourced by ${shell}, every accepted value reads back byte for byte; refused ones hold a line break, NUL, control character or invalid Unicode`, () => {
      const accepted: string[] = [];
      const lines: string[] = ["# Managed by remedy"];
      for (const v of values) {
        const r = encodeValue("shell", v);
        if (!r.ok) {
          expect(unsafeLine(v), JSON.stringify(v)).toBe(true);
          continue;
        }
        expect(unsafeLine(v), JSON.stringify(v)).toBe(false);
        lines.push(`K${accepted.length}=${r.text}`);
        accepted.push(v);
      }
      expect(accepted.length).toBeGreaterThan(200);
      const file = join(dir, `sysconfig-${shell}`);
      writeFileSync(file, lines.join("\n") + "\n");
      const marker = join(dir, "pwned");
      const names = accepted.map((_, i) => `"$K${i}"`).join(" ");
      const out = execFileSync(shell, ["-c", `cd "$1" && . "$2" && printf '%s\\0' ${names}`, "_", dir, file]);
      const got = out.toString("utf8").split("\0").slice(0, -1);
      expect(got).toEqual(accepted);
      expect(() => execFileSync("test", ["-e", marker])).toThrow(); // no command substitution ran
    });
  }

  it("sysctl: every accepted value reads back with systemd-sysctl's rules; blanks at the ends, line breaks and tabs are refused", () => {
    let n = 0;
    for (const v of values) {
      const r = encodeValue("sysctl", v);
      if (!r.ok) {
        expect(/^\s|\s$|\t/.test(v) || unsafeLine(v), JSON.stringify(v)).toBe(true);
        continue;
      }
      const text = `# remedy\nnet.core.x = ${r.text}\nkernel.y = 1\n`;
      expect(readSysctl(text).get("net.core.x"), JSON.stringify(v)).toBe(v);
      expect(readSysctl(text).get("kernel.y")).toBe("1");
      n++;
    }
    expect(n).toBeGreaterThan(100);
  });

  it("keyfile: every accepted value reads back with GLib's string escapes, including line breaks and outer blanks", () => {
    let n = 0;
    for (const v of values) {
      const r = encodeValue("keyfile", v);
      if (!r.ok) {
        expect(/[\0-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(v) || LONE.test(v), JSON.stringify(v)).toBe(true);
        continue;
      }
      const text = `[connection]\nid=${r.text}\nuuid=1\n`;
      expect(readKeyfile(text).get("id"), JSON.stringify(v)).toBe(v);
      expect(r.text.includes("\n")).toBe(false);
      n++;
    }
    expect(n).toBeGreaterThan(200);
  });

  it("plain: only one-line values are written, as is", () => {
    for (const v of values) {
      const r = encodeValue("plain", v);
      if (r.ok) expect(r.text).toBe(v);
      expect(r.ok, JSON.stringify(v)).toBe(!unsafeLine(v));
    }
    expect(encodeValue("plain", "a\nrm -rf /").ok).toBe(false);
  });

  it("interpolate with a file syntax encodes each value and throws UnsafeValueError naming the variable", () => {
    const scope = { vars: { t: "$(touch /tmp/pwned)", n: "a\nb", p: 6666 }, host: "h", groups: {}, registered: {} };
    expect(interpolate("SYSLOGADDR={{ t }}\nSYSLOGPORT={{ p }}\n", scope, { file: "shell" })).toBe("SYSLOGADDR='$(touch /tmp/pwned)'\nSYSLOGPORT=6666\n");
    expect(() => interpolate("X={{ n }}", scope, { file: "shell" })).toThrow(UnsafeValueError);
    expect(() => interpolate("X={{ n }}", scope, { file: "shell" })).toThrow(/\{\{ n \}\}.*shell file.*line break/);
  });

  it("{{ }} is allowed only in value positions of a declared syntax", () => {
    expect(positionProblem("shell", "A={{ x }}", 2)).toBeUndefined();
    expect(positionProblem("shell", "export A={{ x }}", 9)).toBeUndefined();
    expect(positionProblem("shell", 'A="{{ x }}"', 3)).toMatch(/unquoted/);
    expect(positionProblem("shell", "# {{ x }}", 2)).toMatch(/only be the value/);
    expect(positionProblem("shell", "{{ x }}=1", 0)).toMatch(/only be the value/);
    expect(positionProblem("sysctl", "net.ipv4.ip_forward = {{ x }}", 22)).toBeUndefined();
    expect(positionProblem("sysctl", "{{ k }} = 1", 0)).toMatch(/only be the value/);
    expect(positionProblem("keyfile", "[{{ s }}]", 1)).toMatch(/only be the value/);
    expect(positionProblem("keyfile", "id={{ x }}", 3)).toBeUndefined();
    expect(positionProblem("plain", "anything {{ x }}", 9)).toBeUndefined();
  });
});
