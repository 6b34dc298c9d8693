/** CEL for tests: one expression (`evaluateCelExpression`) or a CRD schema's rules (`StructuralCelRules`). */
export { CelCompileError, CelEvaluationError, compileCelExpression, evaluateCelExpression, fromCelValue, toCelValue } from './expression';
export type { CompileOptions, CompiledCelExpression, SelectCheck } from './expression';
export { escapeCelPropertyName, StructuralCelRules, toSchemaCelValue } from './structural';
export type { CelRuleViolation, StructuralSchema, ValidationRule } from './structural';
