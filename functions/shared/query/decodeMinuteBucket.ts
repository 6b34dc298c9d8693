import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { TABLE_KEYS } from '../constants';
import { TelemetryError } from '../errors';
import type { Quality } from '../types';
import type { MinuteBucket } from './types';

type Item = Record<string, AttributeValue>;

/** The bucket item attributes the read path uses, as the storer writes them (functions/storer/bucketItemCodec.ts). */
export const BUCKET_ATTRIBUTES = {
  stats: [TABLE_KEYS.readings.sortKey, 'count', 'statsCount', 'shift', 'sum', 'sumSquares', 'min', 'max'],
  readings: ['ts', 'values', 'qualities'],
} as const;

function num(item: Item, name: string): number {
  const value = item[name]?.N;
  if (value === undefined) throw new TelemetryError(`bucket item attribute ${name} is not a number`);
  return Number(value);
}

function list(item: Item, name: string): AttributeValue[] {
  const value = item[name]?.L;
  if (value === undefined) throw new TelemetryError(`bucket item attribute ${name} is not a list`);
  return value;
}

/**
 * A bucket item (or its stats-only projection) as a MinuteBucket; `withReadings` decodes the three
 * lists too. An item written before shifted sums has no shift: its sums are of the raw values, that
 * is about 0, so it reads as before without a migration.
 */
export function decodeMinuteBucket(item: Item, withReadings: boolean): MinuteBucket {
  const min = item.min?.N;
  const max = item.max?.N;
  const shift = item.shift?.N;
  return {
    minute: num(item, TABLE_KEYS.readings.sortKey),
    count: num(item, 'count'),
    statsCount: num(item, 'statsCount'),
    shift: shift === undefined ? 0 : Number(shift),
    sum: num(item, 'sum'),
    sumSquares: num(item, 'sumSquares'),
    ...(min === undefined ? {} : { min: Number(min) }),
    ...(max === undefined ? {} : { max: Number(max) }),
    ...(withReadings
      ? {
          readings: {
            ts: list(item, 'ts').map((v) => Number(v.N)),
            values: list(item, 'values').map((v) => Number(v.N)),
            qualities: list(item, 'qualities').map((v) => v.S as Quality),
          },
        }
      : {}),
  };
}
