// Connection variables checked for every target host before anything connects: the values the SSH
// transport reads (src/transport/spec.ts) must have the right type and range, with the place they were set.
import type { InputProblem } from "../errors.js";
import type { Inventory } from "../model/inventory.js";
import { hostVarOrigin, hostVars } from "./vars.js";
import { isSecretName } from "./render.js";

const CONNECTIONS = ["ssh", "paramiko", "smart", "local"];
const BOOLEAN_TEXT = ["true", "false", "yes", "no", "on", "off", "1", "0", "y", "n"];

type Rule = (v: unknown) => string | undefined;

const scalar: Rule = (v) => (Array.isArray(v) ? "is a list, but one value belongs here" : v !== null && typeof v === "object" ? "is a mapping, but one value belongs here" : undefined);
const port: Rule = (v) => scalar(v) ?? (/^[0-9]+$/.test(String(v).trim()) && Number(v) >= 1 && Number(v) <= 65535 ? undefined : "is not a TCP port (a whole number 1-65535)");
const seconds: Rule = (v) => {
  const bad = scalar(v);
  if (bad) return bad;
  const n = Number(String(v).trim());
  return String(v).trim() !== "" && Number.isFinite(n) && n > 0 && n <= 3600 ? undefined : "is not a number of seconds (e.g. 30; at most 3600)";
};
const bool: Rule = (v) => scalar(v) ?? (typeof v === "boolean" || BOOLEAN_TEXT.includes(String(v).trim().toLowerCase()) ? undefined : "is not a boolean (use true or false)");
const connection: Rule = (v) => scalar(v) ?? (CONNECTIONS.includes(String(v).trim()) ? undefined : `is not supported; remedy connects with ssh (or local for the controller itself)`);

const hostKeyMode: Rule = (v) => scalar(v) ?? (["strict", "accept-new", "off"].includes(String(v).trim()) ? undefined : "is not one of strict, accept-new, off");

const RULES: Record<string, Rule> = {
  remedy_host_key_checking: hostKeyMode,
  ansible_connection: connection,
  ansible_port: port,
  ansible_ssh_port: port,
  ansible_timeout: seconds,
  ansible_ssh_timeout: seconds,
  ansible_become: bool,
  ansible_host_key_checking: bool,
  ansible_host: scalar,
  ansible_ssh_host: scalar,
  ansible_user: scalar,
  ansible_ssh_user: scalar,
  ansible_ssh_private_key_file: scalar,
  ansible_private_key_file: scalar,
  ansible_password: scalar,
  ansible_ssh_pass: scalar,
  ansible_become_user: scalar,
  ansible_become_pass: scalar,
  ansible_become_password: scalar,
  ansible_become_method: scalar,
  ansible_ssh_common_args: scalar,
};

/** Problems of the connection vars of `hosts`, located where each value was set; one per place. */
export function connectionVarProblems(inv: Inventory, hosts: string[]): InputProblem[] {
  const out: InputProblem[] = [];
  const seen = new Set<string>();
  for (const h of hosts) {
    const vars = hostVars(inv, h);
    for (const [name, rule] of Object.entries(RULES)) {
      if (!Object.hasOwn(vars, name) || vars[name] === null || vars[name] === undefined) continue;
      const why = rule(vars[name]);
      if (!why) continue;
      const loc = hostVarOrigin(inv, h, name);
      const key = `${loc ? `${loc.file}:${loc.line}:${loc.col}` : h}:${name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const shown = isSecretName(name) ? "" : `=${typeof vars[name] === "string" ? vars[name] : JSON.stringify(vars[name])}`;
      const message = `host ${h}: ${name}${shown} ${why}`;
      out.push(loc ? { file: loc.file, line: loc.line, col: loc.col, message } : { file: inv.source, message });
    }
  }
  return out;
}
