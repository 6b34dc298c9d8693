/**
 * The monthly cost of one environment at its capacity inputs, per service and line item, priced with
 * the sa-east-1 list prices of charts/lib/prices.ts; beside it the same load on the naive design (one
 * DynamoDB item per reading, devices publishing to a plain MQTT topic instead of Basic Ingest).
 *
 * Every quantity derives from the config, the capacity plan (charts/lib/capacity.ts) and the settings
 * the charts render (function memory and batching, stream retention, lifecycle, alarms); what no chart
 * fixes is a named assumption in COST_ASSUMPTIONS or a named size in COST_SIZES, printed with the result.
 */
import { FIREHOSE_BUFFERING } from '../../charts/archive';
import { CapacityPlan, SIZING } from '../../charts/lib/capacity';
import { EnvironmentConfig } from '../../charts/lib/config';
import { PlatformNames } from '../../charts/lib/names';
import { PriceKey, priceOf } from '../../charts/lib/prices';
import { alarmTable, AlarmRow } from '../../charts/observability';
import { FUNCTION_SETTINGS } from '../../charts/processing';
import { rawExpirationDays, rawTransitions, type ArchiveStorageClass } from '../../charts/lib/archiveTiers';
import { SHARD_LEVEL_METRICS } from '../../charts/stream';
import { DEFAULT_CHECKPOINT_INTERVAL_SECONDS } from '../../functions/processor/constants';
import { LIMITS, METRIC_NAMES, STREAM_RETENTION_HOURS } from '../../functions/shared/constants';

/** AWS bills a month as 730 hours. */
export const MONTH = { hours: 730, seconds: 730 * 3600, minutes: 730 * 60, days: 730 / 24 } as const;

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

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

/** A cost the total leaves out, with the line of the total it would replace and what shows it happening. */
export interface CostExposure {
  readonly line: CostLine;
  /** Id of the line in the total this one would replace. */
  readonly replaces: string;
  /** Where an operator sees it happening. */
  readonly watch: string;
}

export interface CostOptions {
  /** Connected things (gateways); default one per asset. */
  readonly devices?: number;
}

/** The platform as rendered, or the naive design's readings table (one item per reading) on the same platform. */
export type Design = 'platform' | 'naive';

const ceilDiv = (bytes: number, unit: number): number => Math.max(1, Math.ceil(bytes / unit));

function priced(id: string, service: CostService, item: string, quantity: number, priceKey: PriceKey, basis: string): CostLine {
  const price = priceOf(priceKey);
  return { id, service, item, quantity, priceKey, unit: price.unit, unitPrice: price.usd, unsure: price.unsure === true, usd: quantity * price.usd, basis };
}

/** Alarm metrics billed for one alarm: a metric alarm reads one, metric math each input, a Metrics Insights query the series it reads. */
export function alarmMetricCount(row: AlarmRow): number {
  if (row.signal.kind === 'metric') return 1;
  if (row.signal.kind === 'expression') return Object.keys(row.signal.inputs).length;
  // The IoT rule queries sum one rule's metric over its action types: one Kinesis action, one series.
  return 1;
}

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

/**
 * Item writes per sensor-minute: an invocation every `interval` seconds touches the minute buckets its
 * interval overlaps, on average 1 + interval/60 of them, so a minute is written 60/interval + 1 times
 * (2 with the full 60 s window: the bench's 30 readings per write at 1 reading/s), never more often
 * than it receives readings.
 */
export function bucketWritesPerSensorMinute(readingsPerSensorMinute: number, intervalSeconds: number): number {
  return Math.min(readingsPerSensorMinute, 60 / intervalSeconds + 1);
}

/**
 * Average WRUs of one bucket write: each write puts the whole item as it stands, so with k writes a
 * minute the j-th holds j/k of the minute's readings (PutItem bills ceil(size / 1 KB)).
 */
export function wruPerBucketWrite(readingsPerSensorMinute: number, writesPerSensorMinute: number): number {
  const k = Math.max(1, Math.round(writesPerSensorMinute));
  const readings = Math.min(Math.max(1, readingsPerSensorMinute), LIMITS.maxReadingsPerBucket);
  let units = 0;
  for (let j = 1; j <= k; j += 1) units += ceilDiv(COST_SIZES.bucketItemBase + (readings * j * COST_SIZES.bucketItemPerReading) / k, COST_SIZES.dynamodbWriteUnit);
  return units / k;
}

