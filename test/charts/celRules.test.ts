import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { GitOpsChart } from '../../charts/gitops';
import { IngestionChart } from '../../charts/ingestion';
import { SecurityChart } from '../../charts/security';
import { StorageChart } from '../../charts/storage';
import { CelCompileError, CelEvaluationError, evaluateCelExpression, StructuralCelRules, type StructuralSchema } from '../helpers/cel';
import { CRD_DIR, CrdSchemaValidator, formatIssue } from '../helpers/crdSchema';
import { RenderedObject, synthChart } from '../helpers/platform';

const validator = CrdSchemaValidator.load();
const messages = (issues: ReturnType<CrdSchemaValidator['validate']>): string[] => issues.map(formatIssue);

type Mutable = Record<string, unknown> & { metadata: Record<string, unknown>; spec: Record<string, unknown> };
/** A deep, mutable copy of the one rendered object of `kind` in `group`. */
function copyOf(objects: readonly RenderedObject[], group: string, kind: string): Mutable {
  const found = objects.filter((object) => object.kind === kind && object.apiVersion.startsWith(`${group}/`));
  if (found.length === 0) throw new Error(`no ${kind} of ${group} rendered`);
  return JSON.parse(JSON.stringify(found[0])) as Mutable;
}

/** Every x-kubernetes-validations entry of every pinned CRD, counted from the YAML, independently of the validator. */
function countRulesInCrdFiles(): number {
  let count = 0;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'x-kubernetes-validations') count += (value as unknown[]).length;
        else visit(value);
      }
    }
  };
  for (const file of readdirSync(CRD_DIR).filter((name) => name.endsWith('.yaml'))) {
    for (const document of parseAllDocuments(readFileSync(join(CRD_DIR, file), 'utf8'))) {
      const crd = document.toJS() as { kind?: string; spec?: { versions: { schema?: unknown }[] } } | null;
      if (crd?.kind === 'CustomResourceDefinition') crd.spec?.versions.forEach((version) => visit(version.schema));
    }
  }
  return count;
}

describe('the CEL rules of the pinned CRDs', () => {
  test('every rule of every version of every pinned CRD compiles', () => {
    const expected = countRulesInCrdFiles();
    expect(expected).toBeGreaterThan(0);
    expect(validator.compileCelRules()).toBe(expected);
  });

  test('a rule that does not compile throws, naming the schema node, before any object is validated', () => {
    const schema = (rule: string): StructuralSchema => ({
      type: 'object',
      properties: { spec: { type: 'object', properties: { size: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule }] } },
    });
    const compile = (rule: string) => () => StructuralCelRules.compile(schema(rule), 'test/v1 Thing');
    expect(compile('self.size >')).toThrow(CelCompileError);
    expect(compile('quantity(self.size) > 1')).toThrow(
      new Error("CEL expression does not compile: test/v1 Thing.spec: undeclared reference to function 'quantity': quantity(self.size) > 1"),
    );
    expect(compile('has(self.sise)')).toThrow(new Error("CEL expression does not compile: test/v1 Thing.spec: undefined field 'sise': has(self.sise)"));
    expect(compile('self.size.value == 1')).toThrow(
      new Error("CEL expression does not compile: test/v1 Thing.spec: type 'integer' does not support field selection of 'value': self.size.value == 1"),
    );
    expect(compile('size(self, 1) == 1')).toThrow(
      new Error("CEL expression does not compile: test/v1 Thing.spec: found no matching overload for 'size' with 2 argument(s): size(self, 1) == 1"),
    );
    expect(compile('other.size == 1')).toThrow(new Error("CEL expression does not compile: test/v1 Thing.spec: undeclared reference to 'other': other.size == 1"));
    // oldSelf has nothing to correlate with under the items of an atomic list.
    const atomic: StructuralSchema = { type: 'array', items: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf' }] } };
    expect(() => StructuralCelRules.compile(atomic, 'test/v1 Thing')).toThrow(
      new Error('CEL expression does not compile: test/v1 Thing[]: oldSelf cannot be used on the uncorrelatable portion of the schema: self == oldSelf'),
    );
  });
});

