import { ReplayUsageError } from './replayErrors';

export const REPLAY_FORMATS = ['skab', 'csv'] as const;
export type ReplayFormat = (typeof REPLAY_FORMATS)[number];

export function parseReplayFormat(value: string | undefined): ReplayFormat {
  if (value === undefined) throw new ReplayUsageError(`--format needs a value (${REPLAY_FORMATS.join(' or ')})`);
  if (!(REPLAY_FORMATS as readonly string[]).includes(value)) {
    throw new ReplayUsageError(`unknown format "${value}" (expected ${REPLAY_FORMATS.join(' or ')})`);
  }
  return value as ReplayFormat;
}