/** The load of one environment: messages, invocations, bucket writes, archive volume. */
export function costLoad(config: EnvironmentConfig, capacity: CapacityPlan, options: CostOptions = {}): CostLoad {
  const { sensors, readingsPerSecondPerSensor, readingsPerMessage } = config.capacity;
  const shards = capacity.shardCount;
  const recordsPerShard = capacity.recordsPerSecond / shards;

  // Lambda polls each shard once a second and invokes with what arrived, up to the batch size; through the
  // processor's fan-out consumer it invokes with each push instead.
  const pushesPerSecond = config.capacity.processorConsumerArn === undefined ? 1 : COST_ASSUMPTIONS.fanOutPushesPerSecond;
  const processorPerShard = Math.min(recordsPerShard, Math.max(pushesPerSecond, recordsPerShard / FUNCTION_SETTINGS.processor.batchSize));

  // The storer's batch closes at the window, the batch size, or the 6 MB payload, whichever comes first.
  const eventBytesPerRecord = Math.ceil((capacity.bytesPerRecord * 4) / 3) + COST_SIZES.lambdaEventPerRecord;
  const storerRecordsPerInvocation = Math.min(FUNCTION_SETTINGS.storer.batchSize, Math.floor(COST_SIZES.lambdaPayloadLimit / eventBytesPerRecord));
  const window = FUNCTION_SETTINGS.storer.maxBatchingWindowSeconds;
  const storerIntervalSeconds = recordsPerShard * window <= storerRecordsPerInvocation ? window : storerRecordsPerInvocation / recordsPerShard;
  const storerInvocationsPerSecond = Math.min(shards / storerIntervalSeconds, capacity.recordsPerSecond);

  const readingsPerSensorMinute = readingsPerSecondPerSensor * 60;
  const writesPerSensorMinute = bucketWritesPerSensorMinute(readingsPerSensorMinute, storerIntervalSeconds);
  const assets = Math.ceil(sensors / readingsPerMessage);
  return {
    sensors,
    readingsPerSecondPerSensor,
    readingsPerSecond: capacity.readingsPerSecond,
    recordsPerSecond: capacity.recordsPerSecond,
    bytesPerRecord: capacity.bytesPerRecord,
    assets,
    devices: options.devices ?? assets,
    shards,
    streamMode: capacity.streamMode,
    processorInvocationsPerSecond: processorPerShard * shards,
    storerRecordsPerInvocation,
    storerIntervalSeconds,
    storerInvocationsPerSecond,
    bucketWritesPerSensorMinute: writesPerSensorMinute,
    wruPerBucketWrite: wruPerBucketWrite(readingsPerSensorMinute, writesPerSensorMinute),
    bucketWritesPerSecond: (sensors * writesPerSensorMinute) / 60,
    archiveGzBytesPerDay: (capacity.ingressBytesPerSecond * 86_400) / COST_ASSUMPTIONS.gzipRatio,
  };
}

const n = (value: number, digits = 4): string => Number(value.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 6 });

function iotLines(load: CostLoad, design: Design): CostLine[] {
  const messages = load.recordsPerSecond * MONTH.seconds;
  const units = ceilDiv(load.bytesPerRecord, COST_SIZES.iotMeteringUnit);
  const presence = load.devices * COST_ASSUMPTIONS.presenceEventsPerDevicePerDay * MONTH.days;
  const triggered = messages * units + presence;
  const basis = `${n(load.recordsPerSecond)} messages/s x ${MONTH.seconds.toLocaleString('en-US')} s x ${units} (5 KB units) + ${n(presence)} presence events`;
  const lines = [
    priced('iot.connectivity', 'IoT Core', `connectivity (${n(load.devices)} devices)`, (load.devices * MONTH.minutes) / 1e6, 'iot.connectivity', `${n(load.devices)} devices x ${MONTH.minutes.toLocaleString('en-US')} min`),
    priced('iot.rules', 'IoT Core', 'rules triggered', triggered / 1e6, 'iot.rulesTriggered', basis),
    priced('iot.actions', 'IoT Core', 'actions executed (Kinesis)', triggered / 1e6, 'iot.actionsExecuted', 'one Kinesis action per rule triggered'),
  ];
  if (design === 'platform') return lines;
  // A plain topic bills every publish as messaging, in tiers per account and month.
  const messageUnits = messages * units;
  const tiers: { upTo: number; key: PriceKey; label: string }[] = [
    { upTo: 1e9, key: 'iot.messagingFirstBillion', label: 'first 1 billion' },
    { upTo: 5e9, key: 'iot.messagingNextFourBillion', label: 'next 4 billion' },
    { upTo: Infinity, key: 'iot.messagingOverFiveBillion', label: 'over 5 billion' },
  ];
  let from = 0;
  for (const tier of tiers) {
    const inTier = Math.max(0, Math.min(messageUnits, tier.upTo) - from);
    if (inTier > 0) lines.push(priced(`iot.messaging.${tier.key}`, 'IoT Core', `messaging, plain topic (${tier.label})`, inTier / 1e6, tier.key, `${n(messageUnits)} message units a month`));
    from = tier.upTo;
  }
  return lines;
}

