import { ConfigError, EnvironmentConfig } from './config';

/** Kinesis limits the sizing rests on. */
export const KINESIS_LIMITS = {
  /** Per shard, in: 1 MB/s (1 MiB) and 1,000 records/s. */
  shardWriteBytesPerSecond: 1_048_576,
  shardWriteRecordsPerSecond: 1_000,
  /** Per shard, out: 2 MB/s shared by every shared-throughput consumer. */
  shardReadBytesPerSecond: 2_097_152,
  /**
   * The platform's cap on a provisioned stream. Kinesis itself allows more: its default shard quota outside
   * us-east-1, us-west-2 and eu-west-1 is 1,000 (or 6,000) shards per account, shared by the account's streams
   * (AWS, "Quotas and limits - Amazon Kinesis Data Streams", checked 2026-12-03). Lambda binds first: the processor
   * and the storer each run one invocation per shard, so 200 shards take 400 of the account's default 1,000
   * concurrent executions and leave the rest to the query functions and other workloads.
   */
  maxProvisionedShards: 200,
  /**
   * An on-demand stream outside us-east-1, us-west-2 and eu-west-1, so in sa-east-1, scales up to 200 MB/s of
   * writes and 400 MB/s of reads (same AWS page; more only through a support case). Its shards keep the
   * per-shard limits above, so that is 200 shards' worth: 200 MiB/s and 200,000 records/s in, 400 MiB/s out to
   * the shared-throughput readers.
   */
  onDemandShardEquivalents: 200,
} as const;

export const SIZING = {
  /**
   * Bytes the topic rule adds to each message (plantId, lineId, thingName, clientId, receivedAt) plus the
   * JSON envelope of the device payload (schemaVersion, assetId, seq, brackets).
   */
  envelopeBytesPerRecord: 250,
  /**
   * Readers of the stream: processor, storer, Firehose. They share each shard's 2 MB/s, except the processor
   * once it reads through its enhanced fan-out consumer (capacity.processorConsumerArn), which has its own.
   */
  streamConsumers: 3,
  /**
   * Processor time, ms, per record and per reading it carries. `npm run bench` measures about 0.045 ms
   * per 8-reading record against local emulators (p99 of a 1,000-record batch); in AWS the DynamoDB
   * and SNS round trips of a batch dominate, so the plan allows about ten times that.
   */
  processorMsPerRecord: 0.1,
  processorMsPerReading: 0.05,
  /**
   * Target busy share of the one processor invocation a shard gets: the rest absorbs bursts without
   * backlog. More processing means more shards, never several batches of one shard at once: the
   * processor's detector state and shard lease need a shard's batches one after the other.
   */
  processorUtilisation: 0.5,
} as const;

/** The stream and mapping sizes derived from the capacity inputs of one environment. */
export interface CapacityPlan {
  readonly readingsPerSecond: number;
  readonly recordsPerSecond: number;
  readonly bytesPerRecord: number;
  readonly ingressBytesPerSecond: number;
  readonly shardsForWriteBytes: number;
  readonly shardsForWriteRecords: number;
  /** Readers sharing each shard's 2 MB/s: all of them, or all but the processor on its fan-out consumer. */
  readonly sharedReadConsumers: number;
  readonly shardsForReads: number;
  /** Shards that keep one processor invocation per shard at SIZING.processorUtilisation. */
  readonly shardsForProcessing: number;
  /** Shard count in provisioned mode; with on-demand mode, the count the plan would have needed. */
  readonly shardCount: number;
  readonly streamMode: 'PROVISIONED' | 'ON_DEMAND';
  /** Human-readable arithmetic, printed at synth and quoted in the README. */
  readonly derivation: readonly string[];
}

const round = (value: number, digits = 3): number => Number(value.toFixed(digits));

/** Shards each limit needs per sensor at steady state: every need is proportional to the sensor count. */
interface ShardNeedsPerSensor {
  readonly writeBytes: number;
  readonly writeRecords: number;
  readonly reads: number;
  readonly processing: number;
}

