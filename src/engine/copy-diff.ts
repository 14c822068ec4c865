// --diff for copy/template: the destination as it is now (read-only) against the content it would get.
import type { Action, Playbook } from "../model/playbook.js";
import type { Transport } from "../transport/transport.js";
import { interpolate, type Scope } from "../playbook/index.js";
import { shellQuote } from "../transport/quote.js";
import { unifiedDiff } from "../report/diff.js";
import { copyContent } from "./step-values.js";

export async function copyDiff(a: Extract<Action, { kind: "copy" }>, o: { host: string; scope: Scope; playbook: Playbook; transport: Transport; timeoutSec: number; signal?: AbortSignal }): Promise<string> {
  const dest = interpolate(a.dest, o.scope, "plain");
  const body = (await copyContent(a, o.scope, o.playbook)).toString("utf8");
  const r = await o.transport.exec(`cat -- ${shellQuote(dest)}`, { timeoutMs: o.timeoutSec * 1000, become: o.playbook.become, signal: o.signal });
  const exists = r.exitCode === 0;
  return unifiedDiff(exists ? r.stdout : "", body, { from: exists ? `${o.host}:${dest}` : "/dev/null", to: `${o.host}:${dest} (new)` });
}
