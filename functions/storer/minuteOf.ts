import { BUCKET_FORMAT } from '../shared/bucket/constants';

/** Sort key of a reading's bucket: the epoch ms of its minute's start. */
export function minuteOf(ts: number): number {
  return Math.floor(ts / BUCKET_FORMAT.minuteMs) * BUCKET_FORMAT.minuteMs;
}
