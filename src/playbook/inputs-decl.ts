// Load-time checks of `inputs:`: declarations that make sense, vars defaults and -e values that fit them.
import type { InputProblem } from "../errors.js";
import { Vaulted } from "../inventory/vault.js";
import { inputMessage, inputProblem, type InputSpec } from "./inputs.js";
import type { RawPlaybook } from "./schema.js";
import { SPECIAL_ROOTS } from "./scope.js";
import type { YamlSource } from "./source.js";

export function inputProblems(raw: RawPlaybook, src: YamlSource, extraVars: Record<string, unknown>): InputProblem[] {
  const out: InputProblem[] = [];
  const inputs = raw.inputs ?? {};
  for (const [name, spec] of Object.entries(inputs)) {
    const at = ["inputs", name];
    if ((SPECIAL_ROOTS as readonly string[]).includes(name)) out.push(src.problem(at, `"${name}" is a built-in name; pick another input name`, { at: "key" }));
    if (spec.pattern !== undefined) {
      try {
        new RegExp(spec.pattern, "u");
      } catch (e) {
        out.push(src.problem([...at, "pattern"], `invalid regex: ${(e as Error).message.replace(/^Invalid regular expression: \/[\s\S]*\/[a-z]*: /, "")}`));
        continue;
      }
    }
    if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max) out.push(src.problem([...at, "min"], `min ${spec.min} is greater than max ${spec.max}`));
    if ((spec.min !== undefined || spec.max !== undefined) && !["integer", "port"].includes(spec.type)) {
      out.push(src.problem(at, `min/max apply to integer and port inputs, not ${spec.type}`));
    }
    if (spec.enum) {
      const bad = spec.enum.find((e) => inputProblem({ ...spec, enum: undefined }, e) !== undefined);
      if (bad !== undefined) out.push(src.problem([...at, "enum"], `enum value ${JSON.stringify(bad)} is not ${spec.type}`));
    }
    const vars = raw.vars ?? {};
    // a sealed `!vault` default is checked once the run opens it (run-check.ts), like an inventory value
    if (Object.hasOwn(vars, name) && !(vars[name] instanceof Vaulted)) {
      const why = inputProblem({ ...spec, required: false }, vars[name]);
      if (why) out.push(src.problem(["vars", name], `default: ${inputMessage(name, spec, vars[name], why)} (declared at line ${src.pos(at).line})`));
    }
  }
  for (const [name, value] of Object.entries(extraVars)) {
    const spec: InputSpec | undefined = inputs[name];
    if (!spec) continue;
    const why = inputProblem(spec, value);
    if (why) out.push({ file: "-e", message: `${inputMessage(name, spec, value, why)}; fix the -e ${name}=... argument` });
  }
  return out;
}