function shardNeedsPerSensor(capacity: EnvironmentConfig['capacity'], sharedReadConsumers: number): ShardNeedsPerSensor {
  const recordsPerSecond = capacity.readingsPerSecondPerSensor / capacity.readingsPerMessage;
  const ingressBytesPerSecond = recordsPerSecond * (capacity.readingsPerMessage * capacity.bytesPerReading + SIZING.envelopeBytesPerRecord);
  const msPerRecord = SIZING.processorMsPerRecord + SIZING.processorMsPerReading * capacity.readingsPerMessage;
  return {
    writeBytes: ingressBytesPerSecond / KINESIS_LIMITS.shardWriteBytesPerSecond,
    writeRecords: recordsPerSecond / KINESIS_LIMITS.shardWriteRecordsPerSecond,
    reads: (ingressBytesPerSecond * sharedReadConsumers) / KINESIS_LIMITS.shardReadBytesPerSecond,
    processing: (recordsPerSecond * msPerRecord) / 1000 / SIZING.processorUtilisation,
  };
}

/** Most sensors whose need, `perSensor` x sensors, stays within `limit` (floating point checked both ways). */
function maxSensorsWithin(limit: number, perSensor: number, need: (sensors: number) => number): number {
  let sensors = Math.floor(limit / perSensor);
  while (sensors > 0 && need(sensors) > limit) sensors -= 1;
  while (need(sensors + 1) <= limit) sensors += 1;
  return sensors;
}

/**
 * The sizing inputs besides the sensor count, as an error names them: the fields that drive a need beyond a
 * limit, reported on `capacity.sensors` with the most sensors that fit.
 */
function drivers(capacity: EnvironmentConfig['capacity']): string {
  return (
    `with capacity.readingsPerSecondPerSensor ${capacity.readingsPerSecondPerSensor}, readingsPerMessage ${capacity.readingsPerMessage}, ` +
    `bytesPerReading ${capacity.bytesPerReading} and headroom ${capacity.headroom}`
  );
}

/**
 * On-demand capacity: AWS scales the stream to its writes, up to KINESIS_LIMITS.onDemandShardEquivalents; the
 * peak (steady state x headroom) of writes and shared reads must fit. Processing is not a stream limit.
 */
function onDemandShardEquivalents(needs: ShardNeedsPerSensor, sensors: number, headroom: number): number {
  return Math.max(needs.writeBytes, needs.writeRecords, needs.reads) * sensors * headroom;
}

function checkOnDemand(config: EnvironmentConfig, needs: ShardNeedsPerSensor, sharedReadConsumers: number): void {
  const { sensors, headroom } = config.capacity;
  const limit = KINESIS_LIMITS.onDemandShardEquivalents;
  if (onDemandShardEquivalents(needs, sensors, headroom) <= limit) return;
  const perSensor = onDemandShardEquivalents(needs, 1, headroom);
  const ingress = needs.writeBytes * KINESIS_LIMITS.shardWriteBytesPerSecond * sensors * headroom;
  const records = needs.writeRecords * KINESIS_LIMITS.shardWriteRecordsPerSecond * sensors * headroom;
  throw new ConfigError(
    config.sourceFile,
    'capacity.sensors',
    sensors,
    `${drivers(config.capacity)} the stream would take ${round(ingress, 0)} B/s and ${round(records, 0)} records/s in and give ` +
      `${round(ingress * sharedReadConsumers, 0)} B/s to its ${sharedReadConsumers} shared readers at peak, over what an on-demand stream takes in ${config.region}: ` +
      `${limit * KINESIS_LIMITS.shardWriteBytesPerSecond} B/s and ${limit * KINESIS_LIMITS.shardWriteRecordsPerSecond} records/s in, ` +
      `${limit * KINESIS_LIMITS.shardReadBytesPerSecond} B/s out; at most ${maxSensorsWithin(limit, perSensor, (n) => onDemandShardEquivalents(needs, n, headroom))} sensors fit`,
  );
}

/** Shards of a provisioned stream: the largest need at peak, at least one. */
function provisionedShards(needs: ShardNeedsPerSensor, sensors: number, headroom: number): number {
  return Math.max(1, Math.ceil(Math.max(needs.writeBytes, needs.writeRecords, needs.reads, needs.processing) * sensors * headroom));
}

function checkProvisioned(config: EnvironmentConfig, needs: ShardNeedsPerSensor, shardCount: number): void {
  const { sensors, headroom } = config.capacity;
  const limit = KINESIS_LIMITS.maxProvisionedShards;
  if (shardCount <= limit) return;
  const perSensor = Math.max(needs.writeBytes, needs.writeRecords, needs.reads, needs.processing) * headroom;
  // No pointer to capacity.onDemand: an on-demand stream tops out at the same 200 shards' worth of writes and
  // reads, and AWS sizes it to the writes, so a processing-bound load would get fewer shards than it needs.
  throw new ConfigError(
    config.sourceFile,
    'capacity.sensors',
    sensors,
    `${drivers(config.capacity)} the stream needs ${shardCount} shards, over the platform's ${limit} (the processor and the storer each run one ` +
      `Lambda invocation per shard); at most ${maxSensorsWithin(limit, perSensor, (n) => provisionedShards(needs, n, headroom))} sensors fit`,
  );
}

