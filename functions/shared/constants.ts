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
  /** Plant id of the environment (query function: a line id is unique within the plant). */
  plantId: 'PLANT_ID',
  /** Optional: seconds between detector checkpoints of an asset without episode events (default 60). */
  checkpointIntervalSeconds: 'CHECKPOINT_INTERVAL_SECONDS',
  /** Optional: ms a dependency's circuit stays open (default CIRCUIT_BREAKER.openMs). */
  circuitBreakerOpenMs: 'CIRCUIT_BREAKER_OPEN_MS',
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
  /** Recoveries (ends of alerted episodes) published to SNS (processor). */
  recoveriesPublished: 'RecoveriesPublished',
  /** Seconds (device time) the oldest episode still open among a batch's assets has lasted; absent when none is open (processor). */
  oldestOpenEpisodeAge: 'OldestOpenEpisodeAge',
  /** Milliseconds from the device timestamp to the end of processing (processor). */
  endToEndLatency: 'EndToEndLatency',
  /** Milliseconds a batch took (both). */
  batchDuration: 'BatchDuration',
  /** Records reported in batchItemFailures for retry (both). */
  recordsRetried: 'RecordsRetried',
  /** Device connect/disconnect events seen (processor: applied to status; storer: counted and skipped). */
  presenceEvents: 'PresenceEvents',
  /** Readings not fed to the detector because the asset already saw a sample at or after their ts (redelivery, late data). */
  readingsSkipped: 'ReadingsSkipped',
  /** Readings that did not fit their minute bucket (see LIMITS.maxReadingsPerBucket) and went to the quarantine prefix. */
  readingsOverflowed: 'ReadingsOverflowed',
  /**
   * Metric names of a batch its asset's status item could not list (over LIMITS.maxListedMetricsPerAsset):
   * judged and stored as any other, but not listed by the read path (processor; printed only when not 0).
   */
  metricsUnlisted: 'MetricsUnlisted',
  /** Assets a thing's item could not list (over LIMITS.maxListedAssetsPerThing): a disconnect does not mark them OFFLINE (processor; printed only when not 0). */
  thingAssetsUnlisted: 'ThingAssetsUnlisted',
  /**
   * Readings a later reading of the same sensor and timestamp in the same record replaced: the later one
   * wins, as a correction, in the detector's sample and in the hot tier alike (storer; printed only when not 0).
   */
  readingsSuperseded: 'ReadingsSuperseded',
  /** Unpublished alerts and recoveries dropped, oldest first, from an outbox over its bound (processor; printed only when not 0). */
  noticesDropped: 'NoticesDropped',
  /** Asset status items written (processor). */
  statusWrites: 'StatusWrites',
  /** Batches whose shard another container processed since this one's last batch of it: its cached assets of the shard were restored from their checkpoints (processor). */
  shardHandoffs: 'ShardHandoffs',
  /** DynamoDB items one read-path request read (query): at most the minutes its range touches per sensor. */
  itemsRead: 'ItemsRead',
  /** Points one read-path request returned (query). */
  pointsReturned: 'PointsReturned',
} as const;

/**
 * Hours the Kinesis stream keeps a record (charts/stream.ts sets it): the window for redelivery, replay and
 * catching up after an outage. The functions' timestamp window (LIMITS.maxTimestampAgeMs), the storer's
 * mapping (maxRecordAgeSeconds) and the redrive tool's cut-off follow from it.
 */
export const STREAM_RETENTION_HOURS = 7 * 24;

/** Days a reading bucket may live in the hot tier: config `retention.hotDays`, the storer's ENV.hotRetentionDays. */
export const HOT_RETENTION_DAYS_BOUNDS = { min: 1, max: 3650 } as const;

/** Prefix of quarantined records in the archive bucket (the topic rule's error action writes under iot/). */
export const QUARANTINE_PREFIX = 'quarantine/' as const;