function kinesisLines(config: EnvironmentConfig, load: CostLoad, capacity: CapacityPlan): CostLine[] {
  const records = load.recordsPerSecond * MONTH.seconds;
  const readers = capacity.sharedReadConsumers;
  // The processor reading through its consumer: every record once more, out of the consumer's own pipe.
  const fanOutGb = config.capacity.processorConsumerArn === undefined ? 0 : (records * load.bytesPerRecord) / GIB;
  const fanOutBasis = `${n(load.recordsPerSecond)} records/s x ${load.bytesPerRecord} B`;
  if (load.streamMode === 'ON_DEMAND') {
    const gbIn = (records * ceilDiv(load.bytesPerRecord, COST_SIZES.kinesisOnDemandRounding) * COST_SIZES.kinesisOnDemandRounding) / GIB;
    return [
      priced('kinesis.streamHours', 'Kinesis', 'on-demand stream-hours', MONTH.hours, 'kinesis.onDemandStreamHour', '1 stream x 730 h'),
      priced('kinesis.dataIn', 'Kinesis', 'on-demand data in (1 KB records)', gbIn, 'kinesis.onDemandDataInGb', `${n(records)} records x ${ceilDiv(load.bytesPerRecord, KIB)} KB`),
      priced('kinesis.dataOut', 'Kinesis', `on-demand data out (${readers} readers)`, (records * load.bytesPerRecord * readers) / GIB, 'kinesis.onDemandDataOutGb', `${readers} x ${n(load.recordsPerSecond)} records/s x ${load.bytesPerRecord} B`),
      ...(fanOutGb > 0 ? [priced('kinesis.fanOutData', 'Kinesis', 'on-demand enhanced fan-out data out (processor)', fanOutGb, 'kinesis.onDemandFanOutDataGb', fanOutBasis)] : []),
    ];
  }
  const shardHours = capacity.shardCount * MONTH.hours;
  const units = ceilDiv(load.bytesPerRecord, COST_SIZES.kinesisPutPayloadUnit);
  return [
    priced('kinesis.shardHours', 'Kinesis', `shard-hours (${capacity.shardCount} shards)`, shardHours, 'kinesis.shardHour', `${capacity.shardCount} shards x 730 h`),
    ...(STREAM_RETENTION_HOURS > 24
      ? [priced('kinesis.retention', 'Kinesis', `extended retention (${STREAM_RETENTION_HOURS} h)`, shardHours, 'kinesis.extendedRetentionShardHour', `${capacity.shardCount} shards x 730 h`)]
      : []),
    priced('kinesis.putUnits', 'Kinesis', 'PUT payload units (25 KB)', (records * units) / 1e6, 'kinesis.putPayloadUnits', `${n(load.recordsPerSecond)} records/s x ${MONTH.seconds.toLocaleString('en-US')} s x ${units} (${load.bytesPerRecord} B / 25 KB)`),
    // Billed for a registered consumer whether or not a mapping reads through it yet.
    ...(config.capacity.processorFanOut
      ? [priced('kinesis.fanOutConsumer', 'Kinesis', 'enhanced fan-out consumer-shard-hours (processor)', shardHours, 'kinesis.fanOutConsumerShardHour', `1 consumer x ${capacity.shardCount} shards x 730 h`)]
      : []),
    ...(fanOutGb > 0 ? [priced('kinesis.fanOutData', 'Kinesis', 'enhanced fan-out data out (processor)', fanOutGb, 'kinesis.fanOutDataGb', fanOutBasis)] : []),
  ];
}

