import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Testing } from 'cdk8s';
import { GitOpsChart } from '../../charts/gitops';
import { CREATE_ONLY_KINDS } from '../../charts/lib/createOnlyFields';
import { createOnlyChanges } from '../../charts/lib/createOnlyChanges';
import { valueAtPointer } from '../../charts/lib/valueAtPointer';
import { buildApp } from '../../main';
import { evaluateCelExpression } from '../helpers/cel';
import { CRD_DIR } from '../helpers/crdSchema';
import { findObject, platformProps, RenderedObject } from '../helpers/platform';

interface Crd {
  spec: { group: string; names: { kind: string; plural: string }; versions: { name: string; served: boolean; schema: { openAPIV3Schema: SchemaNode } }[] };
}
interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  'x-kubernetes-validations'?: { rule: string }[];
}

// The imported CRDs are one file per API group: every group the list names is read.
const crds: Crd[] = [...new Set(CREATE_ONLY_KINDS.map((entry) => entry.group))]
  .map((group) => `${group}.yaml`)
  .flatMap((file) => parseAllDocuments(readFileSync(join(CRD_DIR, file), 'utf8')).map((document) => document.toJS() as Crd));
const crdOf = (group: string, kind: string): Crd | undefined => crds.find((crd) => crd.spec.group === group && crd.spec.names.kind === kind);

/** The schema node at a JSON pointer under spec, or undefined (metadata paths are not in CRD schemas). */
function schemaAt(crd: Crd, pointer: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = crd.spec.versions.find((version) => version.served)?.schema.openAPIV3Schema;
  for (const step of pointer.split('/').slice(1)) node = node?.properties?.[step];
  return node;
}