/** Named limits of the data contract v1 and of the stream functions. */
export const LIMITS = {
  /** Contract: a device payload is at most 128 KB (IoT Core enforces the same). */
  maxMessageBytes: 128 * 1024,
  /** The topic rule adds plantId, lineId, thingName, clientId and receivedAt: at most this many bytes. */
  enrichmentAllowanceBytes: 1024,
  /** Contract: one message carries 1 to 500 readings. */
  maxReadingsPerMessage: 500,
  /** The stream keeps records STREAM_RETENTION_HOURS (7 days); older device timestamps cannot be a redelivery and are rejected. */
  maxTimestampAgeMs: STREAM_RETENTION_HOURS * 3_600_000,
  /** Device clocks may run ahead a little; further ahead is a broken clock. */
  maxTimestampAheadMs: 5 * 60 * 1000,
  /** Largest magnitude of a value: keeps sums of squares far inside DynamoDB's number range (1e125). */
  maxAbsValue: 1e15,
  /**
   * Smallest non-zero magnitude of a value: keeps squares above DynamoDB's smallest number (1e-130),
   * also those of a bucket's differences from its shift (two such values differ by 1e-46 or more).
   */
  minAbsNonZeroValue: 1e-30,
  /**
   * Readings one minute bucket item holds: 100 Hz. A reading costs at most ~40 bytes in the three
   * lists, so a full item stays near 240 KB, under DynamoDB's 400 KB item limit; keys and aggregates
   * (shift and shifted sums included) add a fixed couple of hundred bytes.
   */
  maxReadingsPerBucket: 6000,
  /**
   * Metric values an alert or recovery message lists (its limit breaches and contributors first):
   * an SNS message is at most 256 KB and carries the values three times, escaped twice, so a full
   * 500-reading sample with long units would pass it and the publish would fail on every retry.
   */
  maxAlertValues: 50,
  /**
   * Metrics an asset's status item lists (the read path's list of the asset's sensors). The data
   * contract sets no number; a device that makes names up (a counter or a serial in the name) would
   * grow the item past DynamoDB's 400 KB, and from then on every status write of the asset would fail
   * and its batches go to the dead-letter queue. 1,000 names of 64 characters are about 66 KB; the
   * checkpoint carries the list too (so a restored container knows how full the item is), beside a
   * detector state of at most about 70 KB.
   */
  maxListedMetricsPerAsset: 1000,
  /** Assets a thing's item lists (how a disconnect finds the assets to mark OFFLINE), for the same reason: about 130 KB. */
  maxListedAssetsPerThing: 2000,
  /** A DynamoDB BatchWriteItem carries at most 25 puts, a BatchGetItem at most 100 keys. */
  batchWriteSize: 25,
  batchGetSize: 100,
} as const;

/** Identifier pattern of assetId, metric, plantId and lineId (data contract v1). */
export const IDENTIFIER_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
/** IDENTIFIER_PATTERN as messages quote it, without its anchors: `[A-Za-z0-9_.:-]{1,64}` (pure: left out of bundles that do not quote it). */
export const IDENTIFIER_PATTERN_TEXT = /* @__PURE__ */ IDENTIFIER_PATTERN.source.slice(1, -1);
/** AWS IoT thing names (and so MQTT client ids, which the IoT policy pins to the thing name). */
export const THING_NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

/** OPC UA style qualities; a missing quality means GOOD. */
export const QUALITIES = ['GOOD', 'UNCERTAIN', 'BAD'] as const;

/** `recordType` the presence topic rule adds to lifecycle events (telemetry records carry none). */
export const PRESENCE_RECORD_TYPE = 'presence' as const;

/** Asset status values in the assetStatus table. */
export const ASSET_STATUS = { ok: 'OK', anomaly: 'ANOMALY', offline: 'OFFLINE' } as const;

/** Prefix of the assetStatus item that tracks a thing's connection ('#' cannot occur in an assetId). */
export const THING_STATUS_KEY_PREFIX = 'thing#' as const;

