import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { QUALITIES } from '../constants';
import { CorruptItemError } from '../errors';
import type { MinuteBucket } from '../query/types';
import type { Quality } from '../types';
import { BUCKET_FORMAT } from './constants';
import type { BucketPart, StoredBucket } from './types';

type Item = Record<string, AttributeValue>;

const ATTRIBUTES = BUCKET_FORMAT.attributes;

function num(item: Item, name: string): number {
  const value = item[name]?.N;
  if (value === undefined) throw new CorruptItemError(`bucket item attribute ${name} is not a number`);
  return Number(value);
}

function str(item: Item, name: string): string {
  const value = item[name]?.S;
  if (value === undefined) throw new CorruptItemError(`bucket item attribute ${name} is not a string`);
  return value;
}

function list(item: Item, name: string): AttributeValue[] {
  const value = item[name]?.L;
  if (value === undefined) throw new CorruptItemError(`bucket item attribute ${name} is not a list`);
  return value;
}

function numbers(item: Item, name: string): number[] {
  return list(item, name).map((element, index) => {
    if (element.N === undefined) throw new CorruptItemError(`bucket item attribute ${name} holds a non-number at index ${index}`);
    return Number(element.N);
  });
}

const KNOWN_QUALITIES: ReadonlySet<string> = new Set(QUALITIES);

function qualities(item: Item, name: string): Quality[] {
  return list(item, name).map((element, index) => {
    const value = element.S;
    if (value === undefined) throw new CorruptItemError(`bucket item attribute ${name} holds a non-string at index ${index}`);
    if (!KNOWN_QUALITIES.has(value)) throw new CorruptItemError(`bucket item attribute ${name} holds ${JSON.stringify(value)} at index ${index}, not one of ${QUALITIES.join(', ')}`);
    return value as Quality;
  });
}

/**
 * The three parallel lists. Checked element by element and for equal lengths: the merge pairs them by
 * index and sorts them by offset, so a list one entry longer gave a new reading another one's value, and
 * a string element read as NaN.
 */
function readingLists(item: Item): NonNullable<MinuteBucket['readings']> {
  const ts = numbers(item, ATTRIBUTES.ts);
  const values = numbers(item, ATTRIBUTES.values);
  const quality = qualities(item, ATTRIBUTES.qualities);
  for (const [name, other] of [[ATTRIBUTES.values, values], [ATTRIBUTES.qualities, quality]] as const) {
    if (other.length !== ts.length) throw new CorruptItemError(`bucket item attribute ${name} has ${other.length} entries, ${ATTRIBUTES.ts} has ${ts.length}`);
  }
  return { ts, values, qualities: quality };
}

/**
 * Decodes a bucket item (BUCKET_FORMAT), the one decoder of the storer and the read path: `stats` its
 * stats (an item projected to BUCKET_PROJECTIONS.stats), `readings` the readings too, `whole` everything
 * the storer wrote. Throws CorruptItemError, naming the attribute, if it is not an item this code wrote.
 * An item written before shifted sums has no shift: its sums are of the raw values, that is about 0, so
 * it reads as before without a migration.
 */
export function decodeMinuteBucket(item: Item, part: 'whole'): StoredBucket;
export function decodeMinuteBucket(item: Item, part: BucketPart): MinuteBucket;
export function decodeMinuteBucket(item: Item, part: BucketPart): MinuteBucket {
  const min = item[ATTRIBUTES.min]?.N;
  const max = item[ATTRIBUTES.max]?.N;
  const shift = item[ATTRIBUTES.shift]?.N;
  const stats: MinuteBucket = {
    minute: num(item, ATTRIBUTES.minute),
    count: num(item, ATTRIBUTES.count),
    statsCount: num(item, ATTRIBUTES.statsCount),
    shift: shift === undefined ? 0 : Number(shift),
    sum: num(item, ATTRIBUTES.sum),
    sumSquares: num(item, ATTRIBUTES.sumSquares),
    ...(min === undefined ? {} : { min: Number(min) }),
    ...(max === undefined ? {} : { max: Number(max) }),
  };
  if (part === 'stats') return stats;
  const readings = readingLists(item);
  if (part === 'readings') return { ...stats, readings };
  const unit = item[ATTRIBUTES.unit]?.S;
  const whole: StoredBucket = {
    sensorId: str(item, ATTRIBUTES.sensorId),
    assetId: str(item, ATTRIBUTES.assetId),
    metric: str(item, ATTRIBUTES.metric),
    ...(unit === undefined ? {} : { unit }),
    ...stats,
    readings,
    version: num(item, ATTRIBUTES.version),
    expiresAt: num(item, ATTRIBUTES.expiresAt),
    updatedAt: num(item, ATTRIBUTES.updatedAt),
  };
  return whole;
}
