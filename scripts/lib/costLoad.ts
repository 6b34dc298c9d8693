import { CapacityPlan } from '../../charts/lib/capacity';
import { EnvironmentConfig } from '../../charts/lib/config';
import { FUNCTION_SETTINGS } from '../../charts/processing';
import { bucketWritesPerSensorMinute } from './bucketWritesPerSensorMinute';
import { COST_ASSUMPTIONS, COST_SIZES, type CostLoad, type CostOptions } from './cost';
import { wruPerBucketWrite } from './wruPerBucketWrite';

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