function lambdaLines(config: EnvironmentConfig, load: CostLoad, design: Design): CostLine[] {
  const msPerRecord = SIZING.processorMsPerRecord + SIZING.processorMsPerReading * config.capacity.readingsPerMessage;
  const gb = (fn: 'processor' | 'storer'): number => FUNCTION_SETTINGS[fn].memoryMb / 1024;
  const processorSeconds = (load.recordsPerSecond * msPerRecord) / 1000;
  const writesPerSecond = design === 'platform' ? load.bucketWritesPerSecond : load.readingsPerSecond;
  const storerSeconds = (load.recordsPerSecond * COST_ASSUMPTIONS.storerMsPerRecord + writesPerSecond * COST_ASSUMPTIONS.storerMsPerBucketWrite) / 1000;
  return [
    priced('lambda.processorRequests', 'Lambda', 'processor requests', (load.processorInvocationsPerSecond * MONTH.seconds) / 1e6, 'lambda.requests', `${n(load.processorInvocationsPerSecond)} invocations/s (each shard polled every second, ${FUNCTION_SETTINGS.processor.batchSize} records a batch)`),
    priced('lambda.processorDuration', 'Lambda', 'processor duration', processorSeconds * gb('processor') * MONTH.seconds, 'lambda.arm64GbSecond', `${n(load.recordsPerSecond)} records/s x ${n(msPerRecord)} ms (capacity model) x ${gb('processor')} GB`),
    priced('lambda.storerRequests', 'Lambda', 'storer requests', (load.storerInvocationsPerSecond * MONTH.seconds) / 1e6, 'lambda.requests', `${load.shards} shards / ${n(load.storerIntervalSeconds)} s per batch`),
    priced('lambda.storerDuration', 'Lambda', 'storer duration', storerSeconds * gb('storer') * MONTH.seconds, 'lambda.arm64GbSecond', `(${n(load.recordsPerSecond)} records/s x ${COST_ASSUMPTIONS.storerMsPerRecord} ms + ${n(writesPerSecond)} item writes/s x ${n(COST_ASSUMPTIONS.storerMsPerBucketWrite)} ms) x ${gb('storer')} GB`),
  ];
}

/** A full minute bucket: its base and the readings of a sensor-minute, up to the bucket's limit. */
function bucketItemBytes(load: CostLoad): number {
  return COST_SIZES.bucketItemBase + Math.min(Math.max(1, load.readingsPerSecondPerSensor * 60), LIMITS.maxReadingsPerBucket) * COST_SIZES.bucketItemPerReading;
}

/** One hot-tier table at steady state: the bytes of its items, and of the copies its global secondary indexes keep. */
export interface HotTable {
  /** Physical name, as the storage chart renders it. */
  readonly tableName: string;
  readonly label: string;
  readonly itemBytes: number;
  readonly indexBytes: number;
}

/**
 * The tables of the storage chart (charts/storage.ts) filled to their TTL: the readings of hotDays (one
 * bucket per sensor-minute, or in the naive design one item per reading), and one status item (also in
 * the byLine index, which projects ALL) and one detector checkpoint per asset. Shard leases (one small
 * item per shard) are left out. Every one is an EncryptedTable, so every one has point-in-time recovery on.
 */
export function hotTables(config: EnvironmentConfig, names: PlatformNames, load: CostLoad, design: Design): HotTable[] {
  const readings =
    design === 'platform'
      ? load.sensors * config.retention.hotDays * 1440 * (bucketItemBytes(load) + COST_SIZES.dynamodbItemOverhead)
      : load.readingsPerSecond * 86_400 * config.retention.hotDays * (COST_SIZES.naiveReadingItem + COST_SIZES.dynamodbItemOverhead);
  const status = load.assets * (COST_SIZES.statusItem + COST_SIZES.dynamodbItemOverhead);
  return [
    { tableName: names.readingsTable, label: 'readings', itemBytes: readings, indexBytes: 0 },
    { tableName: names.assetStatusTable, label: 'asset status', itemBytes: status, indexBytes: status },
    { tableName: names.detectorStateTable, label: 'detector state', itemBytes: load.assets * (checkpointSize(config).stateBytes + COST_SIZES.dynamodbItemOverhead), indexBytes: 0 },
  ];
}

/** One asset's detector checkpoint: its bytes and the write units a put of it takes. */
function checkpointSize(config: EnvironmentConfig): { stateBytes: number; stateWru: number } {
  const stateBytes = COST_SIZES.detectorStateBase + COST_SIZES.detectorStatePerMetric * config.capacity.readingsPerMessage;
  return { stateBytes, stateWru: ceilDiv(stateBytes, COST_SIZES.dynamodbWriteUnit) };
}

