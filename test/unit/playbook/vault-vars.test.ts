// Inline `!vault` values in a playbook's own vars: sealed at load with their place, opened with the run's keyring
// (the values become secrets), refused with file:line:col without a password unless every host overrides them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { loadPlaybook, openPlaybookVars, validatePlaybookFile } from "../../../src/playbook/index.js";
import { Vaulted, VaultKeyring } from "../../../src/inventory/vault.js";
import { InputError } from "../../../src/errors.js";

// made by the real ansible-vault (test/fixtures/vault/generate.sh)
const FIXTURE = fileURLToPath(new URL("../../fixtures/vault/playbook-vars.yml", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "remedy-pb-vault-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keyring = () =>
  new VaultKeyring([
    { id: "default", password: "correct horse battery staple", source: "test" },
    { id: "prod", password: "prodpass", source: "test" },
  ]);

describe("a playbook's vaulted vars", () => {
  it("load sealed, with the place of their value", async () => {
    const pb = await loadPlaybook(FIXTURE);
    expect(pb.vars["plain_label"]).toBe("visible-label");
    const sealed = pb.vars["deploy_key"];
    expect(sealed).toBeInstanceOf(Vaulted);
    expect((sealed as Vaulted).at).toEqual({ file: FIXTURE, line: 6, col: 22 });
    expect((sealed as Vaulted).envelope).toMatch(/^\$ANSIBLE_VAULT;1\.1;AES256\n/);
  });

  it("open with the keyring: plaintext in place, each value recorded as a secret", async () => {
    const pb = await loadPlaybook(FIXTURE);
    const k = keyring();
    openPlaybookVars(pb, ["n1"], k, () => ({}));
    expect(pb.vars["deploy_key"]).toBe("pb-1.1-deploy-key");
    expect(pb.vars["build_label"]).toBe("pb 1.2 build label");
    expect([...k.revealed].sort()).toEqual(["pb 1.2 build label", "pb-1.1-deploy-key"]);
  });

  it("without a password: the first one a host needs is refused with file:line:col; overridden everywhere, none is", async () => {
    const pb = await loadPlaybook(FIXTURE);
    const none = new VaultKeyring([]);
    expect(() => openPlaybookVars(pb, ["n1", "n2"], none, () => ({}))).toThrow(InputError);
    expect(() => openPlaybookVars(pb, ["n1", "n2"], none, () => ({}))).toThrow(`${FIXTURE}:6:22: this value is encrypted with ansible-vault`);
    const both = { deploy_key: "x", build_label: "y" };
    expect(() => openPlaybookVars(pb, ["n1", "n2"], none, () => both)).not.toThrow();
    expect(() => openPlaybookVars(pb, ["n1", "n2"], none, (h) => (h === "n1" ? both : { deploy_key: "x" }))).toThrow(`${FIXTURE}:13:23: this value is encrypted with ansible-vault (vault id prod)`);
    const withE = await loadPlaybook(FIXTURE, { extraVars: { deploy_key: "from -e", build_label: "from -e" } });
    expect(() => openPlaybookVars(withE, ["n1"], none, () => ({}))).not.toThrow();
  });

  it("a !vault value outside vars: is a located problem", async () => {
    const vaulted = readFileSync(FIXTURE, "utf8").split("\n").slice(5, 12);
    const file = join(dir, "misplaced.yml");
    writeFileSync(file, ["name: m", "hosts: all", "steps:", "  - name: s", "    check:", "      run: !vault |", ...vaulted.slice(1)].join("\n") + "\n");
    const problems = await validatePlaybookFile(file);
    expect(problems).toEqual([{ file, line: 6, col: 19, message: expect.stringContaining("a `!vault` value is read only under `vars:`") }]);
  });
});