describe('defaults are applied before validation, as on create', () => {
  const ingestion = synthChart((app, props) => new IngestionChart(app, 'ingestion', props));

  test('Crossplane managementPolicies defaults to ["*"], so a TopicRule without forProvider.sql is refused with the CRD message', () => {
    const rule = copyOf(ingestion, 'iot.aws.m.upbound.io', 'TopicRule');
    delete rule.spec.managementPolicies;
    expect(validator.validate(rule)).toEqual([]);
    expect((validator.withDefaults(rule) as Mutable).spec.managementPolicies).toEqual(['*']);
    delete (rule.spec.forProvider as Record<string, unknown>).sql;
    expect(messages(validator.validate(rule))).toEqual([`TopicRule ${String(rule.metadata.namespace)}/${String(rule.metadata.name)}: spec: spec.forProvider.sql is a required parameter`]);
    // Only observing the resource needs no parameters.
    expect(validator.validate({ ...rule, spec: { ...rule.spec, managementPolicies: ['Observe'] } })).toEqual([]);
  });
});

describe('ProviderConfig reconciliation delays (duration rules)', () => {
  const gitops = synthChart((app, props) => new GitOpsChart(app, 'gitops', props));
  const withLimiter = (limiter: Record<string, string>): Mutable => {
    const providerConfig = copyOf(gitops, 'aws.m.upbound.io', 'ProviderConfig');
    providerConfig.spec.reconciliationPolicy = { exponentialFailureRateLimiter: limiter };
    return providerConfig;
  };
  const at = 'ProviderConfig telemetry-dev/aws-dev: spec.reconciliationPolicy';

  test.each([
    [{ baseDelay: '1s', maxDelay: '1m' }, []],
    [{ baseDelay: '1m30s', maxDelay: '90s' }, []],
    [{ baseDelay: '500ms' }, [`${at}.exponentialFailureRateLimiter.baseDelay: baseDelay must be at least 1s`]],
    [{ baseDelay: '2s', maxDelay: '59.9s' }, [`${at}.exponentialFailureRateLimiter.maxDelay: maxDelay must be at least 60s`]],
    [{ baseDelay: '3m', maxDelay: '2m' }, [`${at}.exponentialFailureRateLimiter: maxDelay must be greater than or equal to baseDelay`]],
    [{ baseDelay: '61s' }, [`${at}: when maxDelay is omitted it defaults to 60s; baseDelay must be <= 60s`]],
    [
      { baseDelay: 'soon' },
      [
        // Both rules that read baseDelay fail to evaluate, and each is reported where it sits.
        `${at}: Failed to parse duration: invalid syntax evaluating rule: when maxDelay is omitted it defaults to 60s; baseDelay must be <= 60s`,
        `${at}.exponentialFailureRateLimiter.baseDelay: Failed to parse duration: invalid syntax evaluating rule: baseDelay must be at least 1s`,
      ],
    ],
  ])('%j', (limiter, expected) => {
    expect(messages(validator.validate(withLimiter(limiter)))).toEqual(expected);
  });
});