function dynamodbLines(config: EnvironmentConfig, names: PlatformNames, load: CostLoad, design: Design): CostLine[] {
  const recycles = COST_ASSUMPTIONS.containerRecyclesPerDay * MONTH.days;
  const { stateBytes, stateWru } = checkpointSize(config);
  const checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL_SECONDS;
  // The processor writes an asset's checkpoint and status only in a batch holding that asset: an asset
  // sending less often than the interval is written once per message, not once per interval.
  const checkpointsPerAssetSecond = Math.min(load.readingsPerSecondPerSensor, 1 / checkpointInterval);
  const statusWritesPerAssetSecond = Math.min(load.readingsPerSecondPerSensor, 1 / config.detection.statusHeartbeatSeconds);
  const statusWrites = load.assets * statusWritesPerAssetSecond * MONTH.seconds;
  // Each status write also writes the byLine index (1 WRU); thing links are written again after a recycle.
  const statusWru = statusWrites * 2 + load.assets * recycles;

  const hotMinutes = config.retention.hotDays * 1440;
  const bucketBytes = bucketItemBytes(load);
  const tables = hotTables(config, names, load, design);
  const tableNames = tables.map((table) => table.tableName);

  const readings =
    design === 'platform'
      ? [
          priced('dynamodb.readingsWrites', 'DynamoDB', 'readings: bucket writes', (load.bucketWritesPerSecond * load.wruPerBucketWrite * MONTH.seconds) / 1e6, 'dynamodb.writeRequestUnits',
            `${n(load.sensors)} sensors x ${n(load.bucketWritesPerSensorMinute)} writes/sensor-minute / 60 x ${n(load.wruPerBucketWrite)} WRU`),
          priced('dynamodb.coldCache', 'DynamoDB', 'readings: cold-cache conditional puts', (load.sensors * recycles * load.wruPerBucketWrite) / 1e6, 'dynamodb.writeRequestUnits',
            `${n(load.sensors)} sensors x ${COST_ASSUMPTIONS.containerRecyclesPerDay} recycles/day x ${n(MONTH.days)} days (a failed put bills its WRU)`),
        ]
      : [
          priced('dynamodb.readingsWrites', 'DynamoDB', 'readings: one item per reading', (load.readingsPerSecond * ceilDiv(COST_SIZES.naiveReadingItem, KIB) * MONTH.seconds) / 1e6, 'dynamodb.writeRequestUnits',
            `${n(load.readingsPerSecond)} readings/s x ${ceilDiv(COST_SIZES.naiveReadingItem, KIB)} WRU`),
        ];
  const storageBasis =
    design === 'platform'
      ? `${n(load.sensors)} sensors x ${n(hotMinutes)} minutes (${config.retention.hotDays} d TTL) x ${n(bucketBytes + COST_SIZES.dynamodbItemOverhead)} B + status and state`
      : `${n(load.readingsPerSecond)} readings/s x ${config.retention.hotDays} d x ${COST_SIZES.naiveReadingItem + COST_SIZES.dynamodbItemOverhead} B + status and state`;
  return [
    ...readings,
    priced('dynamodb.statusWrites', 'DynamoDB', 'asset status writes (+ byLine index)', statusWru / 1e6, 'dynamodb.writeRequestUnits',
      `${n(load.assets)} assets x min(${n(load.readingsPerSecondPerSensor)} messages/s, 1 per ${config.detection.statusHeartbeatSeconds} s heartbeat) x 2 WRU + thing links`),
    priced('dynamodb.checkpointWrites', 'DynamoDB', 'detector checkpoints', (load.assets * checkpointsPerAssetSecond * stateWru * MONTH.seconds) / 1e6, 'dynamodb.writeRequestUnits',
      `${n(load.assets)} assets x min(${n(load.readingsPerSecondPerSensor)} messages/s, 1 per ${checkpointInterval} s) x ${stateWru} WRU (${stateBytes} B of state)`),
    priced('dynamodb.leaseClaims', 'DynamoDB', 'shard lease claims', (load.processorInvocationsPerSecond * MONTH.seconds) / 1e6, 'dynamodb.writeRequestUnits',
      `${n(load.processorInvocationsPerSecond)} processor invocations/s x 1 WRU`),
    priced('dynamodb.reads', 'DynamoDB', 'checkpoint restores (consistent)', (load.assets * recycles) / 1e6, 'dynamodb.readRequestUnits',
      `${n(load.assets)} assets x ${COST_ASSUMPTIONS.containerRecyclesPerDay} recycles/day x 1 RRU`),
    {
      ...priced('dynamodb.storage', 'DynamoDB', 'storage', tables.reduce((sum, table) => sum + table.itemBytes + table.indexBytes, 0) / GIB, 'dynamodb.storageGbMonth', storageBasis),
      resources: tableNames,
    },
    // Point-in-time recovery bills each table's own size, not its global indexes' copies.
    {
      ...priced('dynamodb.pitr', 'DynamoDB', `point-in-time recovery (${tables.length} tables)`, tables.reduce((sum, table) => sum + table.itemBytes, 0) / GIB, 'dynamodb.pitrGbMonth',
        `table data without global indexes: ${tables.map((table) => `${table.label} ${n(table.itemBytes / GIB)} GB`).join(' + ')}`),
      resources: tableNames,
    },
  ];
}

