import { LIMITS } from '../shared/constants';
import type { Quality } from '../shared/types';
import type { BucketGroup, BucketItem, BucketOverflow } from './types';

export interface MergeOptions {
  readonly nowMs: number;
  readonly retentionDays: number;
  readonly maxReadings?: number;
}

export interface MergeResult {
  /** The item to write, or undefined when every contribution is already in the bucket. */
  readonly item: BucketItem | undefined;
  readonly appended: number;
  /** Readings of contributions the bucket already holds (a retried or redelivered record). */
  readonly alreadyApplied: number;
  readonly overflow: BucketOverflow[];
}

/**
 * Appends a group's readings to the bucket's current content. A contribution whose sequence number
 * is not above the bucket's highest applied one for its shard is already in the bucket and is
 * skipped: Kinesis delivers a shard in order and a batch writes each bucket in one conditional
 * write, so what a bucket holds from a shard is always a prefix of that shard.
 */
export function mergeIntoBucket(current: BucketItem | undefined, group: BucketGroup, options: MergeOptions): MergeResult {
  const maxReadings = options.maxReadings ?? LIMITS.maxReadingsPerBucket;
  const applied: Record<string, string> = { ...(current?.applied ?? {}) };
  const ts = current ? [...current.ts] : [];
  const values = current ? [...current.values] : [];
  const qualities: Quality[] = current ? [...current.qualities] : [];
  let { statsCount = 0, sum = 0, sumSquares = 0 } = current ?? {};
  let min = current?.min ?? Infinity;
  let max = current?.max ?? -Infinity;
  let unit = current?.unit;
  let appended = 0;
  let alreadyApplied = 0;
  let changed = false;
  const overflow: BucketOverflow[] = [];

  for (const contribution of group.contributions) {
    const highest = applied[contribution.origin.shardId];
    if (highest !== undefined && BigInt(highest) >= contribution.sequenceNumber) {
      alreadyApplied += contribution.readings.length;
      continue;
    }
    changed = true;
    applied[contribution.origin.shardId] = contribution.sequenceNumber.toString();
    const room = Math.max(0, maxReadings - ts.length);
    const fitting = contribution.readings.length <= room ? contribution.readings : contribution.readings.slice(0, room);
    if (fitting.length < contribution.readings.length) {
      overflow.push({ contribution, readings: contribution.readings.slice(fitting.length) });
    }
    for (const reading of fitting) {
      ts.push(reading.ts - group.minute);
      values.push(reading.value);
      qualities.push(reading.quality);
      if (unit === undefined && reading.unit !== undefined) unit = reading.unit;
      if (reading.quality !== 'BAD') {
        statsCount += 1;
        sum += reading.value;
        sumSquares += reading.value * reading.value;
        if (reading.value < min) min = reading.value;
        if (reading.value > max) max = reading.value;
      }
    }
    appended += fitting.length;
  }
  if (!changed) return { item: undefined, appended: 0, alreadyApplied, overflow };

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
    statsCount,
    ...(statsCount > 0 ? { min, max } : {}),
    sum,
    sumSquares,
    applied,
    version: (current?.version ?? 0) + 1,
    // TTL counts from the end of the minute, so a bucket lives the full retention.
    expiresAt: Math.floor((group.minute + 60_000) / 1000) + options.retentionDays * 86_400,
    updatedAt: options.nowMs,
  };
  return { item, appended, alreadyApplied, overflow };
}