describe('updates evaluate transition rules (oldSelf) where both the old and the new object have a value', () => {
  const security = synthChart((app, props) => new SecurityChart(app, 'security', props));
  const storage = synthChart((app, props) => new StorageChart(app, 'storage', props));

  test('changing spec.keySpec of a KMS Key is refused; re-applying the same Key passes', () => {
    const stored = copyOf(security, 'kms.services.k8s.aws', 'Key');
    const changed = copyOf(security, 'kms.services.k8s.aws', 'Key');
    changed.spec.keySpec = 'RSA_2048';
    expect(messages(validator.validateUpdate(stored, changed))).toEqual(['Key telemetry-dev/kms-telemetry-dev: spec.keySpec: Value is immutable once set']);
    expect(validator.validateUpdate(stored, copyOf(security, 'kms.services.k8s.aws', 'Key'))).toEqual([]);
    // A create has no old object: the same changed Key is accepted.
    expect(validator.validate(changed)).toEqual([]);
  });

  test('an immutable field absent from the old object may be set, as the API server skips the rule there', () => {
    const stored = copyOf(security, 'kms.services.k8s.aws', 'Key');
    delete stored.spec.description;
    const updated = copyOf(security, 'kms.services.k8s.aws', 'Key');
    expect(validator.validateUpdate(stored, updated)).toEqual([]);
    updated.spec.description = 'another';
    updated.spec.multiRegion = true;
    expect(messages(validator.validateUpdate(stored, updated))).toEqual(['Key telemetry-dev/kms-telemetry-dev: spec.multiRegion: Value is immutable once set']);
  });

  test('changing the keySchema of a DynamoDB Table is refused; changing a mutable field is not', () => {
    const stored = copyOf(storage, 'dynamodb.services.k8s.aws', 'Table');
    const name = `Table telemetry-dev/${String(stored.metadata.name)}`;
    const changed = copyOf(storage, 'dynamodb.services.k8s.aws', 'Table');
    (changed.spec.keySchema as { attributeName: string }[])[0].attributeName = 'deviceId';
    expect(messages(validator.validateUpdate(stored, changed))).toEqual([`${name}: spec.keySchema: Value is immutable once set`]);
    const reordered = copyOf(storage, 'dynamodb.services.k8s.aws', 'Table');
    reordered.spec.keySchema = [...(reordered.spec.keySchema as unknown[])].reverse();
    expect(messages(validator.validateUpdate(stored, reordered))).toEqual([`${name}: spec.keySchema: Value is immutable once set`]);
    const retuned = copyOf(storage, 'dynamodb.services.k8s.aws', 'Table');
    retuned.spec.tableClass = 'STANDARD_INFREQUENT_ACCESS';
    expect(validator.validateUpdate(stored, retuned)).toEqual([]);
  });

  test('an update must concern the same object', () => {
    const key = copyOf(security, 'kms.services.k8s.aws', 'Key');
    const other = copyOf(security, 'kms.services.k8s.aws', 'Key');
    other.metadata.name = 'kms-other';
    expect(messages(validator.validateUpdate(key, other))).toEqual([
      'Key telemetry-dev/kms-other: (object): an update must keep apiVersion, kind, namespace and name; the old object is kms.services.k8s.aws/v1alpha1 Key telemetry-dev/kms-telemetry-dev',
    ]);
  });
});

describe('StructuralCelRules: how self is typed, where failures are reported, which message', () => {
  const rules = (schema: StructuralSchema) => StructuralCelRules.compile(schema, 'test/v1 Thing');

  test('integers are int, numbers double, property names escaped, nulls skipped', () => {
    const compiled = rules({
      type: 'object',
      properties: {
        count: { type: 'integer' },
        ratio: { type: 'number' },
        namespace: { type: 'string' },
        'max-size': { type: 'integer', nullable: true, 'x-kubernetes-validations': [{ rule: 'self > 0' }] },
      },
      'x-kubernetes-validations': [
        { rule: "type(self.count) == int && type(self.ratio) == double && self.__namespace__ == 'ns'", message: 'typed' },
        { rule: '!has(self.max__dash__size) || self.max__dash__size == null || self.max__dash__size <= self.count', message: 'max-size must not exceed count' },
      ],
    });
    expect(compiled.ruleCount).toBe(3);
    expect(compiled.validate({ count: 3, ratio: 1, namespace: 'ns', 'max-size': null })).toEqual([]);
    expect(compiled.validate({ count: 3, ratio: 1.5, namespace: 'ns', 'max-size': 4 })).toEqual([{ path: [], message: 'max-size must not exceed count' }]);
    expect(compiled.validate({ count: 3, ratio: 1, namespace: 'other', 'max-size': 0 })).toEqual([
      { path: [], message: 'typed' },
      { path: ['max-size'], message: 'failed rule: self > 0' },
    ]);
  });

  test('messageExpression, fieldPath, and errors during evaluation', () => {
    const compiled = rules({
      type: 'object',
      properties: { spec: { type: 'object', properties: { min: { type: 'integer' }, max: { type: 'integer' } } } },
      'x-kubernetes-validations': [
        { rule: 'self.spec.min <= self.spec.max', messageExpression: "'min ' + string(self.spec.min) + ' exceeds max ' + string(self.spec.max)", fieldPath: '.spec.min' },
        { rule: 'self.spec.max < 100', message: ' max below 100 ', messageExpression: "''" },
      ],
    });
    expect(compiled.validate({ spec: { min: 5, max: 50 } })).toEqual([]);
    expect(compiled.validate({ spec: { min: 300, max: 200 } })).toEqual([
      { path: ['spec', 'min'], message: 'min 300 exceeds max 200' },
      // A blank messageExpression falls back to the trimmed message.
      { path: [], message: 'max below 100' },
    ]);
    expect(compiled.validate({ spec: { min: 5 } })).toEqual([
      { path: ['spec', 'min'], message: 'field not found: max evaluating rule: self.spec.min <= self.spec.max' },
      { path: [], message: 'field not found: max evaluating rule: max below 100' },
    ]);
  });

  test('transition rules under a list-type map correlate items by key, not by index', () => {
    const compiled = rules({
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, size: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= oldSelf', message: 'size may only grow' }] } },
      },
    });
    const old = [
      { name: 'a', size: 10 },
      { name: 'b', size: 20 },
    ];
    expect(compiled.validate([{ name: 'b', size: 20 }, { name: 'a', size: 10 }, { name: 'c', size: 1 }], old)).toEqual([]);
    expect(compiled.validate([{ name: 'b', size: 15 }, { name: 'a', size: 10 }], old)).toEqual([{ path: [0, 'size'], message: 'size may only grow' }]);
    // On create there is no old value: the transition rule is skipped.
    expect(compiled.validate([{ name: 'b', size: 15 }])).toEqual([]);
  });
});

