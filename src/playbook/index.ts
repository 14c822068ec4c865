// Public surface of the playbook loader: load/validate, interpolation, `when` expressions.
export { loadPlaybook, validatePlaybookFile, type LoadOptions } from "./load.js";
export { interpolate, parseTemplate, TemplateSyntaxError, UnsafeValueError, type TemplatePart, type RenderMode } from "./interpolate.js";
export { encodeValue, SYNTAXES, type Syntax } from "./encode.js";
export { InterpolationError, lookup, type Scope, type Registered, type PathRef, type SecretBinding } from "./scope.js";
export { parseCondition, evalCondition, exprPaths, ConditionError, ExpressionSyntaxError, type Expr } from "./expr.js";
export { compareVersions } from "./version.js";
export { DEFAULTS, slugify } from "./defaults.js";
export { secretBinding, isSecretVar } from "./inputs.js";
export { openPlaybookVars } from "./vault-vars.js";
