import { ApiObjectMetadata } from 'cdk8s';
import { EnvironmentConfig } from './config';
import { PlatformNames } from './names';

/**
 * Argo CD sync waves, in the order the design fixes: a wave starts once every object of the
 * previous wave is healthy, so a resource's dependencies exist before it is created.
 */
export const SYNC_WAVES = {
  namespace: -10,
  providerConfig: -5,
  kms: 0,
  iam: 1,
  network: 1,
  logGroups: 1,
  dataStores: 2,
  stream: 2,
  /** A consumer registers on the stream, which must exist first. */
  streamConsumers: 3,
  functions: 3,
  firehose: 3,
  eventSourceMappings: 4,
  /** A function URL names its function, which must exist first. */
  functionUrls: 4,
  /** Glue and Athena read the archive bucket and the key only when queried; after the data stores. */
  analytics: 3,
  /**
   * Glue tables and Athena named queries name their database and workgroup by plain name (no reference
   * to wait on): created in the same wave, one reconciled first is refused by AWS, Argo CD reads it as
   * Degraded and fails the sync (a wave that is not the last must end healthy).
   */
  analyticsContents: 4,
  iotRules: 4,
  observability: 5,
} as const;

export type SyncWave = keyof typeof SYNC_WAVES;

const ACK_REGION_ANNOTATION = 'services.k8s.aws/region';
const ACK_DELETION_POLICY_ANNOTATION = 'services.k8s.aws/deletion-policy';
const ARGO_SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** Tags every taggable resource carries. */
export function platformTags(config: EnvironmentConfig): Record<string, string> {
  return {
    project: 'plant-telemetry',
    environment: config.environment,
    owner: config.owner,
    'cost-center': config.costCenter,
    'data-classification': config.dataClassification,
  };
}

/** Tags as ACK's `[{key, value}]` list shape, sorted by key for stable output. */
export function tagList(config: EnvironmentConfig): { key: string; value: string }[] {
  return Object.entries(platformTags(config)).map(([key, value]) => ({ key, value }));
}

/**
 * The platform tags that never change within an environment, for resources whose tags AWS sets only
 * at creation: CloudWatch ignores the tags of PutMetricAlarm on an existing alarm (and its controller
 * never reads them back), so the create-only admission policy refuses a change of an alarm's tags.
 * With the config's owner, cost center or classification on the alarms, a routine change of one of
 * those would be refused on every alarm and block every later sync of them.
 */
export function fixedTagList(config: EnvironmentConfig): { key: string; value: string }[] {
  return tagList(config).filter(({ key }) => key === 'project' || key === 'environment');
}

/** Labels every object carries, so `kubectl get -l` finds one environment's objects. */
export function platformLabels(config: EnvironmentConfig): Record<string, string> {
  return {
    'app.kubernetes.io/part-of': 'plant-telemetry',
    'app.kubernetes.io/managed-by': 'cdk8s',
    'telemetry.plant/environment': config.environment,
  };
}

/** Metadata of an ACK resource: region pinned, deleted with the object, ordered by its wave. */
export function ackMetadata(config: EnvironmentConfig, names: PlatformNames, name: string, wave: SyncWave): ApiObjectMetadata {
  return {
    name,
    namespace: names.namespace,
    labels: platformLabels(config),
    annotations: {
      [ACK_REGION_ANNOTATION]: config.region,
      [ACK_DELETION_POLICY_ANNOTATION]: 'delete',
      [ARGO_SYNC_WAVE_ANNOTATION]: String(SYNC_WAVES[wave]),
    },
  };
}

/** Metadata of a Crossplane v2 namespaced managed resource (region goes in spec.forProvider). */
export function crossplaneMetadata(config: EnvironmentConfig, names: PlatformNames, name: string, wave: SyncWave): ApiObjectMetadata {
  return {
    name,
    namespace: names.namespace,
    labels: platformLabels(config),
    annotations: { [ARGO_SYNC_WAVE_ANNOTATION]: String(SYNC_WAVES[wave]) },
  };
}

/**
 * Spec fields every Crossplane managed resource shares: the namespaced ProviderConfig of the
 * environment and management policies that include Delete (v2 has no deletionPolicy).
 */
export function crossplaneSpec(names: PlatformNames): {
  providerConfigRef: { kind: string; name: string };
  managementPolicies: string[];
} {
  return {
    providerConfigRef: { kind: 'ProviderConfig', name: names.crossplaneProviderConfig },
    // No LateInitialize: Crossplane would write provider defaults into forProvider and Argo CD self-heal would undo them forever.
    managementPolicies: ['Observe', 'Create', 'Update', 'Delete'],
  };
}

/** Metadata for plain Kubernetes and Argo CD objects. */
export function kubernetesMetadata(config: EnvironmentConfig, name: string, namespace: string | undefined, wave: SyncWave): ApiObjectMetadata {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    labels: platformLabels(config),
    annotations: { [ARGO_SYNC_WAVE_ANNOTATION]: String(SYNC_WAVES[wave]) },
  };
}
