// "Hosts" that are this machine (ansible_connection=local): the target's state dir and audit log are
// redirected into a temp dir for the test file (restored after it), and each test starts from a fresh
// work dir with a two-host inventory and no target state.
import { afterAll, beforeAll, beforeEach } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const LOCAL_INVENTORY = "[nodes]\nn1 ansible_connection=local\nn2 ansible_connection=local\n";

export interface LocalTarget {
  /** the temp dir of the file (target/ under it is the hosts' state) */
  root: string;
  /** REMEDY_TARGET_STATE_DIR */
  state: string;
  /** REMEDY_TARGET_AUDIT_LOG */
  auditLog: string;
  /** this test's work dir and its inventory (n1, n2) */
  work: string;
  inv: string;
  /** every audit line so far, parsed */
  audit(): Array<Record<string, unknown>>;
}

/** `layout`: where the state dir and audit log sit under root/target (the real paths, or a short form). */
export function useLocalTarget(prefix: string, layout = { state: "var/lib/remedy", audit: "var/log/remedy/audit.jsonl" }): LocalTarget {
  const saved = { state: process.env.REMEDY_TARGET_STATE_DIR, audit: process.env.REMEDY_TARGET_AUDIT_LOG };
  const t: LocalTarget = {
    root: "",
    state: "",
    auditLog: "",
    work: "",
    inv: "",
    audit: () => (existsSync(t.auditLog) ? readFileSync(t.auditLog, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>) : []),
  };
  beforeAll(() => {
    t.root = mkdtempSync(join(tmpdir(), prefix));
    t.state = join(t.root, "target", layout.state);
    t.auditLog = join(t.root, "target", layout.audit);
    process.env.REMEDY_TARGET_STATE_DIR = t.state;
    process.env.REMEDY_TARGET_AUDIT_LOG = t.auditLog;
  });
  afterAll(() => {
    for (const [k, v] of [["REMEDY_TARGET_STATE_DIR", saved.state], ["REMEDY_TARGET_AUDIT_LOG", saved.audit]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(t.root, { recursive: true, force: true });
  });
  beforeEach(() => {
    t.work = mkdtempSync(join(t.root, "work-"));
    t.inv = join(t.work, "hosts.ini");
    writeFileSync(t.inv, LOCAL_INVENTORY);
    rmSync(join(t.root, "target"), { recursive: true, force: true });
  });
  return t;
}
