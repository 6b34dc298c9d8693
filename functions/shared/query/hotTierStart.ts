import { BUCKET_FORMAT } from '../bucket/constants';

const DAY_MS = 86_400_000;

/**
 * The oldest minute the hot tier still holds for sure at `now` (epoch ms): the storer gives a minute
 * bucket a TTL of `hotDays` after the minute's end, so the minute containing `now − hotDays` has not
 * expired. Older minutes may still be read until DynamoDB's TTL sweep reaches them, which can take days:
 * a range before this start can come back partly empty, and its readings are the archive's (Athena).
 */
export function hotTierStart(now: number, hotDays: number): number {
  const minuteMs = BUCKET_FORMAT.minuteMs;
  return Math.floor((now - hotDays * DAY_MS) / minuteMs) * minuteMs;
}
