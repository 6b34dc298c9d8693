import { Testing } from 'cdk8s';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitOpsChart } from '../../charts/gitops';
import { ACK_KINDS, ARGOCD_CONFIG_MAP, ARGOCD_NAMESPACE, GitOpsBootstrapChart, MANAGED_API_GROUPS } from '../../charts/gitopsBootstrap';
import { ALLOWED_REGION } from '../../charts/lib/config';
import { listEnvironments } from '../../charts/lib/listEnvironments';
import { loadEnvironmentConfig } from '../../charts/lib/loadEnvironmentConfig';
import { SYNC_WAVES } from '../../charts/lib/conventions';
import { platformTags } from '../../charts/lib/platformTags';
import { CREATE_ONLY_KINDS } from '../../charts/lib/createOnlyFields';
import { PlatformNames } from '../../charts/lib/names';
import { ObservabilityChart } from '../../charts/observability';
import { buildApp } from '../../main';
import { writeProcessorFanOutConfig } from '../../scripts/lib/local/writeProcessorFanOutConfig';
import { CrdSchemaValidator, describeObject, formatIssue, TOTAL_ANNOTATION_BYTES } from '../helpers/crdSchema';
import { platformProps, RenderedObject } from '../helpers/platform';

const validator = CrdSchemaValidator.load();

/** The environments as committed, and prod at the second step of the processor's move to enhanced fan-out. */
const FAN_OUT_STAGE = 'prod, its processor reading through its registered consumer';
const APPS = [...listEnvironments(), FAN_OUT_STAGE];

/** Every object of the whole app of one environment, as Argo CD and kubectl would receive them. */
function renderEnvironment(app: string): RenderedObject[] {
  const workDir = mkdtempSync(join(tmpdir(), 'schema-'));
  const environment = app === FAN_OUT_STAGE ? 'prod' : app;
  // Registered 2026-12-01T12:00:00Z.
  const configDir = app === FAN_OUT_STAGE ? writeProcessorFanOutConfig(environment, Date.parse('2026-12-01T12:00:00Z'), workDir) : undefined;
  // Nothing is written: charts are rendered in memory, the outdir only keeps synth() away from manifests/.
  return buildApp(environment, workDir, configDir).charts.flatMap((chart) => chart.toJson() as RenderedObject[]);
}

const groupOf = (object: RenderedObject): string => (object.apiVersion.includes('/') ? object.apiVersion.slice(0, object.apiVersion.lastIndexOf('/')) : '');
const isAck = (object: RenderedObject): boolean => groupOf(object).endsWith('services.k8s.aws');
/** Crossplane kinds that configure the provider rather than describe an AWS resource. */
const CROSSPLANE_CONFIG_KINDS = new Set(['ProviderConfig', 'ClusterProviderConfig', 'ProviderConfigUsage']);
const isCrossplaneManaged = (object: RenderedObject): boolean => groupOf(object).endsWith('upbound.io') && !CROSSPLANE_CONFIG_KINDS.has(object.kind);

/** Calls `visit` with every key and value of a JSON tree, with the Kubernetes-style path of each. */
function walk(node: unknown, visit: (path: string, key: string | undefined, value: unknown) => void, path = '', key?: string): void {
  visit(path, key, node);
  if (Array.isArray(node)) node.forEach((item, index) => walk(item, visit, `${path}[${index}]`));
  else if (node !== null && typeof node === 'object') {
    for (const [child, value] of Object.entries(node)) walk(value, visit, path === '' ? child : `${path}.${child}`, child);
  }
}

/**
 * AWS region codes (`sa-east-1`, `us-gov-west-1`, `ap-southeast-4`, the `de-east-1` of `eusc-de-east-1`):
 * two letters, a compass word, a digit, not glued to a preceding letter or digit, so that names like
 * `sns-ops-dev-email-8f…` do not count.
 */
const REGION_PATTERN = /(?<![A-Za-z0-9])[a-z]{2}(?:-gov|-iso[a-z]?)?-(?:north|south|east|west|central)[a-z]*-\d/g;

/** Every mention of a region other than sa-east-1, in keys or string values. */
function foreignRegions(object: RenderedObject): string[] {
  const found: string[] = [];
  walk(object, (path, key, value) => {
    for (const text of [key, typeof value === 'string' ? value : undefined]) {
      for (const match of text?.match(REGION_PATTERN) ?? []) {
        if (match !== ALLOWED_REGION) found.push(`${describeObject(object)}: ${path}: names region "${match}"`);
      }
    }
  });
  return found;
}

