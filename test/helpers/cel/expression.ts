/**
 * CEL for tests, close to what the Kubernetes API server runs: @bufbuild/cel with the standard
 * library and the `strings` extension (Kubernetes enables ext.Strings too), plus a compile step
 * @bufbuild/cel lacks. Its `plan()` accepts any expression that parses and only fails when
 * evaluation reaches an unknown function or variable, so a broken rule on a field a test never
 * sets would pass silently; `compileCelExpression` therefore rejects, before any evaluation, calls
 * of functions no overload of which fits the call shape, variables that are not declared, and
 * (through `checkSelect`) fields a schema does not define, as the Kubernetes type-checker would.
 * It checks arity and receiver, not argument types: a type mismatch still surfaces on evaluation.
 * Kubernetes' own libraries (lists `isSorted`/`sum`, regex `find`, `quantity`, `url`, `ip`, `cidr`,
 * authorizer) are not provided: using one is a compile error, never a silent pass. The durations
 * the pinned CRDs compare (`duration(self) >= duration('1s')`) are standard CEL and built in.
 *
 * Values go in as plain JSON (objects are maps, arrays lists, integral numbers `int`, other numbers
 * `double`) and come out the same way: `int`/`uint` as number, lists as arrays, maps as objects.
 * Durations and timestamps come out as @bufbuild/cel's message values.
 */
import { celEnv, CelScalar, isCelError, isCelList, isCelMap, isCelUint, parse, plan, type CelEnv, type CelInput, type CelValue } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

/** The parsed syntax tree, typed from @bufbuild/cel itself (its spec package is not a dependency of ours). */
type Expr = ReturnType<typeof parse>['expr'];

/** An expression that does not compile: bad syntax, unknown function, undeclared variable, undefined field. */
export class CelCompileError extends Error {
  constructor(
    readonly expression: string,
    readonly reason: string,
  ) {
    super(`CEL expression does not compile: ${reason}: ${expression}`);
    this.name = 'CelCompileError';
  }
}

/** An evaluation that produced a CEL error (no such key, no matching overload, division by zero, ...). */
export class CelEvaluationError extends Error {
  constructor(
    readonly expression: string,
    readonly reason: string,
  ) {
    super(`CEL evaluation error: ${reason}: ${expression}`);
    this.name = 'CelEvaluationError';
  }
}

/**
 * Called for each field selection (`x.a.b`, also inside `has()`) whose chain starts at a declared
 * variable: returns why the field does not exist, or undefined when it may.
 */
export type SelectCheck = (variable: string, fields: readonly string[]) => string | undefined;

export interface CompileOptions {
  /** Typing of field selections, e.g. against a structural schema. */
  readonly checkSelect?: SelectCheck;
}

/** A compiled expression, evaluated with CEL values (see `toCelValue`) bound to its variables. */
export interface CompiledCelExpression {
  readonly expression: string;
  readonly variables: readonly string[];
  /** The declared variables the expression reads (a CRD rule reading `oldSelf` is a transition rule). */
  readonly references: ReadonlySet<string>;
  /** The raw CEL result; a CEL error is thrown as CelEvaluationError. */
  evaluateCel(bindings: Readonly<Record<string, CelInput>>): CelValue;
}

/** Calls the parser turns into control flow rather than function lookups. */
const SPECIAL_FORMS = new Set(['_&&_', '_||_', '_?_:_', '_[_]', '@not_strictly_false']);
/** Type names usable as identifiers, as in `type(x) == int`. */
const TYPE_IDENTIFIERS = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn']);

/** One environment per variable set: declaring only the variables given makes any other name a compile error. */
function environment(variables: readonly string[]): CelEnv {
  return celEnv({ funcs: strings, variables: Object.fromEntries(variables.map((name) => [name, CelScalar.DYN])) });
}

/** `[variable, field, field...]` when `expr` is a selection chain rooted at an identifier. */
function selectChain(expr: Expr): string[] | undefined {
  const kind = expr.exprKind;
  if (kind.case === 'identExpr') return [kind.value.name];
  if (kind.case === 'selectExpr' && kind.value.operand !== undefined) {
    const operand = selectChain(kind.value.operand);
    return operand === undefined ? undefined : [...operand, kind.value.field];
  }
  return undefined;
}