describe('evaluateCelExpression', () => {
  const object = { metadata: { name: 'kms-telemetry-dev', labels: { tier: 'core' } }, spec: { keySpec: 'SYMMETRIC_DEFAULT', replicas: 2, ratio: 0.5, tags: ['a', 'b'] } };

  test("evaluates a ValidatingAdmissionPolicy's expression with object, oldObject and request", () => {
    const immutable = "request.operation != 'UPDATE' || object.spec.keySpec == oldObject.spec.keySpec";
    expect(evaluateCelExpression(immutable, { object, oldObject: null, request: { operation: 'CREATE' } })).toBe(true);
    expect(evaluateCelExpression(immutable, { object, oldObject: object, request: { operation: 'UPDATE' } })).toBe(true);
    const changed = { ...object, spec: { ...object.spec, keySpec: 'RSA_2048' } };
    expect(evaluateCelExpression(immutable, { object: changed, oldObject: object, request: { operation: 'UPDATE' } })).toBe(false);
  });

  test('binds JSON as CEL values and returns plain JS', () => {
    expect(evaluateCelExpression('object.spec.replicas + 1', { object })).toBe(3);
    expect(evaluateCelExpression('[type(object.spec.replicas) == int, type(object.spec.ratio) == double]', { object })).toEqual([true, true]);
    expect(evaluateCelExpression("object.spec.tags.map(t, t.upperAscii() + '-' + object.metadata.name.split('-')[0])", { object })).toEqual(['A-kms', 'B-kms']);
    expect(evaluateCelExpression("{'tier': object.metadata.labels.tier, 'has': has(object.metadata.annotations)}", { object })).toEqual({ tier: 'core', has: false });
    expect(evaluateCelExpression("duration('90s') > duration('1m')", {})).toBe(true);
  });

  test('what does not compile or fails to evaluate throws', () => {
    expect(() => evaluateCelExpression('object.spec.replicas > 1 || params.max > 1', { object })).toThrow(
      new Error("CEL expression does not compile: undeclared reference to 'params': object.spec.replicas > 1 || params.max > 1"),
    );
    expect(() => evaluateCelExpression('true || isSorted(object.spec.tags)', { object })).toThrow(CelCompileError);
    expect(() => evaluateCelExpression('object.spec.missing == 1', { object })).toThrow(CelEvaluationError);
    expect(() => evaluateCelExpression('object.spec.missing == 1', { object })).toThrow(new Error('CEL evaluation error: field not found: missing: object.spec.missing == 1'));
  });
});
