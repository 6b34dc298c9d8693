/**
 * The monthly cost of one environment at its capacity inputs, per service and line item, priced with
 * the sa-east-1 list prices of charts/lib/prices.ts; beside it the same load on the naive design (one
 * DynamoDB item per reading, devices publishing to a plain MQTT topic instead of Basic Ingest).
 *
 * Every quantity derives from the config, the capacity plan (charts/lib/capacity.ts) and the settings
 * the charts render (function memory and batching, stream retention, lifecycle, alarms); what no chart
 * fixes is a named assumption in COST_ASSUMPTIONS or a named size in COST_SIZES, printed with the result.
 */
import { CapacityPlan } from '../../charts/lib/capacity';
import { PriceKey } from '../../charts/lib/prices';
import { METRIC_NAMES } from '../../functions/shared/constants';

/** AWS bills a month as 730 hours. */
export const MONTH = { hours: 730, seconds: 730 * 3600, minutes: 730 * 60, days: 730 / 24 } as const;

export const KIB = 1024;
export const MIB = 1024 * KIB;
export const GIB = 1024 * MIB;

/** Metering units and sizes of what the platform stores and logs (bytes unless named otherwise). */
export const COST_SIZES = {
  /** IoT Core meters messages, rules and actions in 5 KB units. */
  iotMeteringUnit: 5 * KIB,
  kinesisPutPayloadUnit: 25 * KIB,
  /** On-demand streams meter data in per record rounded up to 1 KB. */
  kinesisOnDemandRounding: KIB,
  firehoseRecordRounding: 5 * KIB,
  dynamodbWriteUnit: KIB,
  /** DynamoDB bills 100 bytes of index overhead per stored item. */
  dynamodbItemOverhead: 100,
  /** A minute bucket without readings: keys, asset, metric, unit, stats, version, TTL and attribute names. */
  bucketItemBase: 250,
  /** One reading in a bucket: its offset, value and quality list elements (number and string sizes plus 1 B each). */
  bucketItemPerReading: 16,
  /** The naive design's item of one reading: sensor id, timestamp, value, quality, TTL, attribute names. */
  naiveReadingItem: 120,
  /** Asset status item (under 1 KB: one WRU, plus one for the byLine index). */
  statusItem: 400,
  /** Detector checkpoint: about 1.9 KB of state for 8 metrics in memory (README), larger as JSON. */
  detectorStateBase: 200,
  detectorStatePerMetric: 300,
  /** Lambda's synchronous invocation payload limit, which also caps a Kinesis batch. */
  lambdaPayloadLimit: 6 * MIB,
  /** The Kinesis event's JSON around each record's base64 data (ids, ARNs, sequence number). */
  lambdaEventPerRecord: 500,
  /**
   * Log bytes per invocation: Lambda's START/END/REPORT lines (~450 B), the batch summary line of
   * Powertools Logger (~550 B) and the EMF document (processor ~1.5 KB with up to 99 latency values).
   */
  logPerInvocation: { processor: 2_500, storer: 2_000 },
  alertMessage: 4 * KIB,
} as const;

/** What no chart fixes: stated, printed with every result, and overridable only here. */
export const COST_ASSUMPTIONS = {
  /**
   * GZIP ratio of the archived JSON Lines. Synthetic 8-reading records of the test helpers' shape
   * compress 14.8:1; real sensor values are noisier, so the estimate takes about half.
   */
  gzipRatio: 8,
  /** Storer time: parse and group per record, plus one DynamoDB round trip (~5 ms) per write at 32 in flight. */
  storerMsPerRecord: 0.05,
  storerMsPerBucketWrite: 5 / 32,
  /** One connect and one disconnect per device and day (lifecycle events through the presence rule). */
  presenceEventsPerDevicePerDay: 2,
  /** Lambda recycles execution environments every few hours: each recycle re-reads checkpoints and misses the bucket cache. */
  containerRecyclesPerDay: 12,
  /** Anomaly alerts: one episode per asset every 20 days. */
  alertsPerAssetPerDay: 0.05,
  opsNotificationsPerMonth: 100,
  /** Dead-lettered batches a month, each sent, received and deleted once. */
  deadLetteredBatchesPerMonth: 100,
  /**
   * KMS calls: each caller (a principal on a shard, a table, a bucket, a topic, a queue) refreshes its
   * data key about every 5 minutes.
   */
  kmsCallsPerCallerPerHour: 12,
  /**
   * Through an enhanced fan-out consumer, Kinesis pushes a shard's records about 70 ms after they arrive (its
   * documented average), so a busy shard invokes the processor up to about 14 times a second instead of once.
   */
  fanOutPushesPerSecond: 1000 / 70,
} as const;

export type CostService = 'IoT Core' | 'Kinesis' | 'Lambda' | 'DynamoDB' | 'Firehose' | 'S3' | 'CloudWatch' | 'KMS' | 'SNS' | 'SQS' | 'VPC';

