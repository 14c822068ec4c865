import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendKnownHost,
  fingerprint, hostFieldMatches, keyTypeOfBlob, knownKeyTypes, loadKnownHosts, parseKnownHosts, preferredHostKeyAlgorithms, verifyHostKey,
} from "../../../src/transport/known-hosts.js";
import { generateKeyPair } from "../../helpers/keys.js";

const dir = mkdtempSync(join(tmpdir(), "remedy-kh-"));
const keyA = generateKeyPair(join(dir, "a")).publicKey.split(" ");
const keyB = generateKeyPair(join(dir, "b")).publicKey.split(" ");
const keyC = generateKeyPair(join(dir, "c")).publicKey.split(" ");
const blobC = Buffer.from(keyC[1]!, "base64");
const blobD = Buffer.from(generateKeyPair(join(dir, "d")).publicKey.split(" ")[1]!, "base64");
const blobA = Buffer.from(keyA[1]!, "base64");
const blobB = Buffer.from(keyB[1]!, "base64");
const id = (hostname: string, port = 22, name = "node01") => ({ name, hostname, port, aliases: [name] });

describe("parseKnownHosts", () => {
  it("reads plain, comma lists, markers, comments and reports bad lines", () => {
    const f = parseKnownHosts(
      [
        "# comment",
        "",
        `10.0.0.1,node01 ${keyA[0]} ${keyA[1]} root@x`,
        `@cert-authority *.example ${keyB[0]} ${keyB[1]}`,
        `@revoked * ${keyB[0]} ${keyB[1]}`,
        "garbage",
        `@bogus host ${keyA[0]} ${keyA[1]}`,
      ].join("\n"),
      "/kh",
    );
    expect(f.entries.map((e) => [e.line, e.marker, e.hosts])).toEqual([
      [3, undefined, "10.0.0.1,node01"],
      [4, "cert-authority", "*.example"],
      [5, "revoked", "*"],
    ]);
    expect(f.bad).toEqual([6, 7]);
  });

  it("matches [host]:port only on that port, globs and negations", () => {
    expect(hostFieldMatches("[127.0.0.1]:2222", ["[127.0.0.1]:2222"])).toBe(true);
    expect(hostFieldMatches("[127.0.0.1]:2222", ["127.0.0.1"])).toBe(false);
    expect(hostFieldMatches("127.0.0.1", ["[127.0.0.1]:2222"])).toBe(false);
    expect(hostFieldMatches("node*,!node13", ["node12"])).toBe(true);
    expect(hostFieldMatches("node*,!node13", ["node13"])).toBe(false);
    expect(hostFieldMatches("NODE01", ["node01"])).toBe(true);
  });

  it("matches entries hashed by ssh-keygen -H (|1|salt|hash), plain and [host]:port", () => {
    const file = join(dir, "hashed");
    writeFileSync(file, `10.1.2.3 ${keyA[0]} ${keyA[1]}\n[10.1.2.4]:2222 ${keyB[0]} ${keyB[1]}\n`);
    execFileSync("ssh-keygen", ["-q", "-H", "-f", file], { stdio: "ignore" });
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain("10.1.2.3");
    const files = loadKnownHosts([file]);
    expect(files[0]!.entries.every((e) => e.hosts.startsWith("|1|"))).toBe(true);
    expect(verifyHostKey(files, id("10.1.2.3"), blobA).ok).toBe(true);
    expect(verifyHostKey(files, id("10.1.2.4", 2222), blobB).ok).toBe(true);
    expect(verifyHostKey(files, id("10.1.2.4", 22), blobB)).toMatchObject({ ok: false, reason: "unknown" });
  });
});

