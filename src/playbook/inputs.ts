// Typed playbook inputs (`inputs:`), like Terraform variable validation: each declared variable has a
// type and rules; every value from every source is checked before anything connects. Pure functions.

import type { InputSpec, InputType } from "../model/playbook.js";
import { isSecretName } from "../secret-names.js";

export type { InputSpec, InputType };
export const INPUT_TYPES: readonly InputType[] = ["string", "integer", "boolean", "ipv4", "hostname", "host", "port", "interface", "version", "mac", "path", "list"];

/** Secret when declared so, or when the name looks like one (password, token, private_key...). */
export function isSecretVar(name: string, spec?: InputSpec): boolean {
  return spec?.secret === true || isSecretName(name);
}

const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
// Linux dev_valid_name: 1-15 bytes, no '/', ':' or blanks; the usual characters only
const IFNAME = /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,15}$/;
const VERSION = /^[0-9A-Za-z][0-9A-Za-z._+~^:-]*$/;
const MAC = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;
// eslint-disable-next-line no-control-regex
const PATH = /^\/[^\0\n\r]*$/;

const WHAT: Record<InputType, string> = {
  string: "a string",
  integer: "a whole number",
  boolean: "true or false",
  ipv4: "an IPv4 address like 10.0.0.5",
  hostname: "a host name (letters, digits, '-' and '.')",
  host: "an IPv4 address or a host name",
  port: "a port number 1-65535",
  interface: "a network interface name (1-15 of letters, digits, _ . -)",
  version: "a version like 5.4.0-1 (letters, digits, . _ + ~ : -)",
  mac: "a MAC address like 52:54:00:12:34:56",
  path: "an absolute path",
  list: "a list of strings",
};

function scalarText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

function intOf(v: unknown): number | undefined {
  const s = scalarText(v)?.trim();
  return s !== undefined && /^[-+]?[0-9]+$/.test(s) ? Number(s) : undefined;
}

/** True when an optional input counts as "not given" (empty / null). */
export function isEmptyValue(v: unknown): boolean {
  return v === undefined || v === null || v === "";
}

/**
 * Why `value` does not satisfy `spec` (undefined when it does). The reason never includes the value:
 * callers add it only for non-secret inputs.
 */
export function inputProblem(spec: InputSpec, value: unknown): string | undefined {
  if (isEmptyValue(value) || (spec.type === "list" && Array.isArray(value) && value.length === 0)) return spec.required ? "is required but empty" : undefined;
  if (spec.type === "list") {
    if (!Array.isArray(value)) return `must be ${WHAT.list}, e.g. [a, b]`;
    const bad = value.findIndex((x) => scalarText(x) === undefined);
    if (bad >= 0) return `item ${bad} must be a string`;
    if (spec.pattern !== undefined) {
      const re = new RegExp(`^(?:${spec.pattern})$`, "u");
      const miss = value.findIndex((x) => !re.test(scalarText(x)!));
      if (miss >= 0) return `item ${miss} must match /${spec.pattern}/`;
    }
    return undefined;
  }
  if (Array.isArray(value) || (value !== null && typeof value === "object")) return `must be ${WHAT[spec.type]}, not a ${Array.isArray(value) ? "list" : "mapping"}`;
  const text = scalarText(value)!;
  const want = `must be ${WHAT[spec.type]}`;
  switch (spec.type) {
    case "string":
      break;
    case "integer":
    case "port": {
      const n = intOf(value);
      if (n === undefined) return want;
      if (spec.type === "port" && (n < 1 || n > 65535)) return want;
      break;
    }
    case "boolean":
      if (typeof value !== "boolean" && !["true", "false"].includes(text)) return want;
      break;
    case "ipv4":
      if (!IPV4.test(text)) return want;
      break;
    case "hostname":
      if (!HOSTNAME.test(text)) return want;
      break;
    case "host":
      if (!IPV4.test(text) && !HOSTNAME.test(text)) return want;
      break;
    case "interface":
      if (!IFNAME.test(text)) return want;
      break;
    case "version":
      if (!VERSION.test(text)) return want;
      break;
    case "mac":
      if (!MAC.test(text)) return want;
      break;
    case "path":
      if (!PATH.test(text)) return want;
      break;
  }
  if (spec.min !== undefined || spec.max !== undefined) {
    const n = intOf(value);
    if (n !== undefined && spec.min !== undefined && n < spec.min) return `must be >= ${spec.min}`;
    if (n !== undefined && spec.max !== undefined && n > spec.max) return `must be <= ${spec.max}`;
  }
  if (spec.enum && !spec.enum.some((e) => String(e) === text)) return `must be one of ${spec.enum.map((e) => JSON.stringify(e)).join(", ")}`;
  if (spec.pattern !== undefined && !new RegExp(`^(?:${spec.pattern})$`, "u").test(text)) return `must match /${spec.pattern}/`;
  return undefined;
}

/** A message about an input value: names the input, shows the value only when it is not secret. */
export function inputMessage(name: string, spec: InputSpec, value: unknown, reason: string): string {
  const shown = isSecretVar(name, spec) || isEmptyValue(value) ? "" : ` ${JSON.stringify(value)}`;
  return `input "${name}"${shown} ${reason}`;
}

/** The secret names among `vars` (by name or declared), for rendering them as stdin-delivered references. */
/** `alsoSecret`: names secret whatever they are called (vars holding a decrypted vault value). */
export function secretBinding(vars: Record<string, unknown>, inputs?: Record<string, InputSpec>, alsoSecret?: Iterable<string>): { names: Set<string>; env: Map<string, string> } {
  const names = new Set(Object.keys(vars).filter((n) => isSecretVar(n, inputs?.[n])));
  for (const n of alsoSecret ?? []) names.add(n);
  for (const [n, spec] of Object.entries(inputs ?? {})) if (spec.secret) names.add(n);
  return { names, env: new Map() };
}
