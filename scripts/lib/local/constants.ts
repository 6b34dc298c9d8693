/** Named limits and settings of the local pipeline (`npm run local`) and the load test. */

export const LOCAL_REGION = 'sa-east-1' as const;
/**
 * Credentials of the harness (table and stream creation, the rules' writer, the load test's audit) and of the
 * operator tools (`npm run query -- --local`); the functions sign with their role's key (LocalPolicyEnforcer).
 * DynamoDB leaves the harness's requests unchecked, and decides the operator tools' as the query operator.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'AKIALOCALPIPELINE000', secretAccessKey: 'local' } as const;

/** The operator policy `npm run query` needs (charts/lib/names.ts `queryOperatorPolicy`), followed by the suffix. */
export const QUERY_OPERATOR_POLICY_PREFIX = 'iam-query-operator-';

/** The session name of the operator tools' requests, which a refusal names. */
export const OPERATOR_SESSION = 'local-operator';

/** The manifests' kinds the local pipeline builds; every other kind is listed as not emulated. */
export const EMULATED_KINDS = ['Policy', 'TopicRule', 'Stream', 'Table', 'Queue', 'Topic', 'Bucket', 'Function', 'EventSourceMapping'] as const;

/** Limits of the rules' output the local pipeline enforces (IoT Core's 128 KB payload limit is the contract's: LIMITS.maxMessageBytes). */
export const IOT_LIMITS = {
  /** A Kinesis record (the rule's output) is at most 1 MiB. */
  maxRecordBytes: 1024 * 1024,
} as const;

/**
 * The MQTT gateway's counters: connections (`connected` now,
 * `peakConnected` the most at once), messages by outcome, and `pendingPuts`, the records the rules handed to
 * the stream writer that Kinesis has not acknowledged yet.
 */
export const GATEWAY_COUNTER_NAMES = [
  'connected',
  'peakConnected',
  'connects',
  'disconnects',
  'connectDenied',
  'received',
  'readingsIn',
  'toStream',
  'pendingPuts',
  'parseErrors',
  'errorActions',
  'noRule',
  'publishDenied',
  'oversized',
  'presenceEvents',
] as const;

export const KINESIS_LIMITS = {
  /** Per shard, per second: writes (records and bytes). Above them AWS throttles the rule's puts. */
  shardRecordsPerSecond: 1000,
  shardBytesPerSecond: 1024 * 1024,
  /** A partition key is 1 to 256 characters. */
  partitionKeyMaxChars: 256,
  /** PutRecords carries at most 500 records and 5 MiB. */
  putRecordsMax: 500,
  putRecordsMaxBytes: 5 * 1024 * 1024,
  /** GetRecords returns at most 10,000 records. */
  getRecordsMax: 10_000,
  /** GetRecords calls per shard and second, shared by the shard's standard consumers. */
  shardReadsPerSecond: 5,
  /**
   * An enhanced fan-out consumer gets a shard's records pushed over its own pipe, about 70 ms after they were put
   * (Kinesis's figure): its poller waits this long after finding nothing, and takes none of the shared reads.
   */
  fanOutPropagationMs: 70,
} as const;

/** What the event source mapping runner imitates of Lambda's poller (a batch closes before its event would pass LAMBDA_LIMITS.maxInvokePayloadBytes). */
export const MAPPING_LIMITS = {
  /**
   * Lambda reads a shard at a base rate of once a second (standard iterators): again after a read that made no
   * batch due (an idle shard, or a batching window still filling), and as soon as the function returns while
   * records keep coming.
   */
  idlePollMs: 1000,
  /** Wait between retries of a failed batch (Lambda retries at once; a little pause keeps the log readable). */
  retryPauseMs: 50,
} as const;

/** Firehose reads each shard of its source stream about once a second: one of the shard's reads, not emulated. */
export const ARCHIVE_READ_INTERVAL_MS = 1000;

/** The rule engine's put batching: a message waits at most this long for others to share a PutRecords call. */
export const RULE_FLUSH_MS = 5;
/** Attempts of a PutRecords entry the emulator reports failed before the rule's error action takes it. */
export const RULE_PUT_ATTEMPTS = 3;

/** The broker's thread reports its shards' write loads this often (the rest of its counters are shared memory). */
export const GATEWAY_REPORT_MS = 1000;
/** On close, the broker's thread waits at most this long for the rules' puts in flight. */
export const CLOSE_PUTS_WAIT_MS = 5000;

/** The DynamoDB worker reports status-write latencies and request counts this often. */
export const DYNAMO_SERVICE_REPORT_MS = 200;

export const LIVE_OUTPUT_INTERVAL_MS = 1000;
/** Latency samples kept per series (the newest; percentiles of a live run need no more). */
export const LATENCY_WINDOW = 20_000;
