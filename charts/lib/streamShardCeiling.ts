import { CapacityPlan } from './capacity';
import { EnvironmentConfig } from './config';
import { KINESIS_ON_DEMAND } from './constants';

/**
 * The most shards the stream holds at the plan's peak: the plan's count when provisioned. On demand, AWS
 * picks the count: at least the 4 a new stream starts with, or the plan's count a stream switched from
 * provisioned keeps, and about twice the shards the peak writes need once it has split for them. An alarm
 * that scales with the shards takes this, so it does not fire on a stream bigger than the plan says.
 */
export function streamShardCeiling(config: EnvironmentConfig, capacity: CapacityPlan): number {
  if (capacity.streamMode === 'PROVISIONED') return capacity.shardCount;
  const peakWriteShards = Math.max(capacity.shardsForWriteBytes, capacity.shardsForWriteRecords) * config.capacity.headroom;
  return Math.max(KINESIS_ON_DEMAND.initialShards, capacity.shardCount, Math.ceil(peakWriteShards * KINESIS_ON_DEMAND.shardsPerWriteShard));
}
