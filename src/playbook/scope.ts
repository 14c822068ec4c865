// What `{{ }}` and `when` can see, and the one lookup function both use.
import { ExitCode } from "../exit-code.js";
import { RemedyError } from "../errors.js";
import type { Facts } from "../model/facts.js";

export interface Registered {
  stdout: string;
  stderr: string;
  rc: number | null;
  stdout_lines: string[];
  changed?: boolean;
  compliant?: boolean;
}

export interface Scope {
  /** playbook vars, inventory host vars and extra vars, already merged by the caller */
  vars: Record<string, unknown>;
  facts?: Facts;
  /** inventory name of the host */
  host: string;
  groups: Record<string, string[]>;
  registered: Record<string, Registered>;
  /**
   * Secret vars in shell commands: rendered as "$REMEDY_SECRET_<name>" and their values collected in `env`,
   * which the transport delivers on the session's stdin (src/transport/secret-env.ts), never on the command line.
   */
  secrets?: SecretBinding;
}

export interface SecretBinding {
  names: ReadonlySet<string>;
  /** REMEDY_SECRET_<name> → value, filled as commands are rendered */
  env: Map<string, string>;
}

/** A `{{ name }}` or a `when` path that names nothing at run time (exit 1: the host fails). */
export class InterpolationError extends RemedyError {
  override readonly exitCode = ExitCode.Failed;
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(message);
    this.variable = variable;
  }
}

export type Seg = string | number;

/** A dotted/bracketed lookup: facts.kernel, groups.kube_control_plane[0], reg.stdout_lines[-1]. */
export interface PathRef {
  root: string;
  segs: Seg[];
}

/** Names with a fixed meaning; they win over vars and registered results of the same name. */
export const SPECIAL_ROOTS = ["host", "inventory_hostname", "facts", "groups", "vars"] as const;

export function pathText(p: PathRef): string {
  return p.root + p.segs.map((s) => (typeof s === "number" ? `[${s}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join("");
}

export type Lookup = { ok: true; value: unknown } | { ok: false; message: string };

function rootValue(scope: Scope, root: string): Lookup {
  switch (root) {
    case "host":
    case "inventory_hostname":
      return { ok: true, value: scope.host };
    case "facts":
      return scope.facts ? { ok: true, value: scope.facts } : { ok: false, message: `facts were not gathered for ${scope.host}` };
    case "groups":
      return { ok: true, value: scope.groups };
    case "vars":
      return { ok: true, value: scope.vars };
  }
  if (Object.hasOwn(scope.registered, root)) return { ok: true, value: scope.registered[root] };
  if (Object.hasOwn(scope.vars, root)) return { ok: true, value: scope.vars[root] };
  const names = [...new Set([...SPECIAL_ROOTS, ...Object.keys(scope.registered), ...Object.keys(scope.vars)])].sort();
  return { ok: false, message: `undefined variable "${root}" on ${scope.host}; defined names: ${names.join(", ")}` };
}

export function lookup(scope: Scope, ref: PathRef): Lookup {
  const start = rootValue(scope, ref.root);
  if (!start.ok) return start;
  let cur: unknown = start.value;
  for (let i = 0; i < ref.segs.length; i++) {
    const seg = ref.segs[i]!;
    const here = pathText({ root: ref.root, segs: ref.segs.slice(0, i) });
    if (Array.isArray(cur) && typeof seg === "number") {
      const idx = seg < 0 ? cur.length + seg : seg;
      if (idx < 0 || idx >= cur.length) return { ok: false, message: `${here}[${seg}] is out of range: ${here} has ${cur.length} item(s)` };
      cur = cur[idx];
    } else if (cur !== null && typeof cur === "object" && !Array.isArray(cur) && typeof seg === "string") {
      if (!Object.hasOwn(cur, seg)) {
        const keys = Object.keys(cur).sort();
        return { ok: false, message: `${here} has no key "${seg}"; keys: ${keys.join(", ") || "(none)"}` };
      }
      cur = (cur as Record<string, unknown>)[seg];
    } else {
      const what = Array.isArray(cur) ? "a list" : cur === null ? "null" : typeof cur;
      return { ok: false, message: `cannot look up ${typeof seg === "number" ? `[${seg}]` : `"${seg}"`} in ${here}: it is ${what}` };
    }
  }
  return { ok: true, value: cur };
}

/** Lookup that throws InterpolationError when the path names nothing. */
export function resolve(scope: Scope, ref: PathRef): unknown {
  const r = lookup(scope, ref);
  if (!r.ok) throw new InterpolationError(pathText(ref), r.message);
  return r.value;
}