/** Reason codes of quarantined records; each is a stable string operators can search for. */
export const QUARANTINE_REASONS = {
  oversized: 'OVERSIZED',
  invalidJson: 'INVALID_JSON',
  notAnObject: 'NOT_AN_OBJECT',
  unsupportedSchemaVersion: 'UNSUPPORTED_SCHEMA_VERSION',
  unknownAsset: 'UNKNOWN_ASSET',
  missingEnrichment: 'MISSING_ENRICHMENT',
  thingMismatch: 'THING_MISMATCH',
  invalidSeq: 'INVALID_SEQ',
  noReadings: 'NO_READINGS',
  tooManyReadings: 'TOO_MANY_READINGS',
  invalidReading: 'INVALID_READING',
  invalidMetric: 'INVALID_METRIC',
  invalidValue: 'INVALID_VALUE',
  valueOutOfRange: 'VALUE_OUT_OF_RANGE',
  invalidTimestamp: 'INVALID_TIMESTAMP',
  timestampOutOfRange: 'TIMESTAMP_OUT_OF_RANGE',
  invalidQuality: 'INVALID_QUALITY',
  invalidUnit: 'INVALID_UNIT',
  invalidPresence: 'INVALID_PRESENCE',
  bucketFull: 'BUCKET_FULL',
  /** Validation failed in an unforeseen way (a pure step, so a retry would fail the same). */
  unreadable: 'UNREADABLE',
} as const;

/** Attribute names of the items the functions write (beyond TABLE_KEYS). */
export const ITEM_ATTRIBUTES = {
  /** readings: optimistic concurrency version of the bucket item. */
  version: 'version',
  /** detectorState: the serialized AssetDetectorState (JSON string). */
  detectorState: 'state',
} as const;

/** In-process retries of one dependency call (the SDK's own retries are off so this is the only policy). */
export const RETRY_POLICY = {
  maxAttempts: 4,
  /** Full-jitter exponential backoff: attempt n sleeps up to min(maxDelayMs, baseDelayMs * 2^(n-1)). */
  baseDelayMs: 25,
  maxDelayMs: 500,
  /** One attempt is aborted after this long (a hung connection must not eat the invocation). */
  attemptTimeoutMs: 2000,
} as const;

/** A connection to an AWS endpoint that is not established within this long fails its attempt. */
export const SDK_CONNECTION_TIMEOUT_MS = 1_000;

/** Circuit breaker per dependency (DynamoDB, S3, SNS). */
export const CIRCUIT_BREAKER = {
  /** Consecutive transient failures that open the circuit... */
  failureThreshold: 5,
  /** ...if they span at least this long (a burst of concurrent failures is not an outage). */
  minFailureSpanMs: 500,
  /** Time the circuit stays open before one probe call is let through. */
  openMs: 5000,
} as const;

/** Time kept in reserve before the Lambda timeout: work not started by then is reported for retry. */
export const DEADLINE = {
  marginRatio: 0.1,
  minMarginMs: 500,
  maxMarginMs: 3000,
} as const;

/** What SNS accepts in a Publish (the processor's alerts; the local SNS fake refuses the same). */
export const SNS_LIMITS = {
  /** A subject must be less than 100 characters, printable, without line breaks. */
  maxSubjectLength: 99,
  /** Message body and attributes together, in bytes. */
  maxMessageBytes: 262_144,
} as const;

/** What Lambda allows a function (charts/constructs/BundledFunction.ts checks the rendered values against it). */
export const LAMBDA_LIMITS = {
  /** Memory, MB; the runtime tells the function its own in LAMBDA_MEMORY_VARIABLE. */
  memoryMb: { min: 128, max: 10_240 },
  /** Payload of a synchronous invocation, request or response: 6 MB (written out: esbuild keeps an unused `6 * 1024 * 1024` in bundles). */
  maxInvokePayloadBytes: 6_291_456,
} as const;

/** The variable in which the Lambda runtime gives a function its memory, MB (reserved: a chart cannot set it). */
export const LAMBDA_MEMORY_VARIABLE = 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE';