/** Retain deletion policies and enabled deletion protection anywhere in the object. */
function retentionSettings(object: RenderedObject): string[] {
  const found: string[] = [];
  walk(object, (path, key, value) => {
    const where = `${describeObject(object)}: ${path}`;
    if (typeof value === 'string' && /^retain$/i.test(value)) found.push(`${where}: "${value}"`);
    if (key !== undefined && /deletion[-_]?policy/i.test(key) && typeof value === 'string' && /retain/i.test(value)) found.push(`${where}: retain deletion policy "${value}"`);
    if (key !== undefined && /deletionprotection/i.test(key) && value === true) found.push(`${where}: deletion protection enabled`);
  });
  return [...new Set(found)];
}

const WAVES = new Set<string>(Object.values(SYNC_WAVES).map(String));

describe.each(APPS)('the whole app of %s', (app) => {
  const objects = renderEnvironment(app);
  const environment = app === FAN_OUT_STAGE ? 'prod' : app;
  const names = new PlatformNames(loadEnvironmentConfig(environment));
  /** What the Application syncs: everything but the bootstrap objects in argocd. */
  const synced = objects.filter((object) => object.metadata.namespace !== ARGOCD_NAMESPACE);

  test('every object is accepted by its CRD schema (or the built-in check) under strict field validation', () => {
    expect(objects.length).toBeGreaterThan(40);
    expect(validator.validateAll(objects).map(formatIssue)).toEqual([]);
  });

  test('with the CRD defaults applied, every Crossplane managed resource may be created and updated by Crossplane', () => {
    // managementPolicies defaults to ["*"]; the required-parameter rules of the CRDs depend on it.
    const policies = objects.filter(isCrossplaneManaged).map((object) => (validator.withDefaults(object) as RenderedObject).spec?.managementPolicies);
    expect(policies.length).toBeGreaterThan(0);
    expect(policies.filter((value) => !Array.isArray(value) || !(value.includes('*') || (value.includes('Create') && value.includes('Update'))))).toEqual([]);
  });

  test('every object of a pinned CRD, re-applied unchanged, is accepted as an update (transition rules hold)', () => {
    const crdObjects = objects.filter((object) => validator.kinds.includes(`${object.apiVersion} ${object.kind}`));
    expect(crdObjects.length).toBeGreaterThan(40);
    expect(crdObjects.flatMap((object) => validator.validateUpdate(object, JSON.parse(JSON.stringify(object)))).map(formatIssue)).toEqual([]);
  });

  test('no two objects share kind, namespace and name', () => {
    const identities = objects.map((object) => `${object.apiVersion} ${describeObject(object)}`);
    expect(identities.filter((identity, index) => identities.indexOf(identity) !== index)).toEqual([]);
  });

  test('no object names a region other than sa-east-1, anywhere in its JSON', () => {
    expect(objects.flatMap(foreignRegions)).toEqual([]);
  });

  test('every ACK object pins the region, is deleted with its object, and has a sync wave', () => {
    const ack = objects.filter(isAck);
    expect(ack.length).toBeGreaterThan(0);
    const wrong = ack
      .filter((object) => {
        const annotations = object.metadata.annotations ?? {};
        return (
          annotations['services.k8s.aws/region'] !== ALLOWED_REGION ||
          annotations['services.k8s.aws/deletion-policy'] !== 'delete' ||
          !WAVES.has(annotations['argocd.argoproj.io/sync-wave'] ?? '')
        );
      })
      .map(describeObject);
    expect(wrong).toEqual([]);
  });

  test('every Crossplane managed resource pins forProvider.region, names the ProviderConfig, and may be deleted', () => {
    const managed = objects.filter(isCrossplaneManaged);
    expect(managed.length).toBeGreaterThan(0);
    const wrong = managed
      .filter((object) => {
        const spec = (object.spec ?? {}) as { forProvider?: { region?: string }; providerConfigRef?: { kind?: string; name?: string }; managementPolicies?: string[] };
        const policies = spec.managementPolicies ?? [];
        return (
          spec.forProvider?.region !== ALLOWED_REGION ||
          spec.providerConfigRef?.kind !== 'ProviderConfig' ||
          spec.providerConfigRef.name !== names.crossplaneProviderConfig ||
          !(policies.includes('*') || policies.includes('Delete'))
        );
      })
      .map(describeObject);
    expect(wrong).toEqual([]);
    // The ProviderConfig they name is part of the app, in their namespace.
    expect(objects.filter((object) => object.kind === 'ProviderConfig').map(describeObject)).toEqual([`ProviderConfig ${names.namespace}/${names.crossplaneProviderConfig}`]);
  });

  test('every object whose CRD takes tags carries the five platform tags, or, where AWS keeps tags from creation, the two fixed for the environment', () => {
    const all = platformTags(loadEnvironmentConfig(environment));
    const fixed = { project: all.project, environment: all.environment };
    const createOnlyTags = new Set(CREATE_ONLY_KINDS.filter((kind) => kind.fields.some((field) => field.path === '/spec/tags')).map((kind) => kind.kind));
    expect([...createOnlyTags]).toEqual(['MetricAlarm']);
    const tagged = objects.filter((object) => validator.acceptsTags(object.apiVersion, object.kind));
    expect(tagged.length).toBeGreaterThan(40);
    // ACK uses three shapes: a map, [{key, value}] and (KMS) [{tagKey, tagValue}].
    type TagEntry = { key?: string; value?: string; tagKey?: string; tagValue?: string };
    const asMap = (tags: unknown): Record<string, string | undefined> =>
      Array.isArray(tags)
        ? Object.fromEntries((tags as TagEntry[]).map((tag) => [tag.key ?? tag.tagKey ?? '', tag.value ?? tag.tagValue]))
        : ((tags ?? {}) as Record<string, string>);
    const untagged = tagged
      .filter((object) => {
        const spec = (object.spec ?? {}) as { tags?: unknown; forProvider?: { tags?: unknown } };
        const tags = asMap(spec.tags ?? spec.forProvider?.tags);
        // Create-only tags hold exactly the fixed ones: one from the config could never change.
        if (createOnlyTags.has(object.kind)) return JSON.stringify(tags) !== JSON.stringify(fixed);
        return Object.entries(all).some(([key, value]) => tags[key] !== value);
      })
      .map(describeObject);
    expect(untagged).toEqual([]);
  });

  test('no retain policy and no deletion protection anywhere', () => {
    expect(objects.flatMap(retentionSettings)).toEqual([]);
  });

  test('every object carries one of the sync waves of the conventions (but argocd-cm, whose keys the bootstrap sets by hand)', () => {
    const waveless = objects.filter((object) => !WAVES.has(object.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? ''));
    expect(waveless.map(describeObject)).toEqual([`ConfigMap ${ARGOCD_NAMESPACE}/${ARGOCD_CONFIG_MAP}`]);
  });

  test('ACK_KINDS, which get health checks, are exactly the ACK kinds rendered', () => {
    const rendered = [...new Set(objects.filter(isAck).map((object) => `${groupOf(object)}/${object.kind}`))].sort();
    expect(ACK_KINDS.map(({ group, kind }) => `${group}/${kind}`).sort()).toEqual(rendered);
  });

  test("what the Application syncs fits its AppProject: the environment's namespace and exactly the whitelisted API groups", () => {
    const clusterScoped = synced.filter((object) => object.metadata.namespace === undefined);
    const project = objects.find((object) => object.kind === 'AppProject');
    const whitelist = (project?.spec as { clusterResourceWhitelist: { group: string; kind: string; name: string }[] }).clusterResourceWhitelist;
    expect(clusterScoped.map((object) => ({ group: groupOf(object), kind: object.kind, name: object.metadata.name }))).toEqual(whitelist);
    const namespaced = synced.filter((object) => object.metadata.namespace !== undefined);
    expect([...new Set(namespaced.map((object) => object.metadata.namespace))]).toEqual([names.namespace]);
    // Exactly the whitelist: every rendered group and kind is admitted, and nothing is admitted that is not rendered.
    const admitted = (project?.spec as { namespaceResourceWhitelist: { group: string; kind: string }[] }).namespaceResourceWhitelist;
    const rendered = [...new Set(namespaced.map((object) => `${groupOf(object)}/${object.kind}`))];
    expect(rendered.filter((key) => !admitted.some(({ group, kind }) => key === `${group}/${kind}` || (kind === '*' && key.startsWith(`${group}/`))))).toEqual([]);
    expect(admitted.filter(({ group, kind }) => !rendered.some((key) => key === `${group}/${kind}` || (kind === '*' && key.startsWith(`${group}/`))))).toEqual([]);
    expect(admitted.filter(({ kind }) => kind === '*').map(({ group }) => group)).toEqual(MANAGED_API_GROUPS);
    expect(objects.filter((object) => object.metadata.namespace === ARGOCD_NAMESPACE).map((object) => object.kind)).toEqual(['ConfigMap', 'AppProject', 'Application', 'Application']);
  });
});

