/**
 * Validates rendered objects the way a Kubernetes API server with strict field validation would:
 * against the openAPIV3Schema of the CRD version named by their apiVersion and kind (the pinned CRDs
 * of imports/crds), with unknown fields rejected wherever the schema does not say
 * `x-kubernetes-preserve-unknown-fields: true`, and metadata checked as ObjectMeta (name,
 * namespace, labels, annotations only).
 *
 * As the API server does on create, the schema's `default`s are applied first (Crossplane's
 * `managementPolicies: ["*"]`, ...) and everything after sees the defaulted object. The structural
 * schema is converted once into a JSON schema for Ajv: `additionalProperties: false` on every object
 * that declares no additionalProperties and does not preserve unknown fields;
 * `x-kubernetes-int-or-string` and `x-kubernetes-list-type` (set, map) become custom keywords. Of the
 * formats the pinned CRDs use, the API server checks `byte` (standard base64: a Lambda's zipFile) and
 * `date-time`, and this checks `byte` (the k8sFormat keyword): date-time is only on status fields, which
 * a create does not validate; int32/int64 are documentation only. `x-kubernetes-validations` rules are real CEL (./cel/structural.ts,
 * @bufbuild/cel): all compiled when a kind is first used (a rule that does not compile throws),
 * evaluated with `self` bound to the value at their node; transition rules (reading `oldSelf`) are
 * skipped by `validate` (a create) and evaluated by `validateUpdate`. Stricter than the API server in
 * one respect, by convention of this repository: a namespaced object must name its namespace, a
 * cluster-scoped one must not.
 */
import Ajv, { ErrorObject, SchemaValidateFunction, ValidateFunction } from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { StructuralCelRules } from './cel/structural';

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
// The prefix is a DNS subdomain of at most 253 characters (the lookahead), the name at most 63.
const QUALIFIED_NAME = `^((?=[^/]{1,253}/)${DNS_LABEL}(\\.${DNS_LABEL})*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`;
/** The API server's bound on an object's annotations, keys and values together (apimachinery TotalAnnotationSizeLimitB). */
export const TOTAL_ANNOTATION_BYTES = 256 * 1024;
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

const STRING_LIST: SchemaNode = { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 };

/** The annotations' total size, which no schema can express: keys and values in bytes, as the API server counts them. */
function annotationSizeIssues(name: string, object: SchemaNode): SchemaIssue[] {
  const annotations = isNode(object.metadata) && isNode(object.metadata.annotations) ? object.metadata.annotations : {};
  const bytes = Object.entries(annotations).reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0), 0);
  if (bytes <= TOTAL_ANNOTATION_BYTES) return [];
  return [{ object: name, path: 'metadata.annotations', message: `too long: ${bytes} bytes, at most ${TOTAL_ANNOTATION_BYTES}` }];
}

/** A built-in kind's object: apiVersion, kind, metadata, and the kind's own top-level fields. */
function builtinObject(metadata: SchemaNode, fields: Readonly<Record<string, SchemaNode>>, required: readonly string[] = []): SchemaNode {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['apiVersion', 'kind', 'metadata', ...required],
    properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata, ...fields },
  };
}

/**
 * Built-in kinds the platform renders, checked by hand-written schemas of the fields the
 * Kubernetes API (admissionregistration.k8s.io/v1 of 1.30, core v1) defines for them, closed like
 * the CRD schemas: a Namespace is metadata only; a ConfigMap's keys follow IsConfigMapKey.
 */
