// Identity files are parsed once per run (not once by us and again by ssh2 for every host), and again
// only when the file changes; an unusable file says why.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { planAuth } from "../../../src/transport/auth.js";
import type { ConnectionSpec } from "../../../src/transport/transport.js";
import { generateKeyPair } from "../../helpers/keys.js";

const spec = (identityFiles: string[]) => ({ user: "root", identityFiles }) as unknown as ConnectionSpec;

/** The method the handler offers first. */
function firstMethod(files: string[]): unknown {
  let got: unknown;
  planAuth(spec(files)).handler(null, null, (m: unknown) => (got = m));
  return got;
}

describe("identity files", () => {
  it("are parsed once and handed to ssh2 parsed, for every host of the run", () => {
    const dir = mkdtempSync(join(tmpdir(), "remedy-auth-"));
    const k = generateKeyPair(join(dir, "id"));
    const a = firstMethod([k.privatePath]) as { type: string; key: { isPrivateKey(): boolean } };
    const b = firstMethod([k.privatePath]) as { key: unknown };
    expect(a.type).toBe("publickey");
    expect(Buffer.isBuffer(a.key)).toBe(false);
    expect(a.key.isPrivateKey()).toBe(true);
    expect(b.key).toBe(a.key); // the same parsed key, not a second parse
  });

  it("a changed file is read again; a broken one says why before any connection", () => {
    const dir = mkdtempSync(join(tmpdir(), "remedy-auth-"));
    const k = generateKeyPair(join(dir, "id"));
    const before = (firstMethod([k.privatePath]) as { key: unknown }).key;
    generateKeyPair(join(dir, "id")); // a new key in the same file
    const after = (firstMethod([k.privatePath]) as { key: unknown }).key;
    expect(after).not.toBe(before);
    writeFileSync(k.privatePath, "not a key\n");
    expect(planAuth(spec([k.privatePath])).problems).toEqual([expect.stringContaining(`${k.privatePath}: not a usable private key`)]);
    expect(planAuth(spec([join(dir, "missing")])).problems).toEqual([`${join(dir, "missing")}: no such file`]);
  });
});