/** The order services are printed in: the data path first. */
export const COST_SERVICES: readonly CostService[] = ['IoT Core', 'Kinesis', 'Lambda', 'DynamoDB', 'Firehose', 'S3', 'CloudWatch', 'KMS', 'SNS', 'SQS', 'VPC'];

/** One priced line: quantity (in the price's unit) x unit price. */
export interface CostLine {
  /** Stable id, for tests and for pairing the naive design's lines with the platform's. */
  readonly id: string;
  readonly service: CostService;
  readonly item: string;
  readonly quantity: number;
  readonly priceKey: PriceKey;
  readonly unit: string;
  readonly unitPrice: number;
  readonly unsure: boolean;
  readonly usd: number;
  /** How the quantity was derived, in words and numbers. */
  readonly basis: string;
  /**
   * The resources the line prices, by physical name, where it prices named ones: the DynamoDB storage
   * and point-in-time recovery lines name their tables (test/tools/cost.test.ts holds them to the rendered ones).
   */
  readonly resources?: readonly string[];
}

export interface DesignCost {
  readonly total: number;
  readonly lines: readonly CostLine[];
}

/** The load the lines are priced from, derived once. */
export interface CostLoad {
  readonly sensors: number;
  readonly readingsPerSecondPerSensor: number;
  readonly readingsPerSecond: number;
  readonly recordsPerSecond: number;
  readonly bytesPerRecord: number;
  /** Sensors / readings per message: one message carries one asset's readings of one instant. */
  readonly assets: number;
  readonly devices: number;
  readonly shards: number;
  readonly streamMode: CapacityPlan['streamMode'];
  readonly processorInvocationsPerSecond: number;
  readonly storerRecordsPerInvocation: number;
  readonly storerIntervalSeconds: number;
  readonly storerInvocationsPerSecond: number;
  readonly bucketWritesPerSensorMinute: number;
  readonly wruPerBucketWrite: number;
  readonly bucketWritesPerSecond: number;
  readonly archiveGzBytesPerDay: number;
}

export interface MonthlyCost extends DesignCost {
  readonly environment: string;
  readonly load: CostLoad;
  readonly naive: DesignCost;
  /** naive.total / total */
  readonly ratio: number;
  /** The derivation of the load, printed before the lines. */
  readonly derivation: readonly string[];
  /**
   * What the total leaves out because it depends on how AWS behaves, each priced as the line it would
   * replace (same service and unit): the total assumes the behaviour the design is built for.
   */
  readonly exposures: readonly CostExposure[];
}

/**
 * A cost the total leaves out, and what shows it happening: either a monthly line that would replace one of
 * the total's, or an incident's cost per hour it lasts, on top of the total.
 */
export type CostExposure = { readonly line: CostLine; /** Where an operator sees it happening. */ readonly watch: string } & (
  | { readonly kind: 'instead'; /** Id of the line in the total this one would replace. */ readonly replaces: string }
  | { readonly kind: 'per-incident-hour' }
);

export interface CostOptions {
  /** Connected things (gateways); default one per asset. */
  readonly devices?: number;
}

/** The platform as rendered, or the naive design's readings table (one item per reading) on the same platform. */
export type Design = 'platform' | 'naive';

/**
 * EMF metrics per function (namespace PlantTelemetry/<suffix>, dimension service); test/charts/grafana.test.ts
 * checks them against what the functions print. MetricsUnlisted, ThingAssetsUnlisted, NoticesDropped
 * (processor) and ReadingsSuperseded (storer) are left out: they are printed only when a device goes over
 * a listing limit, SNS fails for hours, or a message holds a sensor twice at one timestamp, so normal
 * operation has none.
 */
export const EMITTED_METRICS = {
  processor: [
    METRIC_NAMES.readingsProcessed,
    METRIC_NAMES.readingsSkipped,
    METRIC_NAMES.recordsQuarantined,
    METRIC_NAMES.anomaliesOpened,
    METRIC_NAMES.alertsPublished,
    METRIC_NAMES.recoveriesPublished,
    METRIC_NAMES.oldestOpenEpisodeAge,
    METRIC_NAMES.statusWrites,
    METRIC_NAMES.presenceEvents,
    METRIC_NAMES.shardHandoffs,
    METRIC_NAMES.recordsRetried,
    METRIC_NAMES.batchDuration,
    METRIC_NAMES.endToEndLatency,
  ],
  storer: [
    METRIC_NAMES.readingsProcessed,
    METRIC_NAMES.readingsStored,
    METRIC_NAMES.bucketWrites,
    METRIC_NAMES.recordsQuarantined,
    METRIC_NAMES.presenceEvents,
    METRIC_NAMES.readingsOverflowed,
    METRIC_NAMES.recordsRetried,
    METRIC_NAMES.batchDuration,
  ],
} as const;