const BUILTIN_SCHEMAS: ReadonlyMap<string, SchemaNode> = new Map([
  ['v1|Namespace', builtinObject(objectMetaSchema('Cluster', 'label'), {})],
  [
    'v1|ConfigMap',
    builtinObject(objectMetaSchema('Namespaced', 'subdomain'), {
      data: { type: 'object', propertyNames: { pattern: '^[-._a-zA-Z0-9]+$', maxLength: 253 }, additionalProperties: { type: 'string' } },
      immutable: { type: 'boolean' },
    }),
  ],
  [
    'admissionregistration.k8s.io/v1|ValidatingAdmissionPolicy',
    builtinObject(
      objectMetaSchema('Cluster', 'subdomain'),
      {
        spec: {
          type: 'object',
          additionalProperties: false,
          required: ['matchConstraints', 'validations'],
          properties: {
            failurePolicy: { enum: ['Fail', 'Ignore'] },
            matchConstraints: {
              type: 'object',
              additionalProperties: false,
              required: ['resourceRules'],
              properties: {
                namespaceSelector: {
                  type: 'object',
                  additionalProperties: false,
                  properties: { matchLabels: { type: 'object', propertyNames: { pattern: QUALIFIED_NAME }, additionalProperties: { type: 'string', pattern: LABEL_VALUE } } },
                },
                resourceRules: {
                  type: 'array',
                  minItems: 1,
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['apiGroups', 'apiVersions', 'operations', 'resources'],
                    properties: {
                      apiGroups: STRING_LIST,
                      apiVersions: STRING_LIST,
                      operations: { type: 'array', minItems: 1, items: { enum: ['CREATE', 'UPDATE', 'DELETE', 'CONNECT', '*'] } },
                      resources: STRING_LIST,
                    },
                  },
                },
              },
            },
            validations: {
              type: 'array',
              minItems: 1,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['expression'],
                properties: {
                  // The API server caps an expression at 5 KiB and a message at 1 KiB without line breaks.
                  expression: { type: 'string', minLength: 1, maxLength: 5120 },
                  message: { type: 'string', maxLength: 1024, pattern: '^[^\\n]*$' },
                  reason: { enum: ['Unauthorized', 'Forbidden', 'Invalid', 'RequestEntityTooLarge'] },
                },
              },
            },
          },
        },
      },
      ['spec'],
    ),
  ],
  [
    'admissionregistration.k8s.io/v1|ValidatingAdmissionPolicyBinding',
    builtinObject(
      objectMetaSchema('Cluster', 'subdomain'),
      {
        spec: {
          type: 'object',
          additionalProperties: false,
          required: ['policyName', 'validationActions'],
          properties: { policyName: { type: 'string', minLength: 1 }, validationActions: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['Deny', 'Warn', 'Audit'] } } },
        },
      },
      ['spec'],
    ),
  ],
]);

/** Keywords copied as they are: they mean the same in OpenAPI v3 and JSON schema draft-07. */
const COPIED = new Set(['type', 'enum', 'required', 'pattern', 'minLength', 'maxLength', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'multipleOf', 'minimum', 'maximum']);
/** Keywords Ajv ignores: annotations, defaults (applied before Ajv runs), formats, map type. */
const DROPPED = new Set(['description', 'title', 'example', 'externalDocs', 'default', 'x-kubernetes-map-type', 'x-kubernetes-list-map-keys']);

/** The string formats the API server validates that the pinned CRDs use, each as a check of the value. */
const CHECKED_FORMATS: Readonly<Record<string, (value: string) => boolean>> = {
  // Standard base64 with padding, as Go's base64.StdEncoding decodes it.
  byte: (value) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value),
};

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
        break; // evaluated by StructuralCelRules, which needs the old object too
      case 'format':
        if (typeof value === 'string' && Object.hasOwn(CHECKED_FORMATS, value)) out.k8sFormat = value;
        break; // int32 and int64 are documentation only; date-time is only on status fields
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
// Defaults.

/**
 * `value` with the `default`s of `schema` applied, as the API server defaults a structural schema on
 * create and on read: a property that is absent (or null without `nullable`) gets a copy of its
 * default, then defaulting recurses into every present value, defaults included. Returns a copy.
 */
