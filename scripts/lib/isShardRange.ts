import type { QuarantineReplayOptions, RedriveOptions, ShardRangeOptions } from './redriveArgs';

/** Whether the options name a shard range (--shard). */
export function isShardRange(options: RedriveOptions | QuarantineReplayOptions | ShardRangeOptions): options is ShardRangeOptions {
  return 'shardId' in options;
}