describe('CrdSchemaValidator', () => {
  const props = platformProps('dev');
  const app = Testing.app();
  const gitops = new GitOpsChart(app, 'gitops', props);
  const bootstrap = new GitOpsBootstrapChart(app, 'gitops-bootstrap', props);
  const observability = new ObservabilityChart(app, 'observability', props);
  const objects = [...Testing.synth(gitops), ...Testing.synth(bootstrap), ...Testing.synth(observability)] as RenderedObject[];
  const copy = (kind: string): Record<string, unknown> & { metadata: Record<string, unknown>; spec: Record<string, unknown> } =>
    JSON.parse(JSON.stringify(objects.find((object) => object.kind === kind)));
  const messages = (object: unknown): string[] => validator.validate(object).map(formatIssue);

  test('accepts the GitOps and observability charts', () => {
    expect(validator.validateAll(objects).map(formatIssue)).toEqual([]);
  });

  test('names the object, the field path and the problem: unknown field, wrong type, missing required field', () => {
    const alarm = copy('MetricAlarm');
    alarm.spec.bogus = true;
    alarm.spec.period = '60';
    delete alarm.spec.name;
    expect(messages(alarm)).toEqual([
      'MetricAlarm telemetry-dev/cw-processor-iterator-age-dev: spec.bogus: unknown field',
      'MetricAlarm telemetry-dev/cw-processor-iterator-age-dev: spec.name: required field is missing',
      'MetricAlarm telemetry-dev/cw-processor-iterator-age-dev: spec.period: expected integer, got string "60"',
    ]);
  });

  test('rejects unknown fields at any depth, and metadata beyond name, namespace, labels and annotations', () => {
    const alarm = copy('MetricAlarm');
    (alarm.spec.dimensions as Record<string, unknown>[])[0].unit = 'Count';
    alarm.metadata.finalizers = ['x'];
    (alarm.metadata.labels as Record<string, unknown>)['not a key'] = 'v';
    expect(messages(alarm)).toEqual([
      'MetricAlarm telemetry-dev/cw-processor-iterator-age-dev: metadata.finalizers: unknown field',
      'MetricAlarm telemetry-dev/cw-processor-iterator-age-dev: metadata.labels["not a key"]: invalid key',
      'MetricAlarm telemetry-dev/cw-processor-iterator-age-dev: spec.dimensions[0].unit: unknown field',
    ]);
  });

  test('holds label and annotation keys to 253-character prefixes and annotations to 256 KiB in all, as the API server does', () => {
    const alarm = copy('MetricAlarm');
    const annotations = alarm.metadata.annotations as Record<string, string>;
    const prefix = (length: number): string => `${'a'.repeat(length - 4)}.com`;
    (alarm.metadata.labels as Record<string, unknown>)[`${prefix(253)}/ok`] = 'v';
    (alarm.metadata.labels as Record<string, unknown>)[`${prefix(254)}/long`] = 'v';
    expect(messages(alarm)).toEqual([`MetricAlarm telemetry-dev/cw-processor-iterator-age-dev: metadata.labels["${prefix(254)}/long"]: invalid key`]);
    delete (alarm.metadata.labels as Record<string, unknown>)[`${prefix(254)}/long`];
    const used = Object.entries(annotations).reduce((sum, [key, value]) => sum + key.length + value.length, 0);
    annotations['example.com/filler'] = 'x'.repeat(TOTAL_ANNOTATION_BYTES - used - 'example.com/filler'.length);
    expect(messages(alarm)).toEqual([]);
    annotations['example.com/filler'] += 'é';
    expect(messages(alarm)).toEqual([`MetricAlarm telemetry-dev/cw-processor-iterator-age-dev: metadata.annotations: too long: ${TOTAL_ANNOTATION_BYTES + 2} bytes, at most ${TOTAL_ANNOTATION_BYTES}`]);
  });

  test('checks enums, int-or-string fields and integer types', () => {
    const providerConfig = copy('ProviderConfig');
    (providerConfig.spec.credentials as Record<string, unknown>).source = 'AccessKeys';
    expect(messages(providerConfig)).toEqual([
      'ProviderConfig telemetry-dev/aws-dev: spec.credentials.source: unsupported value "AccessKeys"; allowed: "None", "Secret", "IRSA", "WebIdentity", "PodIdentity", "Upbound"',
    ]);
    const application = copy('Application');
    ((application.spec.syncPolicy as Record<string, Record<string, Record<string, unknown>>>).retry.backoff).factor = 1.5;
    (application.spec.source as Record<string, unknown>).kustomize = { replicas: [{ name: 'x', count: false }] };
    expect(messages(application)).toEqual([
      'Application argocd/telemetry-dev: spec.source.kustomize.replicas[0].count: expected integer or string, got boolean false',
      'Application argocd/telemetry-dev: spec.syncPolicy.retry.backoff.factor: expected integer, got number 1.5',
    ]);
  });

  test('checks the base64 of a byte field, as the API server does (a Lambda zipFile that is not would fail every sync)', () => {
    const fn = JSON.parse(JSON.stringify(renderEnvironment('dev').find((object) => object.kind === 'Function'))) as RenderedObject & { spec: { code: { zipFile: string } } };
    expect(validator.validate(fn).map(formatIssue)).toEqual([]);
    fn.spec.code.zipFile = `${fn.spec.code.zipFile.slice(0, 8)}!`;
    expect(validator.validate(fn).map(formatIssue)).toEqual([`Function telemetry-dev/${String(fn.metadata.name)}: spec.code.zipFile: must be of type byte, got string "${fn.spec.code.zipFile}"`]);
  });

  test('checks scope: a namespaced object names its namespace, a Namespace is metadata only', () => {
    const providerConfig = copy('ProviderConfig');
    delete providerConfig.metadata.namespace;
    expect(messages(providerConfig)).toEqual(['ProviderConfig aws-dev: metadata.namespace: required field is missing']);
    const namespace = copy('Namespace');
    namespace.metadata.namespace = 'default';
    namespace.spec = {};
    expect(messages(namespace)).toEqual(['Namespace default/telemetry-dev: metadata.namespace: unknown field', 'Namespace default/telemetry-dev: spec: unknown field']);
    const alarm = copy('MetricAlarm');
    alarm.metadata.name = 'cw_Bad';
    expect(messages(alarm)).toEqual([
      'MetricAlarm telemetry-dev/cw_Bad: metadata.name: "cw_Bad" does not match ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
    ]);
  });

  test("evaluates Crossplane's required-parameter rules", () => {
    const rule = { apiVersion: 'iot.aws.m.upbound.io/v1beta1', kind: 'TopicRule', metadata: { name: 'iot-x', namespace: 'telemetry-dev' } };
    expect(messages({ ...rule, spec: { forProvider: { region: ALLOWED_REGION, enabled: true, sqlVersion: '2016-03-23' } } })).toEqual([
      'TopicRule telemetry-dev/iot-x: spec: spec.forProvider.sql is a required parameter',
    ]);
    // Observe-only resources need no parameters.
    expect(messages({ ...rule, spec: { managementPolicies: ['Observe'], forProvider: { region: ALLOWED_REGION } } })).toEqual([]);
  });

  test('refuses kinds and versions no pinned CRD serves', () => {
    expect(messages({ apiVersion: 'iot.aws.m.upbound.io/v1beta2', kind: 'TopicRule', metadata: { name: 'r', namespace: 'telemetry-dev' } })).toEqual([
      'TopicRule telemetry-dev/r: (object): version v1beta2 of iot.aws.m.upbound.io/TopicRule is not served; served: v1beta1',
    ]);
    expect(messages({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'telemetry-dev' } })).toEqual([
      'Deployment telemetry-dev/d: (object): no CRD in imports/crds defines kind Deployment of group "apps" (and it is not a checked built-in kind)',
    ]);
  });
});

