import { BUCKET_FORMAT } from '../shared/bucket/constants';
import { bucketStats } from '../shared/bucketStats';
import { LIMITS } from '../shared/constants';
import { expiresAtSeconds } from '../shared/expiresAtSeconds';
import type { Quality, Reading } from '../shared/types';
import type { BucketGroup, BucketItem, BucketOverflow } from './types';

export interface MergeOptions {
  readonly nowMs: number;
  readonly retentionDays: number;
  readonly maxReadings?: number;
}

export interface MergeResult {
  /** The item to write, or undefined when no reading was added (all already there, or set aside). */
  readonly item: BucketItem | undefined;
  readonly appended: number;
  /** Readings of contributions the bucket already holds (a retried or redelivered record). */
  readonly alreadyApplied: number;
  /** Readings a later reading of the same sensor and timestamp in the same record replaced (the later one wins, as in the processor). */
  readonly superseded: number;
  readonly overflow: BucketOverflow[];
}

/**
 * Adds a group's readings to the bucket's current content. A reading is identified by its sensor and
 * timestamp, so one already in the bucket is skipped whatever brought it again: a retried batch, a
 * redelivered record, a redrive of a dead-lettered batch after later records reached the same
 * bucket, or a device resending a message. (A high-water mark of sequence numbers would wrongly skip
 * a redriven batch that is older than what the bucket already holds.) Within one record, two readings
 * of the sensor at one timestamp are one reading and a correction: the later one wins, as it does in
 * the processor's sample, so the hot tier holds the value the detector judged. The lists stay sorted by offset.
 * The stats are recomputed from the merged lists (bucketStats says why), which a write copies and
 * encodes whole anyway.
 */
export function mergeIntoBucket(current: BucketItem | undefined, group: BucketGroup, options: MergeOptions): MergeResult {
  const maxReadings = options.maxReadings ?? LIMITS.maxReadingsPerBucket;
  const ts = current ? [...current.ts] : [];
  const values = current ? [...current.values] : [];
  const qualities: Quality[] = current ? [...current.qualities] : [];
  const present = new Set(ts);
  let unit = current?.unit;
  let appended = 0;
  let alreadyApplied = 0;
  let superseded = 0;
  let sorted = true;
  const overflow: BucketOverflow[] = [];

  for (const contribution of group.contributions) {
    const setAside: Reading[] = [];
    /** Offsets this record appended, with their place in the lists. */
    const appendedHere = new Map<number, number>();
    for (const reading of contribution.readings) {
      const offset = reading.ts - group.minute;
      const earlier = appendedHere.get(offset);
      if (earlier !== undefined) {
        values[earlier] = reading.value;
        qualities[earlier] = reading.quality;
        superseded += 1;
        continue;
      }
      if (present.has(offset)) {
        alreadyApplied += 1;
        continue;
      }
      if (ts.length >= maxReadings) {
        setAside.push(reading);
        continue;
      }
      present.add(offset);
      appendedHere.set(offset, ts.length);
      if (ts.length > 0 && offset < ts[ts.length - 1]) sorted = false;
      ts.push(offset);
      values.push(reading.value);
      qualities.push(reading.quality);
      if (unit === undefined && reading.unit !== undefined) unit = reading.unit;
      appended += 1;
    }
    if (setAside.length > 0) overflow.push({ contribution, readings: setAside });
  }
  if (appended === 0) return { item: undefined, appended: 0, alreadyApplied, superseded, overflow };
  if (!sorted) sortByOffset(ts, values, qualities);

  const item: BucketItem = {
    sensorId: group.sensorId,
    minute: group.minute,
    assetId: group.assetId,
    metric: group.metric,
    ...(unit === undefined ? {} : { unit }),
    ts,
    values,
    qualities,
    count: ts.length,
    ...bucketStats(values, qualities),
    version: (current?.version ?? 0) + 1,
    // TTL counts from the end of the minute, so a bucket lives the full retention.
    expiresAt: expiresAtSeconds(group.minute + BUCKET_FORMAT.minuteMs, options.retentionDays),
    updatedAt: options.nowMs,
  };
  return { item, appended, alreadyApplied, superseded, overflow };
}

/** Sorts the three parallel lists by offset (only a late or redriven reading puts them out of order). */
function sortByOffset(ts: number[], values: number[], qualities: Quality[]): void {
  const order = ts.map((_, index) => index).sort((a, b) => ts[a] - ts[b]);
  const [sortedTs, sortedValues, sortedQualities] = [order.map((i) => ts[i]), order.map((i) => values[i]), order.map((i) => qualities[i])];
  ts.splice(0, ts.length, ...sortedTs);
  values.splice(0, values.length, ...sortedValues);
  qualities.splice(0, qualities.length, ...sortedQualities);
}
