/**
 * The `x-kubernetes-validations` rules of a CRD's structural schema, compiled and evaluated as the
 * apiextensions API server does:
 * - every rule (and messageExpression) is compiled up front with `self` and `oldSelf` declared and
 *   field selections typed against the schema, so a broken rule throws even if no object reaches it;
 * - `self` is the value at the rule's node, converted by the schema: objects with properties are maps
 *   keyed by the CEL-escaped property names, `integer` is int, `number` double, int-or-string int
 *   or string; null values are not validated (rules on the parent must check them);
 * - a rule reading `oldSelf` is a transition rule: evaluated only on an update and only where the old
 *   object has a value at the same (correlated) path; list items correlate only in
 *   `x-kubernetes-list-type: map` lists, by their keys;
 * - a rule that is false reports messageExpression's result, else its message, else
 *   "failed rule: <rule>"; an evaluation error reports "<error> evaluating rule: <message or rule>".
 */
import { type CelInput } from '@bufbuild/cel';
import { CelCompileError, CelEvaluationError, compileCelExpression, toCelValue, type CompiledCelExpression } from './expression';

/** A node of an OpenAPI v3 structural schema, as written in the CRD. */
export type StructuralSchema = { readonly [keyword: string]: unknown };

/** One entry of `x-kubernetes-validations`. */
export interface ValidationRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly reason?: string;
  readonly fieldPath?: string;
  readonly optionalOldSelf?: boolean;
}

/** A rule that did not hold: where (path segments from the validated root) and the message. */
export interface CelRuleViolation {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

interface CompiledRule {
  readonly rule: ValidationRule;
  readonly program: CompiledCelExpression;
  readonly messageProgram?: CompiledCelExpression;
  readonly transition: boolean;
  readonly fieldPath: readonly string[];
}

interface CompiledNode {
  readonly schema: StructuralSchema;
  readonly rules: readonly CompiledRule[];
  readonly properties: ReadonlyMap<string, CompiledNode>;
  readonly additionalProperties?: CompiledNode;
  readonly items?: CompiledNode;
  /** The keys of an `x-kubernetes-list-type: map` list, whose items correlate with the old list's. */
  readonly listMapKeys?: readonly string[];
}

const RULE_VARIABLES = ['self', 'oldSelf'] as const;

function isNode(value: unknown): value is StructuralSchema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return isNode(value);
}

// CEL keywords and reserved words a property name cannot be used as without escaping (apiserver cel.Escape).
const CEL_RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

/** The name a property has in CEL (`metadata-name` is `metadata__dash__name`), or undefined when CEL cannot reach it. */
export function escapeCelPropertyName(name: string): string | undefined {
  if (name === '' || /^[0-9]/.test(name) || !/^[A-Za-z0-9_./-]+$/.test(name)) return undefined;
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  return name.replace(/__|[./-]/g, (part) => ({ __: '__underscores__', '.': '__dot__', '-': '__dash__', '/': '__slash__' })[part] ?? part);
}

function properties(schema: StructuralSchema): Record<string, StructuralSchema> {
  return isNode(schema.properties) ? (schema.properties as Record<string, StructuralSchema>) : {};
}

/** Whether CEL treats the node as dyn: no declared shape to check selections against. */
function isDynamic(schema: StructuralSchema): boolean {
  if (schema['x-kubernetes-preserve-unknown-fields'] === true && !isNode(schema.properties) && !isNode(schema.additionalProperties)) return true;
  if (schema.type === undefined && schema['x-kubernetes-int-or-string'] !== true) return true;
  return schema.type === 'object' && !isNode(schema.properties) && schema.additionalProperties === undefined;
}

/** Why `fields` cannot be selected from a value of `schema`, as the Kubernetes type-checker would say. */
function selectProblem(schema: StructuralSchema, fields: readonly string[]): string | undefined {
  let node = schema;
  for (const field of fields) {
    if (isDynamic(node)) return undefined;
    if (node.type === 'object' && isNode(node.properties)) {
      const child = Object.entries(properties(node)).find(([name]) => escapeCelPropertyName(name) === field)?.[1];
      if (child !== undefined) {
        node = child;
        continue;
      }
      if (node['x-kubernetes-preserve-unknown-fields'] === true) return undefined;
      return `undefined field '${field}'`;
    }
    if (node.type === 'object' && isNode(node.additionalProperties)) {
      node = node.additionalProperties;
      continue;
    }
    if (node.type === 'object') return undefined;
    return `type '${node['x-kubernetes-int-or-string'] === true ? 'int-or-string' : String(node.type)}' does not support field selection of '${field}'`;
  }
  return undefined;
}