describe('the cross-object checks find what they look for', () => {
  const object = (spec: Record<string, unknown>): RenderedObject => ({ apiVersion: 'x/v1', kind: 'Thing', metadata: { name: 'n', namespace: 'ns' }, spec });

  test('a foreign region in a value or a key', () => {
    expect(
      foreignRegions(object({ arn: 'arn:aws:sns:us-east-1:1:t', zone: 'sa-east-1a', gov: { 'us-gov-west-1': 'x' }, url: 'https://s3.ap-southeast-4.amazonaws.com', name: 'sns-ops-dev-email-8f0' })),
    ).toEqual([
      'Thing ns/n: spec.arn: names region "us-east-1"',
      'Thing ns/n: spec.gov.us-gov-west-1: names region "us-gov-west-1"',
      'Thing ns/n: spec.url: names region "ap-southeast-4"',
    ]);
  });

  test('retain policies and deletion protection', () => {
    expect(retentionSettings(object({ deletionPolicy: 'Retain', table: { deletionProtectionEnabled: true }, off: { deletionProtectionEnabled: false } }))).toEqual([
      'Thing ns/n: spec.deletionPolicy: "Retain"',
      'Thing ns/n: spec.deletionPolicy: retain deletion policy "Retain"',
      'Thing ns/n: spec.table.deletionProtectionEnabled: deletion protection enabled',
    ]);
  });
});