export function applySchemaDefaults(value: unknown, schema: SchemaNode): unknown {
  if (Array.isArray(value)) return value.map((item: unknown) => (isNode(schema.items) ? applySchemaDefaults(item, schema.items) : structuredClone(item)));
  if (!isNode(value)) return value;
  const declared = isNode(schema.properties) ? (schema.properties as Record<string, SchemaNode>) : {};
  const out: SchemaNode = { ...value };
  for (const [name, property] of Object.entries(declared)) {
    if (property.default !== undefined && (out[name] === undefined || (out[name] === null && property.nullable !== true))) out[name] = structuredClone(property.default);
  }
  for (const [name, item] of Object.entries(out)) {
    const child = declared[name] ?? (isNode(schema.additionalProperties) ? schema.additionalProperties : undefined);
    out[name] = child !== undefined ? applySchemaDefaults(item, child) : structuredClone(item);
  }
  return out;
}

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
    case 'k8sFormat':
      return issue(at, `must be of type ${String(error.schema)}, got ${describeValue(error.data)}`);
    case 'listMapKeys':
      return issue(fieldPath(error.instancePath, Number(params.index)), error.message ?? 'duplicate entry');
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

/** What validating one apiVersion and kind takes: the Ajv schema and, for a CRD, its structural schema (defaults) and CEL rules. */
interface KindValidator {
  readonly ajv: ValidateFunction;
  readonly crdSchema?: SchemaNode;
  readonly cel?: StructuralCelRules;
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
  private readonly compiled = new Map<string, KindValidator>();
  private readonly celRules = new Map<string, StructuralCelRules>();