describe("verifyHostKey", () => {
  const file = join(dir, "known_hosts");
  writeFileSync(file, `# mine\n[127.0.0.1]:2222 ${keyA[0]} ${keyA[1]}\nnode07 ${keyA[0]} ${keyA[1]}\n`);
  const files = loadKnownHosts([file, join(dir, "missing")]);

  it("accepts a recorded key, by address or by inventory name", () => {
    expect(verifyHostKey(files, id("127.0.0.1", 2222), blobA).ok).toBe(true);
    expect(verifyHostKey(files, id("10.9.9.9", 22, "node07"), blobA).ok).toBe(true);
  });

  it("refuses an unknown host with the fingerprint and the ssh-keyscan fix", () => {
    const v = verifyHostKey(files, id("127.0.0.1", 2299), blobA);
    expect(v).toMatchObject({ ok: false, reason: "unknown" });
    if (v.ok) return;
    expect(v.message).toBe(
      `host key for [127.0.0.1]:2299 (node01) is not in ${file}, ${join(dir, "missing")}; verify the fingerprint ${fingerprint(blobA)} (ssh-ed25519) and add it (ssh-keyscan -p 2299 127.0.0.1 >> ${file})`,
    );
  });

  it("refuses a changed key naming line, file, both fingerprints and ssh-keygen -R", () => {
    const v = verifyHostKey(files, id("127.0.0.1", 2222), blobB);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.reason).toBe("changed");
    expect(v.message).toBe(
      `HOST KEY CHANGED for [127.0.0.1]:2222 (node01): known_hosts line 2 (${file}) has a different ssh-ed25519 key (${fingerprint(blobA)}) ` +
        `than the server presented (${fingerprint(blobB)}). If the host was reinstalled, remove the old key with: ssh-keygen -R '[127.0.0.1]:2222' -f ${file}`,
    );
  });

  it("refuses a key marked @revoked even when also listed", () => {
    const f = parseKnownHosts(`@revoked * ${keyA[0]} ${keyA[1]}\n[127.0.0.1]:2222 ${keyA[0]} ${keyA[1]}\n`, "/kh");
    expect(verifyHostKey([f], id("127.0.0.1", 2222), blobA)).toMatchObject({ ok: false, reason: "revoked" });
  });

  it("ignores @cert-authority lines for plain keys", () => {
    const f = parseKnownHosts(`@cert-authority * ${keyA[0]} ${keyA[1]}\n`, "/kh");
    expect(verifyHostKey([f], id("h"), blobA)).toMatchObject({ ok: false, reason: "unknown" });
  });

  it("fingerprints like ssh-keygen -l", () => {
    const out = execFileSync("ssh-keygen", ["-l", "-f", join(dir, "a.pub")], { encoding: "utf8" });
    expect(out).toContain(fingerprint(blobA));
    expect(keyTypeOfBlob(blobA)).toBe("ssh-ed25519");
  });

  it("prefers the key types already known for the host", () => {
    const f = parseKnownHosts(`h ssh-rsa AAAA\n`, "/kh");
    expect(knownKeyTypes([f], id("h"))).toEqual(["ssh-rsa"]);
    expect(preferredHostKeyAlgorithms(["ssh-rsa"], ["ssh-ed25519", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"])).toEqual([
      "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", "ssh-ed25519",
    ]);
  });
});

describe("known_hosts at fleet scale", () => {
  it("parses a file once per change: the same entries for every host until accept-new appends", () => {
    const file = join(dir, "fleet");
    writeFileSync(file, `[127.0.0.1]:2222 ${keyA[0]} ${keyA[1]}\n`);
    const first = loadKnownHosts([file])[0]!;
    expect(loadKnownHosts([file])[0]).toBe(first);
    appendKnownHost(file, id("127.0.0.2", 2222), blobB);
    const second = loadKnownHosts([file])[0]!;
    expect(second).not.toBe(first);
    expect(verifyHostKey([second], id("127.0.0.2", 2222), blobB).ok).toBe(true);
  });

  it("the name index decides like matching every line: literals, case, globs, negations, hashed, markers", () => {
    const file = join(dir, "mixed");
    writeFileSync(file, `hashed-a ${keyA[0]} ${keyA[1]}\n`);
    execFileSync("ssh-keygen", ["-q", "-H", "-f", file], { stdio: "ignore" });
    const hashedLine = readFileSync(file, "utf8").trim();
    const lines = [
      `Node01,10.0.0.1 ${keyA[0]} ${keyA[1]}`,
      `node0*,!node03 ${keyB[0]} ${keyB[1]}`,
      `node02 ${keyA[0]} ${keyA[1]}`,
      `[10.0.0.5]:2222,node05 ${keyB[0]} ${keyB[1]}`,
      `@revoked node06 ${keyC[0]} ${keyC[1]}`,
      `@cert-authority node07 ${keyA[0]} ${keyA[1]}`,
      hashedLine,
      `node0? ${keyA[0]} ${keyA[1]}`,
    ];
    const f = parseKnownHosts(lines.join("\n"), "/kh");
    // the decision the linear reading of the file gives, line by line
    const linear = (names: string[], blob: Buffer) => {
      const presented = blob.toString("base64");
      if (f.entries.some((e) => e.marker === "revoked" && e.keyBase64 === presented)) return "revoked";
      const forHost = f.entries.filter((e) => !e.marker && hostFieldMatches(e.hosts, names));
      if (forHost.some((e) => e.keyBase64 === presented)) return "ok";
      return forHost.some((e) => e.keyType === keyTypeOfBlob(blob)) ? "changed" : "unknown";
    };
    const hosts = ["node01", "NODE01", "10.0.0.1", "node02", "node03", "node04", "node05", "node06", "node07", "hashed-a", "other"];
    for (const h of hosts)
      for (const port of [22, 2222])
        for (const blob of [blobA, blobB, blobC, blobD]) {
          const ident = { name: "inv-" + h, hostname: h, port, aliases: ["inv-" + h] };
          const names = [h, "inv-" + h].map((n) => (port === 22 ? n : `[${n}]:${port}`));
          const v = verifyHostKey([f], ident, blob);
          expect(v.ok ? "ok" : v.reason, `${h}:${port}`).toBe(linear(names, blob));
        }
    expect(verifyHostKey([f], id("node09"), blobC)).toMatchObject({ ok: false, reason: "revoked" });
    // the changed-key message names the first matching line, as before
    const v = verifyHostKey([f], id("node02", 22, "x"), blobD); // lines 2 (glob), 3 (literal), 8 (glob) match
    expect(verifyHostKey([f], id("node02"), blobB).ok).toBe(true);
    expect(v.ok ? "" : v.message).toContain("known_hosts line 2 ");
  });
});