/**
 * Derives the shard count; a ConfigError on `capacity.sensors` when the peak is beyond what the stream can
 * take: the platform's provisioned cap, or the on-demand limits of sa-east-1.
 */
export function planCapacity(config: EnvironmentConfig): CapacityPlan {
  const { sensors, readingsPerSecondPerSensor, bytesPerReading, readingsPerMessage, headroom, onDemand } = config.capacity;
  const readingsPerSecond = sensors * readingsPerSecondPerSensor;
  const recordsPerSecond = readingsPerSecond / readingsPerMessage;
  const bytesPerRecord = readingsPerMessage * bytesPerReading + SIZING.envelopeBytesPerRecord;
  const ingressBytesPerSecond = recordsPerSecond * bytesPerRecord;

  const shardsForWriteBytes = ingressBytesPerSecond / KINESIS_LIMITS.shardWriteBytesPerSecond;
  const shardsForWriteRecords = recordsPerSecond / KINESIS_LIMITS.shardWriteRecordsPerSecond;
  const processorOnFanOut = config.capacity.processorConsumerArn !== undefined;
  const sharedReadConsumers = processorOnFanOut ? SIZING.streamConsumers - 1 : SIZING.streamConsumers;
  const shardsForReads = (ingressBytesPerSecond * sharedReadConsumers) / KINESIS_LIMITS.shardReadBytesPerSecond;
  const msPerRecord = SIZING.processorMsPerRecord + SIZING.processorMsPerReading * readingsPerMessage;
  const shardsForProcessing = (recordsPerSecond * msPerRecord) / 1000 / SIZING.processorUtilisation;
  const shardCount = Math.max(1, Math.ceil(Math.max(shardsForWriteBytes, shardsForWriteRecords, shardsForReads, shardsForProcessing) * headroom));
  const needs = shardNeedsPerSensor(config.capacity, sharedReadConsumers);
  if (onDemand) checkOnDemand(config, needs, sharedReadConsumers);
  else checkProvisioned(config, needs, shardCount);

  const derivation = [
    `readings/s      = ${sensors} sensors x ${readingsPerSecondPerSensor}/s = ${round(readingsPerSecond)}`,
    `records/s       = ${round(readingsPerSecond)} / ${readingsPerMessage} readings per message = ${round(recordsPerSecond)}`,
    `bytes/record    = ${readingsPerMessage} x ${bytesPerReading} B + ${SIZING.envelopeBytesPerRecord} B envelope = ${bytesPerRecord}`,
    `ingress B/s     = ${round(recordsPerSecond)} x ${bytesPerRecord} = ${round(ingressBytesPerSecond, 0)}`,
    `shards (write)  = max(${round(ingressBytesPerSecond, 0)} / 1 MiB, ${round(recordsPerSecond)} / 1000) = ${round(Math.max(shardsForWriteBytes, shardsForWriteRecords))}`,
    `shards (read)   = ${round(ingressBytesPerSecond, 0)} x ${sharedReadConsumers} consumers / 2 MiB = ${round(shardsForReads)}` +
      (processorOnFanOut ? ' (the processor reads through its enhanced fan-out consumer, outside the shared 2 MiB)' : ''),
    `ms/record       = ${SIZING.processorMsPerRecord} + ${SIZING.processorMsPerReading} x ${readingsPerMessage} readings = ${round(msPerRecord)} (processor)`,
    `shards (process)= ${round(recordsPerSecond)} x ${round(msPerRecord)} ms / 1000 / ${SIZING.processorUtilisation} utilisation = ${round(shardsForProcessing)} (one processor batch per shard at a time)`,
    `shards          = ceil(max(write, read, process) x ${headroom} headroom) = ${shardCount}` +
      (onDemand ? ' (stream runs ON_DEMAND: AWS scales it; the figure is for reference)' : ''),
  ];

  return {
    readingsPerSecond,
    recordsPerSecond,
    bytesPerRecord,
    ingressBytesPerSecond,
    shardsForWriteBytes,
    shardsForWriteRecords,
    sharedReadConsumers,
    shardsForReads,
    shardsForProcessing,
    shardCount,
    streamMode: onDemand ? 'ON_DEMAND' : 'PROVISIONED',
    derivation,
  };
}
