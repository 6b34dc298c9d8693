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

  test('a kind of another group with the same kind name is not judged by these rules', () => {
    const iamPolicy = { apiVersion: 'iam.services.k8s.aws/v1alpha1', kind: 'Policy', metadata: { name: 'p', namespace: 'telemetry-dev' }, spec: { name: 'a' } };
    expect(denials('iam.services.k8s.aws', iamPolicy, { ...iamPolicy, spec: { name: 'b' } })).toEqual([
      'Policy /spec/name is create-only: AWS would keep the old value. To change it, give the object a new name (the physical name follows it) so Argo CD creates the new resource and prunes the old one after it is healthy, then attach the new policy where the old one was attached.',
    ]);
    const iotPolicy = { apiVersion: 'iot.aws.m.upbound.io/v1beta1', kind: 'Policy', metadata: { name: 'p', namespace: 'telemetry-dev' }, spec: { name: 'a' } };
    expect(denials('iot.aws.m.upbound.io', iotPolicy, { ...iotPolicy, spec: { name: 'b' } })).toEqual([]);
  });
});
