import { EnvironmentConfig } from './config';

/** Kinesis limits the sizing rests on. */
export const KINESIS_LIMITS = {
  /** Per shard, in: 1 MB/s (1 MiB) and 1,000 records/s. */
  shardWriteBytesPerSecond: 1_048_576,
  shardWriteRecordsPerSecond: 1_000,
  /** Per shard, out: 2 MB/s shared by every shared-throughput consumer. */
  shardReadBytesPerSecond: 2_097_152,
  /** Default shard quota per account in sa-east-1 (regions other than us-east-1, us-west-2, eu-west-1). */
  maxShards: 200,
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

/** Derives the shard count; throws when the stream would exceed the quota. */
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
  if (!onDemand && shardCount > KINESIS_LIMITS.maxShards) {
    throw new Error(
      `${config.sourceFile}: capacity: needs ${shardCount} shards, above the sa-east-1 quota of ${KINESIS_LIMITS.maxShards}; ` +
        'set capacity.onDemand: true or lower the inputs',
    );
  }


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
