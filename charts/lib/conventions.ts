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
export const ARGO_SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
