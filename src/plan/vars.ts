// Extra vars as a plan stores them: plain values (redacted), and secrets only as a sha256.
import { SECRET_NAME, type Redactor } from "../report/redact.js";
import { canonicalJson, sha256 } from "./format.js";

export interface PlanVars {
  plain: Record<string, unknown>;
  secret: Record<string, string>;
}

/** `declared`: the playbook's inputs; those with `secret: true` are secret whatever their name. */
export function planVars(extraVars: Record<string, unknown>, redactor: Redactor, declared?: Record<string, { secret?: boolean }>): PlanVars {
  const plain: Record<string, unknown> = {};
  const secret: Record<string, string> = {};
  for (const [k, v] of Object.entries(extraVars)) {
    if (SECRET_NAME.test(k) || declared?.[k]?.secret) secret[k] = sha256(canonicalJson(v));
    else plain[k] = redactor.value(v);
  }
  return { plain, secret };
}

/** Human differences between the plan's extra vars and the ones given now ([] when equal). */
export function varsDifferences(planned: PlanVars, now: PlanVars): string[] {
  const out: string[] = [];
  const keys = (o: object) => Object.keys(o);
  for (const k of new Set([...keys(planned.plain), ...keys(now.plain)])) {
    const a = planned.plain[k];
    const b = now.plain[k];
    if (!(k in now.plain)) out.push(`-e ${k} was ${JSON.stringify(a)} in the plan and is not given now`);
    else if (!(k in planned.plain)) out.push(`-e ${k}=${JSON.stringify(b)} is given now but was not in the plan`);
    else if (canonicalJson(a) !== canonicalJson(b)) out.push(`-e ${k} is ${JSON.stringify(b)} now, ${JSON.stringify(a)} in the plan`);
  }
  for (const k of new Set([...keys(planned.secret), ...keys(now.secret)])) {
    if (!(k in now.secret)) out.push(`secret -e ${k} was set in the plan and is not given now`);
    else if (!(k in planned.secret)) out.push(`secret -e ${k} is given now but was not in the plan`);
    else if (planned.secret[k] !== now.secret[k]) out.push(`secret -e ${k} has a different value than in the plan (sha256 differs)`);
  }
  return out;
}
