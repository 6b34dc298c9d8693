/**
 * Alarm thresholds, named so the alarms and the dashboard's threshold lines quote the same numbers.
 */
export const ALARM_THRESHOLDS = {
  /**
   * Alerts must leave within a second of the reading; the processor's iterator age is normally
   * well under a second. One retried batch (a timeout, a bisected poison record) can push it to
   * tens of seconds without anything being stuck, so the alarm wants a full minute of lag for two
   * minutes in a row: by then anomaly alerts are no longer real-time and someone must look.
   */
  processorIteratorAgeMs: 60_000,
  /**
   * The storer waits up to 60 s to fill a batch, so an age around a minute is its normal state.
   * Five minutes means the hot tier (the console's recent data) is visibly behind.
   */
  storerIteratorAgeMs: 300_000,
  /**
   * Twice the longest buffering interval Firehose accepts (900 s), so buffering alone can never
   * trip it whatever the archive chart picks. The archive is the cold tier: half an hour of delay
   * harms nobody, more means deliveries are failing and being retried.
   */
  archiveFreshnessSeconds: 1_800,
  /**
   * A misbehaving machine opens an episode or a few (it alerts once per cooldown). More than one episode per 100 sensors within
   * five minutes is no longer "a machine misbehaves" but a plant-wide event (power, compressed air,
   * a network outage replaying old data) or a broken detector (a bad limit after a config change).
   */
  anomalyStormEpisodesPerSensor: 0.01,
  anomalyStormMinimum: 10,
  /**
   * A few quarantined records are one misconfigured device: the dashboard shows them. More than 1 %
   * of the records the capacity plan expects in five minutes is systematic (a firmware or contract
   * change, a broken topic rule) and pages.
   */
  quarantineShareOfRecords: 0.01,
  quarantineMinimum: 10,
  /**
   * A read-path request takes well under two seconds (the bench: a day of a 1 Hz sensor in about a
   * tenth of that against dynalite); the limits keep the worst case far from the 30 s timeout. A p99
   * over 10 s for a quarter of an hour means dashboards are about to time out: DynamoDB throttling,
   * a cold VPC, or requests near the limits.
   */
  queryDurationP99Ms: 10_000,
  /**
   * A shard changes execution environment once per deployment or recycle of the processor's
   * environments (every few hours). A shard that keeps moving is checkpointed every batch, up to
   * 60 times the design's checkpoint writes (`npm run cost`, "exposure"): more than one move per
   * shard in each quarter of an hour for half an hour is that, not a rollout.
   */
  processorShardHandoffsPerShard: 1,
  /**
   * While an episode is open its asset raises no new alert. SKAB's faults last minutes; an episode
   * open for four hours is a fault nobody has fixed, or a normal state the detector holds open (a
   * slow rise of one metric; docs/detection.md): either way someone must look, and acknowledge it
   * in the config if it is normal.
   */
  longOpenEpisodeSeconds: 14_400,
} as const;

/** The evaluation window shared by the rate alarms (anomalies, quarantine, errors). */
export const FIVE_MINUTES = 300;

/**
 * How many shards an on-demand Kinesis stream holds, which AWS decides (Kinesis developer guide, "Choose
 * the data stream capacity mode"): a new one starts with the write capacity of 4 shards (4 MB/s, 4,000
 * records/s), and it splits a shard whose writes pass 500 KB/s, half a shard's limit, so at a steady peak
 * it holds about twice the shards those writes need. A stream switched from provisioned keeps its shards.
 */
export const KINESIS_ON_DEMAND = { initialShards: 4, shardsPerWriteShard: 2 } as const;

/**
 * What both stream functions (and their mappings) do with the platform key, per service they call;
 * the processor adds SNS (STREAM_PUBLISHER_KEY_USE).
 */
export const STREAM_CONSUMER_KEY_USE = {
  // The tables' key: Decrypt when DynamoDB reads it for the caller, DescribeKey to check it, and
  // GenerateDataKey, which DynamoDB's example key policy for the users of a table lists too.
  dynamodb: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'],
  // The mapping's GetRecords of the encrypted stream; the functions never write to it.
  kinesis: ['kms:Decrypt'],
  // One single-part PutObject per quarantined batch: a data key, no decryption.
  s3: ['kms:GenerateDataKey'],
  // The mapping's sends to the encrypted dead-letter queue: a producer needs both.
  sqs: ['kms:Decrypt', 'kms:GenerateDataKey'],
} as const;

/** The processor's publishes to the encrypted alert topic: a publisher needs both. */
export const STREAM_PUBLISHER_KEY_USE = { sns: ['kms:Decrypt', 'kms:GenerateDataKey'] } as const;
