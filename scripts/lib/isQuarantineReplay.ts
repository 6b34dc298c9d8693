import type { QuarantineReplayOptions, RedriveOptions, ShardRangeOptions } from './redriveArgs';

/** Which command the options are for. */
export function isQuarantineReplay(options: RedriveOptions | QuarantineReplayOptions | ShardRangeOptions): options is QuarantineReplayOptions {
  return 'quarantine' in options;
}
