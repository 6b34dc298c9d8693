/**
 * Names shared by the functions and the charts that deploy them: environment variables the
 * processing chart sets, and the key attributes of the hot-tier tables the storage chart creates.
 */

/** Environment variables of the Lambda functions (set by charts/processing.ts). */
export const ENV = {
  /** DynamoDB table of per-sensor per-minute reading buckets (storer). */
  readingsTable: 'READINGS_TABLE',
  /** DynamoDB table of the latest status per asset (processor). */
  assetStatusTable: 'ASSET_STATUS_TABLE',
  /** DynamoDB table of detector state checkpoints per asset (processor). */
  detectorStateTable: 'DETECTOR_STATE_TABLE',
  /** SNS topic ARN for anomaly alerts (processor). */
  alertTopicArn: 'ALERT_TOPIC_ARN',
  /** S3 archive bucket; quarantined records go under `quarantine/<function>/`. */
  archiveBucket: 'ARCHIVE_BUCKET',
  /** Base URL of the CloudWatch dashboard, quoted in alerts. */
  dashboardUrl: 'DASHBOARD_URL',
  /** JSON of the detector settings from config/<env>.yaml `detection`. */
  detectorConfig: 'DETECTOR_CONFIG',
  /** Days a reading bucket lives in the hot tier before DynamoDB TTL removes it. */
  hotRetentionDays: 'HOT_RETENTION_DAYS',
  /** Minimum seconds between two status writes of an unchanged asset. */
  statusHeartbeatSeconds: 'STATUS_HEARTBEAT_SECONDS',
  /** Powertools: service name and metrics namespace. */
  powertoolsServiceName: 'POWERTOOLS_SERVICE_NAME',
  powertoolsMetricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
} as const;

/** Key schema of the hot-tier tables (charts/storage.ts creates them with these names). */
export const TABLE_KEYS = {
  readings: { partitionKey: 'sensorId', sortKey: 'minute' },
  assetStatus: { partitionKey: 'assetId', lineIndex: 'byLine', linePartitionKey: 'lineKey' },
  detectorState: { partitionKey: 'assetId' },
  /** Epoch seconds after which DynamoDB TTL deletes the item. */
  ttlAttribute: 'expiresAt',
} as const;

/**
 * CloudWatch metrics the functions emit through Powertools EMF and the alarms and dashboard read.
 * Namespace `PlantTelemetry/<suffix>` (POWERTOOLS_METRICS_NAMESPACE); the only dimension is
 * Powertools' default `service` (= `processor` or `storer`), so cardinality stays low.
 */
export const METRICS_NAMESPACE_PREFIX = 'PlantTelemetry' as const;
export const METRIC_NAMES = {
  /** Readings accepted and judged by the detector (processor) or written to a bucket (storer). */
  readingsProcessed: 'ReadingsProcessed',
  /** Readings stored in the hot tier (storer). */
  readingsStored: 'ReadingsStored',
  /** DynamoDB item writes of reading buckets (storer); readingsStored / bucketWrites is the batching factor. */
  bucketWrites: 'BucketWrites',
  /** Records quarantined as invalid (both). */
  recordsQuarantined: 'RecordsQuarantined',
  /** Anomaly episodes opened (processor). */
  anomaliesOpened: 'AnomaliesOpened',
  /** Alerts published to SNS (processor). */
  alertsPublished: 'AlertsPublished',
  /** Milliseconds from the device timestamp to the end of processing (processor). */
  endToEndLatency: 'EndToEndLatency',
  /** Milliseconds a batch took (both). */
  batchDuration: 'BatchDuration',
  /** Records reported in batchItemFailures for retry (both). */
  recordsRetried: 'RecordsRetried',
} as const;

/** Prefix of quarantined records in the archive bucket (the topic rule's error action writes under iot/). */
export const QUARANTINE_PREFIX = 'quarantine/' as const;
