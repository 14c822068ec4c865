import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { shellJoin, shellQuote } from "../../../src/transport/quote.js";
import { needsSudo, wrapBecome } from "../../../src/transport/become.js";
import { splitWords } from "../../../src/transport/spec.js";

const hostile = [`it's`, `"dq"`, "$(id)", "`id`", "a;b", "a&&b", "x\ny", "$HOME", "*", "~", "", " lead", "-n", "\\", "!!", "é ü 日本"];

describe("shellQuote through a real /bin/sh", () => {
  it("every value reaches printf %s literally", () => {
    for (const v of hostile) {
      expect(execFileSync("/bin/sh", ["-c", `printf %s ${shellQuote(v)}`], { encoding: "utf8" })).toBe(v);
    }
  });
  it("shellJoin keeps argv boundaries", () => {
    const out = execFileSync("/bin/sh", ["-c", `printf '<%s>' ${shellJoin(hostile)}`], { encoding: "utf8" });
    expect(out).toBe(hostile.map((v) => `<${v}>`).join(""));
  });
  it("splitWords undoes shell quoting for ssh args", () => {
    expect(splitWords(`-o 'ProxyCommand=ssh -W %h:%p -q bastion' -o"UserKnownHostsFile=/a b" x\\ y`)).toEqual([
      "-o", "ProxyCommand=ssh -W %h:%p -q bastion", "-oUserKnownHostsFile=/a b", "x y",
    ]);
  });
});

describe("wrapBecome", () => {
  it("is a no-op without become or when already the target user", () => {
    expect(wrapBecome("id", "deploy", { become: false })).toBe("id");
    expect(wrapBecome("id", "root", { become: true })).toBe("id");
    expect(needsSudo("root", { become: true })).toBe(false);
  });
  it("uses non-interactive sudo and quotes the command for /bin/sh", () => {
    const w = wrapBecome(`echo "a'b" | tr a b`, "deploy", { become: true });
    expect(w).toBe(`sudo -n -H -u root -- /bin/sh -c 'echo "a'"'"'b" | tr a b'`);
    expect(wrapBecome("id", "root", { become: true, becomeUser: "postgres" })).toMatch(/^sudo -n -H -u postgres -- /);
    // the quoted command survives a shell: replace sudo with env to run it here
    const inner = w.replace(/^sudo -n -H -u root -- /, "");
    expect(execFileSync("/bin/sh", ["-c", inner], { encoding: "utf8" })).toBe("b'b\n");
  });
});
