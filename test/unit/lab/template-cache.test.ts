// The cached-template key covers what lab-init reads; a saved template is found again, a partial one never.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cachedTemplate, saveTemplate, templateKey } from "../../../src/lab/template-cache.js";

function fakeBase(): string {
  const base = mkdtempSync(join(tmpdir(), "remedy-tpl-base-"));
  const files: Record<string, string> = {
    "tools/lab-init": "#!/bin/bash\necho init\n",
    "tools/data/sysctl-defaults": "fs/pipe-user-pages-soft 16384\n",
    "rpmdb/el7/rpmdb.sqlite": "db7",
    "rpmdb/el9/rpmdb.sqlite": "db9",
    "repos/el7/repodata/repomd.xml": "<repomd/>",
    "rpms/el7/kernel-ml-4.19.12-1.el7.elrepo.x86_64.rpm": "rpm",
    "bin/bash": "ELF",
    "lib/libc.so.6": "ELF",
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(base, rel, ".."), { recursive: true });
    writeFileSync(join(base, rel), text);
  }
  return base;
}

describe("template key", () => {
  it("is stable for the same base and differs per OS", () => {
    const base = fakeBase();
    expect(templateKey(base, "el7")).toBe(templateKey(base, "el7"));
    expect(templateKey(base, "el7")).not.toBe(templateKey(base, "el9"));
  });

  it("changes with a tool's content, the OS's rpm database or repos, its package list, the base's binaries", () => {
    const changes: Array<[string, string]> = [
      ["tools/lab-init", "#!/bin/bash\necho init2\n"],
      ["tools/data/sysctl-defaults", "fs/pipe-user-pages-soft 16385\n"],
      ["rpmdb/el7/rpmdb.sqlite", "db7-changed"],
      ["repos/el7/repodata/repomd.xml", "<repomd rev='2'/>"],
      ["rpms/el7/kernel-ml-5.4.0-1.el7.elrepo.x86_64.rpm", "rpm"],
      ["bin/python3", "ELF"],
    ];
    for (const [rel, text] of changes) {
      const base = fakeBase();
      const before = templateKey(base, "el7");
      mkdirSync(join(base, rel, ".."), { recursive: true });
      writeFileSync(join(base, rel), text);
      expect(templateKey(base, "el7"), rel).not.toBe(before);
    }
  });

  it("ignores the other OS's rpm database", () => {
    const base = fakeBase();
    const before = templateKey(base, "el7");
    writeFileSync(join(base, "rpmdb/el9/rpmdb.sqlite"), "db9-changed");
    expect(templateKey(base, "el7")).toBe(before);
  });
});

describe("saved templates", () => {
  it("a saved root is found under its key with the spec it was booted as; other keys and OSes find nothing", () => {
    const cache = mkdtempSync(join(tmpdir(), "remedy-tpl-cache-"));
    const root = mkdtempSync(join(tmpdir(), "remedy-tpl-root-"));
    mkdirSync(join(root, "etc"));
    writeFileSync(join(root, "etc/hostname"), "el7-node01\n");
    expect(cachedTemplate("el7", "k1", cache)).toBeUndefined();
    saveTemplate("el7", "k1", root, { name: "el7-node01", ip: "127.77.4.1" }, cache);
    const t = cachedTemplate("el7", "k1", cache);
    expect(t?.spec).toEqual({ name: "el7-node01", ip: "127.77.4.1" });
    expect(t?.key).toBe("k1");
    expect(cachedTemplate("el7", "k2", cache)).toBeUndefined();
    expect(cachedTemplate("el9", "k1", cache)).toBeUndefined();
  });

  it("a template dir without its spec (a save killed half-way would leave only a tmp dir) is not used", () => {
    const cache = mkdtempSync(join(tmpdir(), "remedy-tpl-cache-"));
    mkdirSync(join(cache, "templates", "el9-k1", "root"), { recursive: true });
    expect(cachedTemplate("el9", "k1", cache)).toBeUndefined();
  });
});
