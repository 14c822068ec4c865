// Secrets are masked in every form output can hold them: raw, shell-quoted, JSON-escaped, base64, per line.
import { describe, expect, it } from "vitest";
import { isSecretName } from "../../../src/secret-names.js";
import { mapStrings, Redactor, secretValues } from "../../../src/report/redact.js";
import { shellQuote } from "../../../src/transport/quote.js";

const SECRET = `it's "sé\\cret"\nline2-ünï 😀`;

describe("secret names", () => {
  it("password, passwd, pwd, passphrase, token, secret, private key, credential (any case) are secret", () => {
    for (const n of ["db_password", "DB_PASSWD", "db_pwd", "ssh_passphrase", "api_token", "client_secret", "ssh_private_key", "Private Key", "privatekey", "aws_credentials", "ansible_become_pass"]) {
      expect(isSecretName(n), n).toBe(true);
    }
    for (const n of ["ansible_user", "ansible_ssh_private_key_file", "kernel_version", "passive_mode", "netconsole_port"]) expect(isSecretName(n), n).toBe(false);
  });

  it("secretValues: by name, by declaration (inputs with secret: true), and every leaf of a secret list/map", () => {
    const vars = { db_pwd: "abc123", motd: "hello-world", api_tokens: ["tok-1", { x: "tok-2" }], short: "x" };
    expect(secretValues(vars).sort()).toEqual(["abc123", "tok-1", "tok-2"]);
    expect(secretValues(vars, { motd: { secret: true } }).sort()).toEqual(["abc123", "hello-world", "tok-1", "tok-2"]);
  });
});

describe("Redactor", () => {
  const r = new Redactor();
  r.add([SECRET]);

  it("masks the raw, shell-quoted, JSON-escaped, \\u-escaped, base64 forms and each line", () => {
    const forms = [
      SECRET,
      shellQuote(SECRET),
      JSON.stringify(SECRET),
      JSON.stringify(SECRET).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
      JSON.stringify(shellQuote(SECRET)),
      Buffer.from(SECRET).toString("base64"),
      "line2-ünï 😀",
    ];
    for (const f of forms) {
      const out = r.text(`before ${f} after`);
      expect(out, f).toContain("<redacted>");
      expect(out).not.toContain("line2");
      expect(out).not.toContain("cret");
      expect(out).not.toContain(Buffer.from(SECRET).toString("base64"));
    }
  });

  it("redacts structured values string by string, so JSON.stringify afterwards holds no escaped form", () => {
    const ev = { type: "command", cmd: `echo ${shellQuote(SECRET)} | sudo -S x`, nested: [{ stdout: SECRET }], n: 3, flag: true, none: null };
    const red = r.value(ev);
    expect(red.n).toBe(3);
    expect(red.flag).toBe(true);
    expect(red.none).toBeNull();
    const json = JSON.stringify(red);
    for (const frag of ["cret", "line2", "ünï", "\\u00fc"]) expect(json).not.toContain(frag);
    expect(mapStrings({ a: ["x"] }, (s) => s + "!")).toEqual({ a: ["x!"] });
  });
});
