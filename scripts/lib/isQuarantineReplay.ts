import type { QuarantineReplayOptions, RedriveOptions } from './redriveArgs';

/** Which command the options are for. */
export function isQuarantineReplay(options: RedriveOptions | QuarantineReplayOptions): options is QuarantineReplayOptions {
  return 'quarantine' in options;
}