describe('CREATE_ONLY_KINDS', () => {
  test.each(CREATE_ONLY_KINDS.map((entry) => [`${entry.group} ${entry.kind}`, entry] as const))('%s: plural, paths and CRD guards match the pinned CRD', (_name, entry) => {
    const crd = crdOf(entry.group, entry.kind);
    expect(crd?.spec.names.plural).toBe(entry.plural);
    for (const field of entry.fields.filter(({ path }) => path.startsWith('/spec/'))) {
      const node = crd === undefined ? undefined : schemaAt(crd, field.path);
      expect({ path: field.path, exists: node !== undefined }).toEqual({ path: field.path, exists: true });
      const guarded = (node?.['x-kubernetes-validations'] ?? []).some(({ rule }) => rule === 'self == oldSelf');
      expect({ path: field.path, guardedByCrd: guarded }).toEqual({ path: field.path, guardedByCrd: field.guardedByCrd });
    }
  });

  test('createOnlyChanges names a changed starting position with the replacement, and nothing for an unchanged object', () => {
    const app = buildApp('dev', mkdtempSync(join(tmpdir(), 'create-only-')));
    const objects = app.charts.flatMap((chart) => chart.toJson() as RenderedObject[]);
    const mapping = findObject(objects, 'EventSourceMapping', 'esm-processor-dev');
    const moved = JSON.parse(JSON.stringify(mapping)) as RenderedObject & { spec: { startingPosition: string } };
    moved.spec.startingPosition = 'LATEST';
    expect(createOnlyChanges(mapping, mapping)).toEqual([]);
    expect(createOnlyChanges(mapping, moved)).toEqual([
      { path: '/spec/startingPosition', before: 'TRIM_HORIZON', after: 'LATEST', replacement: expect.stringMatching(/^give the object a new name/) },
    ]);
    expect(valueAtPointer(findObject(objects, 'Stream'), '/metadata/annotations/crossplane.io~1external-name')).toBeUndefined();
  });

  // Each field below, changed in place, is dropped by the controller's update (ACK) or refused by upjet as ForceNew on every reconcile.
  test.each([
    ['prod', 'Policy', 'iam-analyst-prod', '/spec/description', 'Read the archive'],
    ['prod', 'Subscription', 'sns-ops-prod-email-3a21d47a45', '/spec/topicRef', { from: { name: 'sns-alerts-prod' } }],
    ['prod', 'LogGroup', 'logs-processor-prod', '/spec/kmsKeyRef', { from: { name: 'kms-telemetry2-prod' } }],
    ['prod', 'StreamConsumer', 'kinesis-processor-prod', '/spec/forProvider/name', 'kinesis-processor2-prod'],
    ['prod', 'StreamConsumer', 'kinesis-processor-prod', '/spec/forProvider/streamArnRef', { name: 'kinesis-telemetry2-prod' }],
    ['prod', 'DeliveryStream', 'firehose-archive-prod', '/spec/forProvider/name', 'firehose-archive2-prod'],
    [
      'prod',
      'DeliveryStream',
      'firehose-archive-prod',
      '/spec/forProvider/kinesisSourceConfiguration',
      { kinesisStreamArn: 'arn:aws:kinesis:sa-east-1:444455556666:stream/kinesis-telemetry2-prod', roleArn: 'arn:aws:iam::444455556666:role/iam-firehose-prod' },
    ],
  ] as const)('createOnlyChanges names a changed %s %s %s %s', (environment, kind, name, path, value) => {
    const app = buildApp(environment, mkdtempSync(join(tmpdir(), 'create-only-')));
    const object = findObject(app.charts.flatMap((chart) => chart.toJson() as RenderedObject[]), kind, name);
    const changed = JSON.parse(JSON.stringify(object)) as RenderedObject;
    const steps = path.split('/').slice(2);
    const parent = steps.slice(0, -1).reduce<Record<string, unknown>>((node, step) => node[step] as Record<string, unknown>, changed.spec as Record<string, unknown>);
    parent[steps[steps.length - 1]] = value;
    expect(createOnlyChanges(object, changed)).toEqual([{ path, before: valueAtPointer(object, path), after: value, replacement: expect.any(String) }]);
  });

  test("a key attribute's type is create-only though its attribute definition is not: a new GSI's attribute may be added", () => {
    const app = buildApp('dev', mkdtempSync(join(tmpdir(), 'create-only-')));
    const table = findObject(app.charts.flatMap((chart) => chart.toJson() as RenderedObject[]), 'Table', 'dynamodb-readings-dev') as RenderedObject & {
      spec: { attributeDefinitions: { attributeName: string; attributeType: string }[] };
    };
    const retyped = JSON.parse(JSON.stringify(table)) as typeof table;
    retyped.spec.attributeDefinitions = retyped.spec.attributeDefinitions.map((definition) => (definition.attributeName === 'sensorId' ? { ...definition, attributeType: 'N' } : definition));
    expect(createOnlyChanges(table, retyped)).toEqual([
      {
        path: '/spec/attributeDefinitions',
        before: { sensorId: 'S' },
        after: { sensorId: 'N' },
        replacement: expect.stringMatching(/^give the object a new name .*, then copy the items/),
      },
    ]);
    const indexed = JSON.parse(JSON.stringify(table)) as typeof table;
    indexed.spec.attributeDefinitions = [...indexed.spec.attributeDefinitions].reverse().concat({ attributeName: 'lineKey', attributeType: 'S' });
    expect(createOnlyChanges(table, indexed)).toEqual([]);
  });

  test('a stream consumer is replaced under a new name, and the processor mapping follows its ARN', () => {
    expect(CREATE_ONLY_KINDS.find((entry) => entry.kind === 'StreamConsumer')?.replacement).toBe(
      'give the object a new name (the physical name follows it) so Argo CD creates the new resource and prunes the old one after it is healthy; ' +
        "Kinesis cannot update a consumer, so set capacity.processorConsumerArn to the new consumer's ARN once it is registered (the processor's mapping through it is a new mapping)",
    );
  });
});