/** The static checks @bufbuild/cel's planner leaves to evaluation time. */
function check(expression: string, root: Expr, env: CelEnv, declared: ReadonlySet<string>, options: CompileOptions): Set<string> {
  const references = new Set<string>();
  const fail = (reason: string): never => {
    throw new CelCompileError(expression, reason);
  };
  const visit = (expr: Expr | undefined, locals: ReadonlySet<string>): void => {
    if (expr === undefined) return;
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'constExpr':
        return;
      case 'identExpr':
        if (!locals.has(kind.value.name) && declared.has(kind.value.name)) references.add(kind.value.name);
        if (!locals.has(kind.value.name) && !declared.has(kind.value.name) && !TYPE_IDENTIFIERS.has(kind.value.name)) fail(`undeclared reference to '${kind.value.name}'`);
        return;
      case 'selectExpr': {
        const chain = selectChain(expr);
        if (chain !== undefined && declared.has(chain[0]) && !locals.has(chain[0]) && options.checkSelect !== undefined) {
          const problem = options.checkSelect(chain[0], chain.slice(1));
          if (problem !== undefined) fail(problem);
        }
        visit(kind.value.operand, locals);
        return;
      }
      case 'callExpr': {
        const { function: name, target, args } = kind.value;
        if (!SPECIAL_FORMS.has(name)) {
          const overloads = env.funcs.find(name);
          if (overloads === undefined) fail(`undeclared reference to function '${name}'`);
          const fits = [...(overloads ?? [])].some((overload) => (overload.target !== undefined) === (target !== undefined) && overload.arguments.length === args.length);
          if (!fits) fail(`found no matching overload for '${name}' with ${target !== undefined ? 'a target and ' : ''}${args.length} argument(s)`);
        }
        visit(target, locals);
        args.forEach((arg) => visit(arg, locals));
        return;
      }
      case 'listExpr':
        kind.value.elements.forEach((element) => visit(element, locals));
        return;
      case 'structExpr':
        if (kind.value.messageName !== '') fail(`message construction '${kind.value.messageName}' is not supported`);
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === 'mapKey') visit(entry.keyKind.value, locals);
          visit(entry.value, locals);
        }
        return;
      case 'comprehensionExpr': {
        const comprehension = kind.value;
        visit(comprehension.iterRange, locals);
        visit(comprehension.accuInit, locals);
        const inner = new Set([...locals, comprehension.iterVar, comprehension.iterVar2, comprehension.accuVar].filter((name) => name !== ''));
        visit(comprehension.loopCondition, inner);
        visit(comprehension.loopStep, inner);
        visit(comprehension.result, new Set([...locals, comprehension.accuVar]));
        return;
      }
      default:
        fail('empty expression');
    }
  };
  visit(root, new Set());
  return references;
}

/**
 * Parses, checks and plans `expression` for the given variable names. Throws CelCompileError when it
 * does not compile; the result can be evaluated many times.
 */
export function compileCelExpression(expression: string, variables: readonly string[], options: CompileOptions = {}): CompiledCelExpression {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(expression);
  } catch (error) {
    throw new CelCompileError(expression, error instanceof Error ? error.message : String(error));
  }
  const env = environment(variables);
  const references = check(expression, parsed.expr, env, new Set(variables), options);
  const program = plan(env, parsed);
  return {
    expression,
    variables,
    references,
    evaluateCel(bindings) {
      const result = program(bindings);
      if (isCelError(result)) throw new CelEvaluationError(expression, result.message);
      return result;
    },
  };
}

/**
 * A plain JSON value as a CEL value without a schema: integral numbers become `int`, as when the
 * API server decodes JSON into unstructured objects, other numbers `double`.
 */
export function toCelValue(value: unknown): CelInput {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCelValue);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toCelValue(item)]));
  throw new TypeError(`cannot bind a ${typeof value} as a CEL value`);
}

/** A CEL result as plain JS: int/uint as number (bigint beyond the safe range), lists as arrays, maps as objects. */
export function fromCelValue(value: CelValue): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  if (isCelUint(value)) return fromCelValue(value.value);
  if (isCelList(value)) return [...value].map(fromCelValue);
  if (isCelMap(value)) return Object.fromEntries([...value.entries()].map(([key, item]) => [String(isCelUint(key) ? key.value : key), fromCelValue(item)]));
  return value;
}

/**
 * Compiles and evaluates one CEL expression, for tests of CEL written by hand (a
 * ValidatingAdmissionPolicy's validations, a CRD rule):
 *
 *     evaluateCelExpression("object.spec.replicas <= 3 && request.operation == 'CREATE'",
 *       { object, oldObject: null, request: { operation: 'CREATE' } }) // true
 *
 * Every key of `bindings` is declared as a variable (of type dyn) and bound to its value converted by
 * `toCelValue`; referencing anything else, or a function the environment lacks, throws
 * CelCompileError even if evaluation would never reach it. A CEL error during evaluation (missing
 * key, no matching overload) throws CelEvaluationError. Returns the result as `fromCelValue` does.
 * Compiles on every call; for an expression evaluated many times use `compileCelExpression`.
 */
export function evaluateCelExpression(expression: string, bindings: Readonly<Record<string, unknown>>): unknown {
  const compiled = compileCelExpression(expression, Object.keys(bindings));
  return fromCelValue(compiled.evaluateCel(Object.fromEntries(Object.entries(bindings).map(([name, value]) => [name, toCelValue(value)]))));
}