function firehoseLines(load: CostLoad): CostLine[] {
  const rounded = ceilDiv(load.bytesPerRecord, COST_SIZES.firehoseRecordRounding) * COST_SIZES.firehoseRecordRounding;
  return [
    priced('firehose.ingested', 'Firehose', 'ingested (records rounded to 5 KB)', (load.recordsPerSecond * MONTH.seconds * rounded) / GIB, 'firehose.ingestedGb',
      `${n(load.recordsPerSecond)} records/s x ${rounded / KIB} KB (${load.bytesPerRecord} B rounded up)`),
  ];
}

const STORAGE_PRICE: Record<'STANDARD' | ArchiveStorageClass, { key: PriceKey; transition?: PriceKey; label: string }> = {
  STANDARD: { key: 's3.standardGbMonth', label: 'Standard' },
  STANDARD_IA: { key: 's3.standardIaGbMonth', transition: 's3.transitionToIa', label: 'Standard-IA' },
  GLACIER_IR: { key: 's3.glacierIrGbMonth', transition: 's3.transitionToGlacierIr', label: 'Glacier IR' },
  DEEP_ARCHIVE: { key: 's3.deepArchiveGbMonth', transition: 's3.transitionToDeepArchive', label: 'Deep Archive' },
};

/** The archive at steady state (after archiveYears): each class holds the days of data the lifecycle keeps in it. */
function s3Lines(config: EnvironmentConfig, load: CostLoad, capacity: CapacityPlan): CostLine[] {
  const expiryDays = rawExpirationDays(config.retention.archiveYears);
  const transitions = rawTransitions(config.retention.archiveTiers);
  const steps = [{ days: 0, storageClass: 'STANDARD' as const }, ...transitions];
  const lines: CostLine[] = [];
  const flushSeconds = Math.min(FIREHOSE_BUFFERING.intervalSeconds, (FIREHOSE_BUFFERING.sizeMb * MIB) / capacity.ingressBytesPerSecond);
  const objects = MONTH.seconds / flushSeconds;
  steps.forEach((step, index) => {
    const until = steps[index + 1]?.days ?? expiryDays;
    const price = STORAGE_PRICE[step.storageClass];
    lines.push(
      priced(`s3.${step.storageClass}`, 'S3', `${price.label}, days ${step.days}-${until}`, (load.archiveGzBytesPerDay * (until - step.days)) / GIB, price.key,
        `${n(load.archiveGzBytesPerDay / GIB)} GB/day (GZIP ${COST_ASSUMPTIONS.gzipRatio}:1) x ${until - step.days} days`),
    );
  });
  lines.push(priced('s3.puts', 'S3', 'PUT requests (Firehose objects)', objects / 1000, 's3.putRequests', `one object per ${n(flushSeconds)} s (64 MB or 300 s buffer)`));
  for (const step of transitions) {
    const transition = STORAGE_PRICE[step.storageClass].transition;
    if (transition !== undefined) lines.push(priced(`s3.to.${step.storageClass}`, 'S3', `transitions to ${STORAGE_PRICE[step.storageClass].label}`, objects / 1000, transition, `${n(objects)} objects a month`));
  }
  return lines;
}