describe('the create-only ValidatingAdmissionPolicy, evaluated as the API server does', () => {
  const chart = new GitOpsChart(Testing.app(), 'gitops', platformProps('dev'));
  const objects = Testing.synth(chart) as RenderedObject[];
  const policy = findObject(objects, 'ValidatingAdmissionPolicy', 'telemetry-dev-create-only-fields');
  const spec = policy.spec as {
    matchConstraints: { resourceRules: { apiGroups: string[]; resources: string[]; operations: string[] }[] };
    validations: { expression: string; message: string }[];
  };
  const binding = findObject(objects, 'ValidatingAdmissionPolicyBinding', 'telemetry-dev-create-only-fields');

  /** The messages of the validations an UPDATE from `oldObject` to `object` fails, as admission would return them. */
  function denials(group: string, oldObject: unknown, object: unknown): string[] {
    const request = { operation: 'UPDATE', resource: { group } };
    return spec.validations.filter(({ expression }) => evaluateCelExpression(expression, { object, oldObject, request }) !== true).map(({ message }) => message);
  }

  const mapping = {
    apiVersion: 'lambda.services.k8s.aws/v1alpha1',
    kind: 'EventSourceMapping',
    metadata: { name: 'esm-processor-dev', namespace: 'telemetry-dev' },
    spec: { eventSourceARN: 'arn:aws:kinesis:sa-east-1:111122223333:stream/kinesis-telemetry-dev', startingPosition: 'TRIM_HORIZON', batchSize: 100 },
  };
  const withSpec = (object: typeof mapping, change: Record<string, unknown>): typeof mapping => ({ ...object, spec: { ...object.spec, ...change } });

  test('binds in Deny mode, matches only UPDATEs in the environment namespace, and only kinds whose CRD does not guard the field', () => {
    expect(binding.spec).toEqual({ policyName: 'telemetry-dev-create-only-fields', validationActions: ['Deny'] });
    expect(policy.spec).toMatchObject({ failurePolicy: 'Fail', matchConstraints: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'telemetry-dev' } } } });
    expect(spec.matchConstraints.resourceRules.every((rule) => rule.operations.join() === 'UPDATE')).toBe(true);
    const matched = spec.matchConstraints.resourceRules.flatMap((rule) => rule.resources.map((resource) => `${rule.apiGroups[0]}/${resource}`)).sort();
    const unguarded = CREATE_ONLY_KINDS.filter((entry) => entry.fields.some((field) => !field.guardedByCrd)).map((entry) => `${entry.group}/${entry.plural}`);
    expect(matched).toEqual([...new Set(unguarded)].sort());
    expect(matched).not.toContain('kms.services.k8s.aws/keys');
  });

  test('refuses a changed starting position or stream of a mapping, with the field and the replacement procedure', () => {
    expect(denials('lambda.services.k8s.aws', mapping, withSpec(mapping, { startingPosition: 'LATEST' }))).toEqual([
      'EventSourceMapping /spec/startingPosition is create-only: AWS would keep the old value. To change it, give the object a new name (the physical name follows it) so Argo CD creates the new resource and prunes the old one after it is healthy; the new mapping starts reading at its starting position (TRIM_HORIZON re-reads up to 7 days, which the functions absorb idempotently).',
    ]);
    expect(denials('lambda.services.k8s.aws', mapping, withSpec(mapping, { eventSourceARN: 'arn:aws:kinesis:sa-east-1:111122223333:stream/other' }))).toHaveLength(1);
  });

  test('admits an update that keeps the create-only fields (a changed batch size), and the same object re-applied', () => {
    expect(denials('lambda.services.k8s.aws', mapping, withSpec(mapping, { batchSize: 500 }))).toEqual([]);
    expect(denials('lambda.services.k8s.aws', mapping, mapping)).toEqual([]);
  });

  test("admits a controller filling in a field that was unset (Crossplane's external name), refuses changing it once set", () => {
    const stream = { apiVersion: 'kinesis.aws.m.upbound.io/v1beta1', kind: 'Stream', metadata: { name: 'kinesis-telemetry-dev', namespace: 'telemetry-dev' }, spec: {} };
    const named = (name: string): typeof stream & { metadata: { annotations: Record<string, string> } } => ({ ...stream, metadata: { ...stream.metadata, annotations: { 'crossplane.io/external-name': name } } });
    expect(denials('kinesis.aws.m.upbound.io', stream, named('kinesis-telemetry-dev'))).toEqual([]);
    expect(denials('kinesis.aws.m.upbound.io', named('kinesis-telemetry-dev'), named('kinesis-telemetry-dev2'))).toEqual([
      'Stream /metadata/annotations/crossplane.io~1external-name is create-only: AWS would keep the old value. To change it, give the object a new name (the physical name follows it) so Argo CD creates the new resource and prunes the old one after it is healthy; the mappings, the IoT rules and Firehose must move to the new stream in the same change.',
    ]);
  });

  test("refuses retagging an alarm (AWS keeps an alarm's tags from its creation) and admits a changed threshold", () => {
    const app = buildApp('dev', mkdtempSync(join(tmpdir(), 'create-only-')));
    const alarm = findObject(app.charts.flatMap((chart) => chart.toJson() as RenderedObject[]), 'MetricAlarm', 'cw-processor-iterator-age-dev') as RenderedObject & {
      spec: { tags: { key: string; value: string }[]; threshold: number };
    };
    const retagged = { ...alarm, spec: { ...alarm.spec, tags: [...alarm.spec.tags, { key: 'tier', value: 'gold' }] } };
    expect(denials('cloudwatch.services.k8s.aws', alarm, retagged)).toEqual([
      "MetricAlarm /spec/tags is create-only: AWS would keep the old value. To change it, give the object a new name (the physical name follows it) so Argo CD creates the new resource and prunes the old one after it is healthy; CloudWatch keeps an alarm's tags from its creation, which is why alarms carry only the tags fixed for an environment (project, environment), not the config's owner, cost center or classification.",
    ]);
    expect(denials('cloudwatch.services.k8s.aws', alarm, { ...alarm, spec: { ...alarm.spec, threshold: alarm.spec.threshold + 1 } })).toEqual([]);
  });

  test("refuses moving a log group to another key (the controller's update never calls AssociateKmsKey) and admits a changed retention", () => {
    const group = {
      apiVersion: 'cloudwatchlogs.services.k8s.aws/v1alpha1',
      kind: 'LogGroup',
      metadata: { name: 'logs-processor-dev', namespace: 'telemetry-dev' },
      spec: { name: '/aws/lambda/lambda-processor-dev', kmsKeyRef: { from: { name: 'kms-telemetry-dev' } }, retentionDays: 30 },
    };
    expect(denials('cloudwatchlogs.services.k8s.aws', group, { ...group, spec: { ...group.spec, kmsKeyRef: { from: { name: 'kms-telemetry2-dev' } } } })).toEqual([
      "LogGroup /spec/kmsKeyRef is create-only: AWS would keep the old value. To change it, give the object a new name (the physical name follows it) so Argo CD creates the new resource and prunes the old one after it is healthy; the old group's events stay until it is pruned.",
    ]);
    expect(denials('cloudwatchlogs.services.k8s.aws', group, { ...group, spec: { ...group.spec, retentionDays: 90 } })).toEqual([]);
  });

  test('a kind of another group with the same kind name is not judged by these rules', () => {
    const iamPolicy = { apiVersion: 'iam.services.k8s.aws/v1alpha1', kind: 'Policy', metadata: { name: 'p', namespace: 'telemetry-dev' }, spec: { name: 'a' } };
    expect(denials('iam.services.k8s.aws', iamPolicy, { ...iamPolicy, spec: { name: 'b' } })).toEqual([
      'Policy /spec/name is create-only: AWS would keep the old value. To change it, give the object a new name (the physical name follows it) so Argo CD creates the new resource and prunes the old one after it is healthy, then attach the new policy where the old one was attached.',
    ]);
    const iotPolicy = { apiVersion: 'iot.aws.m.upbound.io/v1beta1', kind: 'Policy', metadata: { name: 'p', namespace: 'telemetry-dev' }, spec: { name: 'a' } };
    expect(denials('iot.aws.m.upbound.io', iotPolicy, { ...iotPolicy, spec: { name: 'b' } })).toEqual([]);
  });
});