/** `.a.b` or `['a']` of a rule's fieldPath as segments. */
function parseFieldPath(fieldPath: string, where: string): string[] {
  const segments: string[] = [];
  const pattern = /\.([A-Za-z_][A-Za-z0-9_-]*)|\['((?:[^'\\]|\\.)*)'\]/y;
  let index = 0;
  while (index < fieldPath.length) {
    pattern.lastIndex = index;
    const match = pattern.exec(fieldPath);
    if (!match) throw new CelCompileError(fieldPath, `${where}: unsupported fieldPath`);
    segments.push(match[1] ?? match[2].replace(/\\(.)/g, '$1'));
    index = pattern.lastIndex;
  }
  return segments;
}

/** The value at a node as CEL sees it: typed by the schema, properties under their escaped names. */
export function toSchemaCelValue(value: unknown, schema: StructuralSchema): CelInput {
  if (value === null || value === undefined) return null;
  if (schema['x-kubernetes-int-or-string'] === true || schema.type === 'integer') return toCelValue(value);
  if (schema.type === 'number' && typeof value === 'number') return value;
  if (Array.isArray(value)) return isNode(schema.items) ? value.map((item) => toSchemaCelValue(item, schema.items as StructuralSchema)) : toCelValue(value);
  if (isPlainObject(value) && schema.type === 'object') {
    const declared = properties(schema);
    const entries: [string, CelInput][] = [];
    for (const [name, item] of Object.entries(value)) {
      const child = declared[name] ?? (isNode(schema.additionalProperties) ? schema.additionalProperties : undefined);
      if (isNode(schema.properties)) {
        const escaped = escapeCelPropertyName(name);
        if (escaped !== undefined) entries.push([escaped, child !== undefined ? toSchemaCelValue(item, child) : toCelValue(item)]);
      } else {
        entries.push([name, child !== undefined ? toSchemaCelValue(item, child) : toCelValue(item)]);
      }
    }
    return Object.fromEntries(entries);
  }
  return toCelValue(value);
}

function compileNode(schema: StructuralSchema, where: string, correlatable: boolean, count: { rules: number }): CompiledNode {
  for (const junctor of ['allOf', 'anyOf', 'oneOf', 'not']) {
    // Structural schemas only allow value validations under junctors; a rule there would be ignored by us, so refuse it.
    if (JSON.stringify(schema[junctor] ?? null).includes('"x-kubernetes-validations"')) throw new CelCompileError('', `${where}: x-kubernetes-validations under ${junctor} is not supported`);
  }
  const rules = ((schema['x-kubernetes-validations'] ?? []) as ValidationRule[]).map((rule): CompiledRule => {
    const options = { checkSelect: (_variable: string, fields: readonly string[]) => selectProblem(schema, fields) };
    const located = (error: unknown): never => {
      if (error instanceof CelCompileError) throw new CelCompileError(error.expression, `${where}: ${error.reason}`);
      throw error;
    };
    let program: CompiledCelExpression;
    let messageProgram: CompiledCelExpression | undefined;
    try {
      program = compileCelExpression(rule.rule, RULE_VARIABLES, options);
      messageProgram = rule.messageExpression === undefined ? undefined : compileCelExpression(rule.messageExpression, RULE_VARIABLES, options);
    } catch (error) {
      return located(error);
    }
    const transition = program.references.has('oldSelf') || (messageProgram?.references.has('oldSelf') ?? false);
    if (rule.optionalOldSelf === true) throw new CelCompileError(rule.rule, `${where}: optionalOldSelf is not supported`);
    if (transition && !correlatable) throw new CelCompileError(rule.rule, `${where}: oldSelf cannot be used on the uncorrelatable portion of the schema`);
    count.rules += 1;
    return { rule, program, messageProgram, transition, fieldPath: rule.fieldPath === undefined ? [] : parseFieldPath(rule.fieldPath, where) };
  });
  const listType = schema['x-kubernetes-list-type'];
  const listMapKeys = listType === 'map' ? ((schema['x-kubernetes-list-map-keys'] ?? []) as string[]) : undefined;
  return {
    schema,
    rules,
    properties: new Map(Object.entries(properties(schema)).map(([name, child]) => [name, compileNode(child, `${where}.${name}`, correlatable, count)])),
    additionalProperties: isNode(schema.additionalProperties) ? compileNode(schema.additionalProperties, `${where}.*`, correlatable, count) : undefined,
    // Items of atomic and set lists have no identity across updates: transition rules cannot apply there.
    items: isNode(schema.items) ? compileNode(schema.items, `${where}[]`, correlatable && listMapKeys !== undefined, count) : undefined,
    listMapKeys,
  };
}

