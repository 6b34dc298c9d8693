/**
 * Validates rendered objects the way a Kubernetes API server with strict field validation would:
 * against the openAPIV3Schema of the CRD version named by their apiVersion and kind (the pinned CRDs
 * of imports/crds), with unknown fields rejected wherever the schema does not say
 * `x-kubernetes-preserve-unknown-fields: true`, and metadata checked as ObjectMeta (name,
 * namespace, labels, annotations only).
 *
 * Each structural schema is converted once into a JSON schema for Ajv: `additionalProperties: false`
 * on every object that declares no additionalProperties and does not preserve unknown fields;
 * `x-kubernetes-int-or-string`, `x-kubernetes-list-type` (set, map) and `x-kubernetes-validations`
 * become custom keywords. Like the API server, formats other than the few Kubernetes checks are not
 * validated (int32/int64 are documentation only), and defaults are not applied. CEL rules are
 * evaluated for the shapes the pinned CRDs use (transition rules are skipped: these are creates);
 * any other rule on a present field is reported, never silently passed. Stricter than the API
 * server in one respect, by convention of this repository: a namespaced object must name its
 * namespace, a cluster-scoped one must not.
 */
import Ajv, { ErrorObject, SchemaValidateFunction, ValidateFunction } from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const CRD_DIR = join(__dirname, '..', '..', 'imports', 'crds');

/** A node of an OpenAPI v3 (CRD) or JSON schema. */
type SchemaNode = { [keyword: string]: unknown };

/** One violation: which object, where in it (Kubernetes field path), what is wrong. */
export interface SchemaIssue {
  readonly object: string;
  readonly path: string;
  readonly message: string;
}

export function formatIssue(issue: SchemaIssue): string {
  return `${issue.object}: ${issue.path}: ${issue.message}`;
}

/** The path of the object itself, for problems that concern it as a whole (an unknown kind). */
const OBJECT_PATH = '(object)';

// Kubernetes name rules (apimachinery validation): DNS-1123 subdomain and label, qualified names.
const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS_SUBDOMAIN = `^${DNS_LABEL}(\\.${DNS_LABEL})*$`;
const QUALIFIED_NAME = `^(${DNS_LABEL}(\\.${DNS_LABEL})*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`;
const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';

/** ObjectMeta as this repository renders it: name, namespace, labels, annotations. */
function objectMetaSchema(scope: 'Namespaced' | 'Cluster', nameRule: 'subdomain' | 'label'): SchemaNode {
  const name: SchemaNode =
    nameRule === 'label' ? { type: 'string', maxLength: 63, pattern: `^${DNS_LABEL}$` } : { type: 'string', minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN };
  return {
    type: 'object',
    additionalProperties: false,
    required: scope === 'Namespaced' ? ['name', 'namespace'] : ['name'],
    properties: {
      name,
      ...(scope === 'Namespaced' ? { namespace: { type: 'string', maxLength: 63, pattern: `^${DNS_LABEL}$` } } : {}),
      labels: {
        type: 'object',
        propertyNames: { pattern: QUALIFIED_NAME },
        additionalProperties: { type: 'string', maxLength: 63, pattern: LABEL_VALUE },
      },
      annotations: { type: 'object', propertyNames: { pattern: QUALIFIED_NAME }, additionalProperties: { type: 'string' } },
    },
  };
}

/** Built-in kinds the platform renders, checked by hand-written schemas: a Namespace is metadata only. */
const BUILTIN_SCHEMAS: ReadonlyMap<string, SchemaNode> = new Map([
  [
    'v1|Namespace',
    {
      type: 'object',
      additionalProperties: false,
      required: ['apiVersion', 'kind', 'metadata'],
      properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: objectMetaSchema('Cluster', 'label') },
    },
  ],
]);

/** Keywords copied as they are: they mean the same in OpenAPI v3 and JSON schema draft-07. */
const COPIED = new Set(['type', 'enum', 'required', 'pattern', 'minLength', 'maxLength', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'multipleOf', 'minimum', 'maximum']);
/** Keywords that do not constrain a create: annotations, defaults (applied by the server), formats, map type. */
const DROPPED = new Set(['description', 'title', 'example', 'externalDocs', 'default', 'format', 'x-kubernetes-map-type', 'x-kubernetes-list-map-keys']);