  private constructor(private readonly definitions: ReadonlyMap<string, CrdDefinition>) {
    // strictTypes off: nullable fields become type unions, which strict mode only logs about.
    this.ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false, validateFormats: false });
    this.ajv.addKeyword({ keyword: 'intOrString', schemaType: 'boolean', validate: (_schema: boolean, data: unknown) => typeof data === 'string' || Number.isInteger(data), errors: false });
    this.ajv.addKeyword({
      keyword: 'k8sFormat',
      type: 'string',
      schemaType: 'string',
      validate: (format: string, data: string) => CHECKED_FORMATS[format]?.(data) ?? true,
      errors: false,
    });
    this.ajv.addKeyword({ keyword: 'listMapKeys', type: 'array', schemaType: 'array', validate: listMapKeysKeyword, errors: true });
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

  /** Every issue of one object on create (defaults applied, transition rules skipped), sorted by path; empty when the API server would accept it. */
  validate(object: unknown): SchemaIssue[] {
    return this.check(object, undefined);
  }

  validateAll(objects: readonly unknown[]): SchemaIssue[] {
    return objects.flatMap((object) => this.validate(object));
  }

  /**
   * Every issue of an update of `oldObject` (as stored) to `newObject`: `newObject` is validated as
   * on create, and transition rules (those reading `oldSelf`) are evaluated wherever both the old
   * and the new object have a value, with defaults applied to both. The two must be the same object:
   * same apiVersion, kind, namespace and name (this helper does not convert between versions).
   */
  validateUpdate(oldObject: unknown, newObject: unknown): SchemaIssue[] {
    const identity = (object: unknown): string => (isNode(object) ? `${String(object.apiVersion)} ${describeObject(object)}` : describeObject(object));
    if (identity(oldObject) !== identity(newObject)) {
      return [{ object: describeObject(newObject), path: OBJECT_PATH, message: `an update must keep apiVersion, kind, namespace and name; the old object is ${identity(oldObject)}` }];
    }
    return this.check(newObject, oldObject);
  }

  /** A copy of `object` with the defaults of its CRD applied, as the API server would store it; built-in and unknown kinds as they are. */
  withDefaults(object: unknown): unknown {
    if (!isNode(object) || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') return object;
    const found = this.validatorFor(object.apiVersion, object.kind);
    return typeof found !== 'string' && found.crdSchema !== undefined ? applySchemaDefaults(object, found.crdSchema) : object;
  }

  /**
   * Compiles the x-kubernetes-validations rules of every version of every CRD, as the API server does
   * when a CRD is created; throws CelCompileError, naming the CRD and schema node, for the first
   * rule that does not compile. Returns how many rules there are.
   */
  compileCelRules(): number {
    let count = 0;
    for (const [key, definition] of this.definitions) {
      const [group, kind] = key.split('|');
      for (const [version, { schema }] of definition.versions) count += this.celRulesFor(`${group}/${version}`, kind, schema).ruleCount;
    }
    return count;
  }

  /** Whether the CRD of `apiVersion`/`kind` has a `tags` field in `spec` or `spec.forProvider`. */
  acceptsTags(apiVersion: string, kind: string): boolean {
    const slash = apiVersion.lastIndexOf('/');
    const schema = this.definitions.get(`${apiVersion.slice(0, slash)}|${kind}`)?.versions.get(apiVersion.slice(slash + 1))?.schema;
    const properties = (node: unknown): SchemaNode => ((node as SchemaNode | undefined)?.properties ?? {}) as SchemaNode;
    const spec = properties(properties(schema).spec);
    return spec.tags !== undefined || properties(spec.forProvider).tags !== undefined;
  }

  /** Schema and CEL issues of `object`, created (no `oldObject`) or updated from `oldObject`. */
  private check(object: unknown, oldObject: unknown): SchemaIssue[] {
    const name = describeObject(object);
    if (!isNode(object) || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
      return [{ object: name, path: OBJECT_PATH, message: 'apiVersion and kind must be strings' }];
    }
    const found = this.validatorFor(object.apiVersion, object.kind);
    if (typeof found === 'string') return [{ object: name, path: OBJECT_PATH, message: found }];
    // The API server defaults before it validates, so both the schema and the rules see the defaults.
    const defaulted = found.crdSchema !== undefined ? applySchemaDefaults(object, found.crdSchema) : object;
    const issues: SchemaIssue[] = [];
    if (!found.ajv(defaulted)) {
      issues.push(
        ...(found.ajv.errors ?? [])
          // Ajv reports a bad map key twice: once for the key's own schema, once as propertyNames.
          .filter((error) => error.propertyName === undefined)
          .map((error) => toIssue(name, error))
          .filter((issue): issue is SchemaIssue => issue !== undefined),
      );
    }
    issues.push(...annotationSizeIssues(name, object));
    if (found.cel !== undefined && found.crdSchema !== undefined) {
      const old = oldObject === undefined ? undefined : applySchemaDefaults(oldObject, found.crdSchema);
      for (const violation of found.cel.validate(defaulted, old)) issues.push({ object: name, path: fieldPath('', ...violation.path), message: violation.message });
    }
    const unique = new Map(issues.map((issue) => [formatIssue(issue), issue]));
    return [...unique.values()].sort((a, b) => (a.path === b.path ? a.message.localeCompare(b.message) : a.path.localeCompare(b.path)));
  }

  private celRulesFor(apiVersion: string, kind: string, schema: SchemaNode): StructuralCelRules {
    const key = `${apiVersion}|${kind}`;
    let rules = this.celRules.get(key);
    if (rules === undefined) {
      rules = StructuralCelRules.compile(schema, `${apiVersion} ${kind}`);
      this.celRules.set(key, rules);
    }
    return rules;
  }

  /** The compiled validator of an apiVersion and kind, or why there is none. */
  private validatorFor(apiVersion: string, kind: string): KindValidator | string {
    const key = `${apiVersion}|${kind}`;
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const builtin = BUILTIN_SCHEMAS.get(key);
    let found: KindValidator;
    if (builtin) {
      found = { ajv: this.ajv.compile(builtin) };
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
      const schema = convert(crdVersion.schema, `${apiVersion} ${kind}`, true);
      const properties = (schema.properties ?? {}) as SchemaNode;
      schema.properties = { ...properties, metadata: objectMetaSchema(definition.scope, 'subdomain') };
      schema.required = [...new Set([...((schema.required as string[] | undefined) ?? []), 'apiVersion', 'kind', 'metadata'])];
      found = { ajv: this.ajv.compile(schema), crdSchema: crdVersion.schema, cel: this.celRulesFor(apiVersion, kind, crdVersion.schema) };
    }
    this.compiled.set(key, found);
    return found;
  }
}