/** `message`, trimmed, or "failed rule: <rule>" (apiserver ruleMessageOrDefault). */
function ruleMessageOrDefault(rule: ValidationRule): string {
  return rule.message !== undefined && rule.message.trim() !== '' ? rule.message.trim() : `failed rule: ${rule.rule.trim()}`;
}

/** How an error names its rule: the message if there is one, else the rule (apiserver ruleErrorString). */
function ruleErrorString(rule: ValidationRule): string {
  return rule.message !== undefined && rule.message.trim() !== '' ? rule.message.trim() : rule.rule.trim();
}

/** Compiled rules of one structural schema (a CRD version's openAPIV3Schema). */
export class StructuralCelRules {
  /** Compiles every rule under `schema`; throws CelCompileError, naming `where` and the node, for the first that does not compile. */
  static compile(schema: StructuralSchema, where: string): StructuralCelRules {
    const count = { rules: 0 };
    const root = compileNode(schema, where, true, count);
    return new StructuralCelRules(root, count.rules);
  }

  private constructor(
    private readonly root: CompiledNode,
    /** How many rules were compiled. */
    readonly ruleCount: number,
  ) {}

  /**
   * The violated rules of `value`: a create when `oldValue` is undefined (transition rules skipped),
   * an update otherwise. Defaults should already be applied to both.
   */
  validate(value: unknown, oldValue?: unknown): CelRuleViolation[] {
    const violations: CelRuleViolation[] = [];
    this.visit(this.root, value, oldValue, [], violations);
    return violations;
  }

  private visit(node: CompiledNode, value: unknown, oldValue: unknown, path: (string | number)[], violations: CelRuleViolation[]): void {
    if (value === null || value === undefined) return;
    const hasOld = oldValue !== null && oldValue !== undefined;
    for (const compiled of node.rules) {
      if (compiled.transition && !hasOld) continue;
      const message = this.evaluate(compiled, node.schema, value, oldValue);
      if (message !== undefined) violations.push({ path: [...path, ...compiled.fieldPath], message });
    }
    if (isPlainObject(value)) {
      const old = isPlainObject(oldValue) ? oldValue : {};
      for (const [name, item] of Object.entries(value)) {
        const child = node.properties.get(name) ?? node.additionalProperties;
        if (child !== undefined) this.visit(child, item, old[name], [...path, name], violations);
      }
    }
    if (Array.isArray(value) && node.items !== undefined) {
      const items = node.items;
      const keys = node.listMapKeys;
      const keyOf = (item: unknown): string => JSON.stringify((keys ?? []).map((key) => (isPlainObject(item) ? item[key] : undefined)));
      const oldItems = keys !== undefined && Array.isArray(oldValue) ? new Map(oldValue.map((item: unknown) => [keyOf(item), item])) : new Map<string, unknown>();
      value.forEach((item: unknown, index) => this.visit(items, item, keys !== undefined ? oldItems.get(keyOf(item)) : undefined, [...path, index], violations));
    }
  }

  /** The failure message of one rule, or undefined when it holds. */
  private evaluate(compiled: CompiledRule, schema: StructuralSchema, value: unknown, oldValue: unknown): string | undefined {
    const bindings: Record<string, CelInput> = { self: toSchemaCelValue(value, schema) };
    if (compiled.transition) bindings.oldSelf = toSchemaCelValue(oldValue, schema);
    let result: unknown;
    try {
      result = compiled.program.evaluateCel(bindings);
    } catch (error) {
      if (error instanceof CelEvaluationError) return `${error.reason} evaluating rule: ${ruleErrorString(compiled.rule)}`;
      throw error;
    }
    if (result === true) return undefined;
    if (typeof result !== 'boolean') return `rule did not evaluate to a bool evaluating rule: ${ruleErrorString(compiled.rule)}`;
    if (compiled.messageProgram !== undefined) {
      // As the API server: an error, a non-string, or a blank or multi-line result falls back to message.
      try {
        const text = compiled.messageProgram.evaluateCel(bindings);
        if (typeof text === 'string' && text.trim() !== '' && !/[\r\n]/.test(text)) return text;
      } catch (error) {
        if (!(error instanceof CelEvaluationError)) throw error;
      }
    }
    return ruleMessageOrDefault(compiled.rule);
  }
}
