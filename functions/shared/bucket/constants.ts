import { ITEM_ATTRIBUTES, TABLE_KEYS } from '../constants';

/**
 * The minute-bucket item of the readings table, one item per sensor per minute: encoded by the storer
 * (functions/storer/encodeBucketItem.ts), decoded by the storer and the read path alike
 * (decodeMinuteBucket.ts). This is the stored format: a changed name or minute leaves every item
 * already written unreadable (or misread) until its TTL.
 */
export const BUCKET_FORMAT = {
  /** Length of a bucket in ms; the sort key is the epoch ms of the UTC minute's start. */
  minuteMs: 60_000,
  /** The attribute that holds each field of a bucket item. */
  attributes: {
    sensorId: TABLE_KEYS.readings.partitionKey,
    minute: TABLE_KEYS.readings.sortKey,
    assetId: 'assetId',
    metric: 'metric',
    /** Absent when no reading of the minute named a unit. */
    unit: 'unit',
    /** The readings, three parallel lists sorted by offset: offset in ms from the minute start, value, quality. */
    ts: 'ts',
    values: 'values',
    qualities: 'qualities',
    /** All readings, BAD included. */
    count: 'count',
    /** The stats (BucketStats) cover the readings that are not BAD; min and max are absent when there is none. */
    statsCount: 'statsCount',
    /** Absent on items written before shifted sums: their sums are of the raw values (shift 0). */
    shift: 'shift',
    sum: 'sum',
    sumSquares: 'sumSquares',
    min: 'min',
    max: 'max',
    /** Optimistic concurrency: incremented on every write, the condition of the next. */
    version: ITEM_ATTRIBUTES.version,
    /** DynamoDB TTL, epoch seconds. */
    expiresAt: TABLE_KEYS.ttlAttribute,
    updatedAt: 'updatedAt',
  },
} as const;

const ATTRIBUTES = BUCKET_FORMAT.attributes;

/**
 * The attributes a read of the read path projects (SeriesReader): `stats` for a roll-up, `stats` and
 * `readings` where it needs the readings too (`raw`, a minute the range cuts).
 */
export const BUCKET_PROJECTIONS = {
  stats: [ATTRIBUTES.minute, ATTRIBUTES.count, ATTRIBUTES.statsCount, ATTRIBUTES.shift, ATTRIBUTES.sum, ATTRIBUTES.sumSquares, ATTRIBUTES.min, ATTRIBUTES.max],
  readings: [ATTRIBUTES.ts, ATTRIBUTES.values, ATTRIBUTES.qualities],
} as const;