function cloudwatchLines(config: EnvironmentConfig, names: PlatformNames, load: CostLoad, capacity: CapacityPlan): CostLine[] {
  const emf = EMITTED_METRICS.processor.length + EMITTED_METRICS.storer.length;
  const shardMetrics = SHARD_LEVEL_METRICS.length * load.shards;
  const alarms = alarmTable(config, names, capacity);
  const alarmMetrics = alarms.reduce((sum, row) => sum + alarmMetricCount(row), 0);
  const logBytes = (load.processorInvocationsPerSecond * COST_SIZES.logPerInvocation.processor + load.storerInvocationsPerSecond * COST_SIZES.logPerInvocation.storer) * MONTH.seconds;
  const storedGb = ((logBytes / GIB) * (config.retention.logDays / MONTH.days)) / COST_ASSUMPTIONS.gzipRatio;
  return [
    priced('cloudwatch.metrics', 'CloudWatch', 'custom metrics', emf + shardMetrics, 'cloudwatch.customMetricMonth', `${emf} EMF metrics + ${SHARD_LEVEL_METRICS.length} shard-level metrics x ${load.shards} shards`),
    priced('cloudwatch.alarms', 'CloudWatch', `alarms (${alarms.length})`, alarmMetrics, 'cloudwatch.alarmMetricMonth', `${alarms.length} alarms reading ${alarmMetrics} metrics`),
    priced('cloudwatch.logsIngested', 'CloudWatch', 'logs ingested', logBytes / GIB, 'cloudwatch.logsIngestedGb',
      `${n(load.processorInvocationsPerSecond)} + ${n(load.storerInvocationsPerSecond)} invocations/s x ${COST_SIZES.logPerInvocation.processor} / ${COST_SIZES.logPerInvocation.storer} B`),
    priced('cloudwatch.logsStored', 'CloudWatch', `logs stored (${config.retention.logDays} d)`, storedGb, 'cloudwatch.logsStoredGbMonth', `${config.retention.logDays} days of logs, compressed ${COST_ASSUMPTIONS.gzipRatio}:1`),
    priced('cloudwatch.dashboard', 'CloudWatch', 'dashboard', 1, 'cloudwatch.dashboardMonth', names.dashboard),
  ];
}

function smallLines(config: EnvironmentConfig, load: CostLoad): CostLine[] {
  // Kinesis: the rule's role and three readers per shard; tables, bucket (bucket key), two topics, the queue.
  const callers = 4 * load.shards + 3 + 3 + 2 + 1;
  const kmsRequests = callers * COST_ASSUMPTIONS.kmsCallsPerCallerPerHour * MONTH.hours;
  const alerts = load.assets * COST_ASSUMPTIONS.alertsPerAssetPerDay * MONTH.days;
  const ops = COST_ASSUMPTIONS.opsNotificationsPerMonth;
  const emails = alerts * config.alerts.anomalyEmails.length + ops * config.alerts.opsEmails.length;
  const zones = 3;
  return [
    priced('kms.key', 'KMS', 'platform key', 1, 'kms.keyMonth', 'one key per environment'),
    priced('kms.requests', 'KMS', 'requests', kmsRequests / 10_000, 'kms.requests', `${callers} callers x ${COST_ASSUMPTIONS.kmsCallsPerCallerPerHour}/h (data keys cached ~5 min)`),
    priced('sns.publishes', 'SNS', 'publishes (alerts + alarms)', (alerts + ops) / 1e6, 'sns.publishes', `${n(load.assets)} assets x ${COST_ASSUMPTIONS.alertsPerAssetPerDay} alerts/day + ${ops} alarm notifications`),
    priced('sns.emails', 'SNS', 'e-mail notifications', emails / 100_000, 'sns.emailNotifications', `alerts x ${config.alerts.anomalyEmails.length} + alarms x ${config.alerts.opsEmails.length} recipients`),
    priced('sqs.requests', 'SQS', 'dead-letter queue requests', (COST_ASSUMPTIONS.deadLetteredBatchesPerMonth * 3) / 1e6, 'sqs.requests', `${COST_ASSUMPTIONS.deadLetteredBatchesPerMonth} batches x (send, receive, delete)`),
    priced('vpc.snsEndpointHours', 'VPC', `SNS interface endpoint (${zones} AZs)`, zones * MONTH.hours, 'vpc.interfaceEndpointHour', `${zones} AZs x 730 h (DynamoDB and S3 gateway endpoints are free)`),
    priced('vpc.snsEndpointGb', 'VPC', 'SNS endpoint data', (alerts * COST_SIZES.alertMessage) / GIB, 'vpc.interfaceEndpointGb', `${n(alerts)} alerts x ${COST_SIZES.alertMessage / KIB} KB`),
  ];
}

/**
 * Lambda promises no affinity between a shard and an execution environment. While a shard keeps moving,
 * the processor checkpoints its assets every batch (HANDOFF_EXACT_WINDOW_MS) instead of every
 * DEFAULT_CHECKPOINT_INTERVAL_SECONDS, so that each move restores exactly what was judged: an asset is
 * then checkpointed once per batch it is in, at most once per message.
 */