function isNode(value: unknown): value is SchemaNode {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Converts one structural-schema node. `structural` is false inside anyOf/allOf/oneOf/not, whose
 * branches only add value validations and must not close objects.
 */
function convert(node: SchemaNode, at: string, structural: boolean): SchemaNode {
  const out: SchemaNode = {};
  const preserveUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  for (const [keyword, value] of Object.entries(node)) {
    switch (keyword) {
      case 'properties':
        out.properties = Object.fromEntries(Object.entries(value as SchemaNode).map(([name, child]) => [name, convert(child as SchemaNode, `${at}.${name}`, structural)]));
        break;
      case 'items':
        if (!isNode(value)) throw new Error(`crdSchema: ${at}: tuple items are not structural`);
        out.items = convert(value, `${at}[]`, structural);
        break;
      case 'additionalProperties':
        out.additionalProperties = typeof value === 'boolean' ? value : convert(value as SchemaNode, `${at}.*`, structural);
        break;
      case 'anyOf':
      case 'allOf':
      case 'oneOf':
        // The standard int-or-string anyOf is replaced by the intOrString keyword below.
        if (!(intOrString && keyword === 'anyOf')) out[keyword] = (value as SchemaNode[]).map((branch) => convert(branch, at, false));
        break;
      case 'not':
        out.not = convert(value as SchemaNode, at, false);
        break;
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
      case 'nullable':
      case 'x-kubernetes-preserve-unknown-fields':
      case 'x-kubernetes-int-or-string':
        break; // handled after the loop
      case 'x-kubernetes-list-type':
        if (value === 'set') out.uniqueItems = true;
        else if (value === 'map') out.listMapKeys = node['x-kubernetes-list-map-keys'] ?? [];
        else if (value !== 'atomic') throw new Error(`crdSchema: ${at}: unknown x-kubernetes-list-type "${String(value)}"`);
        break;
      case 'x-kubernetes-validations':
        out.celRules = value;
        break;
      default:
        if (COPIED.has(keyword)) out[keyword] = value;
        else if (!DROPPED.has(keyword)) throw new Error(`crdSchema: ${at}: unsupported schema keyword "${keyword}"`);
    }
  }
  // OpenAPI v3.0 exclusive bounds are booleans qualifying minimum/maximum; draft-07 bounds are numbers.
  for (const [exclusive, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (node[exclusive] === true) {
      out[exclusive] = node[bound];
      delete out[bound];
    }
  }
  if (intOrString) {
    delete out.type;
    out.intOrString = true;
  }
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  const isObject = out.type === 'object' || (Array.isArray(out.type) && out.type.includes('object'));
  if (structural && isObject && !preserveUnknown && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

// ---------------------------------------------------------------------------------------------
// CEL: the rule shapes of the pinned CRDs.

type CelOutcome = { readonly kind: 'pass' } | { readonly kind: 'fail' } | { readonly kind: 'unsupported' };

/** Upjet's "required parameter" rule: forProvider.X or initProvider.X must be set when Crossplane may create or update. */
const UPJET_REQUIRED_PARAMETER =
  /^!\('\*' in self\.managementPolicies \|\| 'Create' in self\.managementPolicies \|\| 'Update' in self\.managementPolicies\) \|\| has\(self\.forProvider\.([A-Za-z0-9_]+)\) \|\| \(has\(self\.initProvider\) && has\(self\.initProvider\.\1\)\)$/;
const MINIMUM_DURATION = /^duration\(self\) >= duration\('([0-9a-zµ.]+)'\)$/;
const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration ("1m30s") in milliseconds, or undefined when malformed. */
export function parseGoDuration(text: string): number | undefined {
  const parts = [...text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) return undefined;
  return parts.reduce((sum, part) => sum + Number(part[1]) * DURATION_UNITS_MS[part[2]], 0);
}

function has(value: unknown, field: string): boolean {
  return isNode(value) && value[field] !== undefined;
}

function evaluateCel(rule: string, self: unknown): CelOutcome {
  // Transition rules compare with the stored object; a create has none, so the server skips them.
  if (rule.includes('oldSelf')) return { kind: 'pass' };
  const required = UPJET_REQUIRED_PARAMETER.exec(rule);
  if (required && isNode(self)) {
    const field = required[1];
    const policies = Array.isArray(self.managementPolicies) ? (self.managementPolicies as unknown[]) : ['*']; // the CRD default
    const mayWrite = ['*', 'Create', 'Update'].some((policy) => policies.includes(policy));
    const set = has(self.forProvider, field) || has(self.initProvider, field);
    return { kind: !mayWrite || set ? 'pass' : 'fail' };
  }
  const minimum = MINIMUM_DURATION.exec(rule);
  if (minimum && typeof self === 'string') {
    const value = parseGoDuration(self);
    const bound = parseGoDuration(minimum[1]);
    return { kind: value !== undefined && bound !== undefined && value >= bound ? 'pass' : 'fail' };
  }
  return { kind: 'unsupported' };
}

interface CelRule {
  readonly rule: string;
  readonly message?: string;
}

const celRulesKeyword: SchemaValidateFunction = function celRules(rules: readonly CelRule[], data: unknown): boolean {
  const errors: Partial<ErrorObject>[] = [];
  for (const { rule, message } of rules) {
    const outcome = evaluateCel(rule, data);
    if (outcome.kind === 'fail') errors.push({ keyword: 'celRules', message: message ?? `failed rule: ${rule}`, params: {} });
    if (outcome.kind === 'unsupported') errors.push({ keyword: 'celRules', message: `x-kubernetes-validations rule not supported by test/helpers/crdSchema.ts: ${rule}`, params: {} });
  }
  celRulesKeyword.errors = errors;
  return errors.length === 0;
};

const listMapKeysKeyword: SchemaValidateFunction = function listMapKeys(keys: readonly string[], data: unknown): boolean {
  const errors: Partial<ErrorObject>[] = [];
  if (Array.isArray(data)) {
    const seen = new Map<string, number>();
    data.forEach((item: unknown, index) => {
      const key = JSON.stringify(keys.map((name) => (isNode(item) ? item[name] : undefined)));
      const first = seen.get(key);
      if (first !== undefined) errors.push({ keyword: 'listMapKeys', message: `duplicate entry: same ${keys.join(', ')} as [${first}]`, params: { index } });
      else seen.set(key, index);
    });
  }
  listMapKeysKeyword.errors = errors;
  return errors.length === 0;
};

// ---------------------------------------------------------------------------------------------
// Error messages.

/** `/spec/metrics/0/id` -> `spec.metrics[0].id`; keys that are not identifiers in brackets. */
function fieldPath(pointer: string, ...extra: (string | number)[]): string {
  const segments = [
    ...pointer
      .split('/')
      .slice(1)
      .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~')),
    ...extra.map(String),
  ];
  let path = '';
  for (const segment of segments) {
    if (/^[0-9]+$/.test(segment)) path += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) path += path === '' ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path === '' ? OBJECT_PATH : path;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function toIssue(object: string, error: ErrorObject): SchemaIssue | undefined {
  const params = error.params as Record<string, unknown>;
  const at = fieldPath(error.instancePath);
  const issue = (path: string, message: string): SchemaIssue => ({ object, path, message });
  switch (error.keyword) {
    case 'additionalProperties':
      return issue(fieldPath(error.instancePath, String(params.additionalProperty)), 'unknown field');
    case 'required':
      return issue(fieldPath(error.instancePath, String(params.missingProperty)), 'required field is missing');
    case 'type':
      return issue(at, `expected ${String(params.type).replace(',', ' or ')}, got ${describeValue(error.data)}`);
    case 'enum':
      return issue(at, `unsupported value ${JSON.stringify(error.data)}; allowed: ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`);
    case 'pattern':
      return issue(at, `${JSON.stringify(error.data)} does not match ${String(params.pattern)}`);
    case 'propertyNames':
      return issue(fieldPath(error.instancePath, String(params.propertyName)), 'invalid key');
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return issue(at, `must be ${String(params.comparison)} ${String(params.limit)}, got ${JSON.stringify(error.data)}`);
    case 'minLength':
    case 'maxLength':
      return issue(at, `must have ${error.keyword === 'minLength' ? 'at least' : 'at most'} ${String(params.limit)} characters, got ${String((error.data as string).length)}`);
    case 'minItems':
    case 'maxItems':
      return issue(at, `must have ${error.keyword === 'minItems' ? 'at least' : 'at most'} ${String(params.limit)} items, got ${String((error.data as unknown[]).length)}`);
    case 'uniqueItems':
      return issue(at, `duplicate entries [${String(params.j)}] and [${String(params.i)}]`);
    case 'intOrString':
      return issue(at, `expected integer or string, got ${describeValue(error.data)}`);
    case 'listMapKeys':
      return issue(fieldPath(error.instancePath, Number(params.index)), error.message ?? 'duplicate entry');
    case 'celRules':
      return issue(at, error.message ?? 'failed validation rule');
    default:
      return issue(at, `${error.keyword}: ${error.message ?? 'invalid'}`);
  }
}

// ---------------------------------------------------------------------------------------------

interface CrdVersion {
  readonly schema: SchemaNode;
  readonly served: boolean;
}

interface CrdDefinition {
  readonly scope: 'Namespaced' | 'Cluster';
  readonly versions: ReadonlyMap<string, CrdVersion>;
}

interface CrdDocument {
  readonly kind?: string;
  readonly spec?: {
    readonly group: string;
    readonly scope: 'Namespaced' | 'Cluster';
    readonly names: { readonly kind: string };
    readonly versions: readonly { readonly name: string; readonly served: boolean; readonly schema?: { readonly openAPIV3Schema?: SchemaNode } }[];
  };
}

/** `Kind namespace/name` (or `Kind name`), how messages name an object. */
export function describeObject(object: unknown): string {
  if (!isNode(object)) return '(not an object)';
  const metadata = isNode(object.metadata) ? object.metadata : {};
  const kind = typeof object.kind === 'string' ? object.kind : '(no kind)';
  const name = typeof metadata.name === 'string' ? metadata.name : '(no name)';
  return typeof metadata.namespace === 'string' ? `${kind} ${metadata.namespace}/${name}` : `${kind} ${name}`;
}

/** Validates objects against the pinned CRDs and the built-in schemas; compiles each schema on first use. */
export class CrdSchemaValidator {
  /** Loads every CustomResourceDefinition of the `*.yaml` files of `dir`. */
  static load(dir: string = CRD_DIR): CrdSchemaValidator {
    const definitions = new Map<string, CrdDefinition>();
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.yaml')).sort()) {
      for (const document of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
        const crd = document.toJS() as CrdDocument | null;
        if (crd?.kind !== 'CustomResourceDefinition' || crd.spec === undefined) continue;
        const versions = new Map<string, CrdVersion>();
        for (const version of crd.spec.versions) {
          const schema = version.schema?.openAPIV3Schema;
          if (schema === undefined) throw new Error(`crdSchema: ${file}: ${crd.spec.names.kind} ${version.name} has no openAPIV3Schema`);
          versions.set(version.name, { schema, served: version.served });
        }
        definitions.set(`${crd.spec.group}|${crd.spec.names.kind}`, { scope: crd.spec.scope, versions });
      }
    }
    if (definitions.size === 0) throw new Error(`crdSchema: no CustomResourceDefinition in ${dir}`);
    return new CrdSchemaValidator(definitions);
  }

  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  private constructor(private readonly definitions: ReadonlyMap<string, CrdDefinition>) {
    // strictTypes off: nullable fields become type unions, which strict mode only logs about.
    this.ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false, validateFormats: false });
    this.ajv.addKeyword({ keyword: 'intOrString', schemaType: 'boolean', validate: (_schema: boolean, data: unknown) => typeof data === 'string' || Number.isInteger(data), errors: false });
    this.ajv.addKeyword({ keyword: 'listMapKeys', type: 'array', schemaType: 'array', validate: listMapKeysKeyword, errors: true });
    this.ajv.addKeyword({ keyword: 'celRules', schemaType: 'array', validate: celRulesKeyword, errors: true });
  }

  /** `group/version Kind` of every CRD version known, sorted. */
  get kinds(): string[] {
    return [...this.definitions.entries()]
      .flatMap(([key, definition]) => {
        const [group, kind] = key.split('|');
        return [...definition.versions.keys()].map((version) => `${group}/${version} ${kind}`);
      })
      .sort();
  }

  /** Every issue of one object, sorted by path; empty when the API server would accept it. */
  validate(object: unknown): SchemaIssue[] {
    const name = describeObject(object);
    if (!isNode(object) || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
      return [{ object: name, path: OBJECT_PATH, message: 'apiVersion and kind must be strings' }];
    }
    const found = this.validatorFor(object.apiVersion, object.kind);
    if (typeof found === 'string') return [{ object: name, path: OBJECT_PATH, message: found }];
    if (found(object)) return [];
    const issues = (found.errors ?? [])
      // Ajv reports a bad map key twice: once for the key's own schema, once as propertyNames.
      .filter((error) => error.propertyName === undefined)
      .map((error) => toIssue(name, error))
      .filter((issue): issue is SchemaIssue => issue !== undefined);
    const unique = new Map(issues.map((issue) => [formatIssue(issue), issue]));
    return [...unique.values()].sort((a, b) => (a.path === b.path ? a.message.localeCompare(b.message) : a.path.localeCompare(b.path)));
  }

  validateAll(objects: readonly unknown[]): SchemaIssue[] {
    return objects.flatMap((object) => this.validate(object));
  }

  /** The compiled validator of an apiVersion and kind, or why there is none. */
  /** Whether the CRD of `apiVersion`/`kind` has a `tags` field in `spec` or `spec.forProvider`. */
  acceptsTags(apiVersion: string, kind: string): boolean {
    const slash = apiVersion.lastIndexOf('/');
    const schema = this.definitions.get(`${apiVersion.slice(0, slash)}|${kind}`)?.versions.get(apiVersion.slice(slash + 1))?.schema;
    const properties = (node: unknown): SchemaNode => ((node as SchemaNode | undefined)?.properties ?? {}) as SchemaNode;
    const spec = properties(properties(schema).spec);
    return spec.tags !== undefined || properties(spec.forProvider).tags !== undefined;
  }

  private validatorFor(apiVersion: string, kind: string): ValidateFunction | string {
    const key = `${apiVersion}|${kind}`;
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const builtin = BUILTIN_SCHEMAS.get(key);
    let schema: SchemaNode;
    if (builtin) {
      schema = builtin;
    } else {
      const slash = apiVersion.lastIndexOf('/');
      const group = slash < 0 ? '' : apiVersion.slice(0, slash);
      const version = apiVersion.slice(slash + 1);
      const definition = this.definitions.get(`${group}|${kind}`);
      if (!definition) return `no CRD in imports/crds defines kind ${kind} of group "${group}" (and it is not a checked built-in kind)`;
      const crdVersion = definition.versions.get(version);
      if (!crdVersion || !crdVersion.served) {
        const served = [...definition.versions.entries()].filter(([, v]) => v.served).map(([name]) => name);
        return `version ${version} of ${group}/${kind} is not served; served: ${served.join(', ')}`;
      }
      schema = convert(crdVersion.schema, `${apiVersion} ${kind}`, true);
      const properties = (schema.properties ?? {}) as SchemaNode;
      schema.properties = { ...properties, metadata: objectMetaSchema(definition.scope, 'subdomain') };
      schema.required = [...new Set([...((schema.required as string[] | undefined) ?? []), 'apiVersion', 'kind', 'metadata'])];
    }
    const compiled = this.ajv.compile(schema);
    this.compiled.set(key, compiled);
    return compiled;
  }
}