function exposureOf(config: EnvironmentConfig, load: CostLoad): CostExposure[] {
  const { stateWru } = checkpointSize(config);
  const batchesPerShardSecond = load.processorInvocationsPerSecond / load.shards;
  const checkpointsPerAssetSecond = Math.min(load.readingsPerSecondPerSensor, batchesPerShardSecond);
  const line = priced(
    'dynamodb.checkpointWritesMovingShards',
    'DynamoDB',
    'detector checkpoints, shards moving every batch',
    (load.assets * checkpointsPerAssetSecond * stateWru * MONTH.seconds) / 1e6,
    'dynamodb.writeRequestUnits',
    `${n(load.assets)} assets x ${n(checkpointsPerAssetSecond)}/s (a checkpoint per batch holding the asset) x ${stateWru} WRU`,
  );
  return [{ line, replaces: 'dynamodb.checkpointWrites', watch: 'the dashboard\'s "processor shard handoffs" line (metric ShardHandoffs)' }];
}

function designCost(config: EnvironmentConfig, capacity: CapacityPlan, load: CostLoad, design: Design): DesignCost {
  const names = new PlatformNames(config);
  const lines = [
    ...iotLines(load, design),
    ...kinesisLines(config, load, capacity),
    ...lambdaLines(config, load, design),
    ...dynamodbLines(config, names, load, design),
    ...firehoseLines(load),
    ...s3Lines(config, load, capacity),
    ...cloudwatchLines(config, names, load, capacity),
    ...smallLines(config, load),
  ];
  return { total: lines.reduce((sum, line) => sum + line.usd, 0), lines };
}

/** The derivation printed before the lines: what the quantities rest on. */
function derivationOf(config: EnvironmentConfig, load: CostLoad): string[] {
  const readingsPerSensorMinute = load.readingsPerSecondPerSensor * 60;
  const eventBytes = Math.ceil((load.bytesPerRecord * 4) / 3) + COST_SIZES.lambdaEventPerRecord;
  return [
    `assets          = ${n(load.sensors)} sensors / ${config.capacity.readingsPerMessage} readings per message = ${n(load.assets)} (one message per asset and instant); devices ${n(load.devices)}`,
    `storer batch    = min(${FUNCTION_SETTINGS.storer.batchSize}, 6 MiB / ${eventBytes} B per event record) = ${n(load.storerRecordsPerInvocation)} records; ` +
      `one every ${n(load.storerIntervalSeconds)} s per shard (window ${FUNCTION_SETTINGS.storer.maxBatchingWindowSeconds} s)`,
    `bucket writes   = min(${n(readingsPerSensorMinute)} readings, 60 / ${n(load.storerIntervalSeconds)} s + 1) = ${n(load.bucketWritesPerSensorMinute)} per sensor-minute ` +
      `= ${n(readingsPerSensorMinute / load.bucketWritesPerSensorMinute)} readings per write, ${n(load.wruPerBucketWrite)} WRU each`,
    `archive         = ${n(load.archiveGzBytesPerDay / GIB)} GB/day after GZIP ${COST_ASSUMPTIONS.gzipRatio}:1; S3 at steady state (after ${config.retention.archiveYears} years)`,
    `month           = ${MONTH.hours} h; list prices, no free tier; * = price marked unsure in charts/lib/prices.ts`,
  ];
}

/** The monthly cost of an environment at its capacity plan, with the naive design's cost beside it. */
export function monthlyCost(config: EnvironmentConfig, capacity: CapacityPlan, options: CostOptions = {}): MonthlyCost {
  const load = costLoad(config, capacity, options);
  const platform = designCost(config, capacity, load, 'platform');
  const naive = designCost(config, capacity, load, 'naive');
  return {
    environment: config.environment,
    total: platform.total,
    lines: platform.lines,
    load,
    naive,
    ratio: naive.total / platform.total,
    derivation: derivationOf(config, load),
    exposures: exposureOf(config, load),
  };
}

/** Total per service, in COST_SERVICES order. */
export function totalsByService(lines: readonly CostLine[]): { service: CostService; usd: number }[] {
  return COST_SERVICES.map((service) => ({ service, usd: lines.filter((line) => line.service === service).reduce((sum, line) => sum + line.usd, 0) })).filter((entry) => entry.usd > 0);
}

