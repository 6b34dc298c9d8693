import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { BUCKET_PROJECTIONS } from '../../../../functions/shared/bucket/constants';
import { decodeMinuteBucket } from '../../../../functions/shared/bucket/decodeMinuteBucket';
import { MissingReadingsError } from '../../../../functions/shared/errors';
import type { Aggregate, RollUpStep } from '../../../../functions/shared/query/constants';
import { STEPS } from '../../../../functions/shared/query/constants';
import { rollUp } from '../../../../functions/shared/query/rollUp';
import type { MinuteBucket } from '../../../../functions/shared/query/types';
import type { Quality } from '../../../../functions/shared/types';
import { encodeBucketItem } from '../../../../functions/storer/encodeBucketItem';
import { mergeIntoBucket } from '../../../../functions/storer/mergeIntoBucket';
import type { BucketItem } from '../../../../functions/storer/types';
import { kinesisOrigin } from '../../../helpers/records';

type Item = Record<string, AttributeValue>;

const MINUTE = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 10, 29);
const AGGREGATES: readonly Aggregate[] = ['avg', 'min', 'max', 'sum', 'count', 'stddev'];

interface Sample {
  readonly ts: number;
  readonly value: number;
  readonly quality: Quality;
}

/** Stores the samples as the storer does: one mergeIntoBucket per minute, in two deliveries (the second appends to the first's item). */
function store(samples: readonly Sample[]): BucketItem[] {
  const byMinute = new Map<number, Sample[]>();
  for (const sample of samples) {
    const minute = Math.floor(sample.ts / MINUTE) * MINUTE;
    const inMinute = byMinute.get(minute);
    if (inMinute === undefined) byMinute.set(minute, [sample]);
    else inMinute.push(sample);
  }
  return [...byMinute.entries()].map(([minute, inMinute]) => {
    const half = Math.ceil(inMinute.length / 2);
    let item: BucketItem | undefined;
    for (const part of [inMinute.slice(half), inMinute.slice(0, half)]) {
      const readings = part.map((sample) => ({ metric: 'm', value: sample.value, ts: sample.ts, quality: sample.quality }));
      const origin = kinesisOrigin({ sequenceNumber: '1', partitionKey: 'a', arrivedAt: minute });
      const merged = mergeIntoBucket(item, { sensorId: 'a#m', assetId: 'a', metric: 'm', minute, contributions: [{ origin, readings }] }, { nowMs: minute + MINUTE, retentionDays: 14 });
      item = merged.item ?? item;
    }
    return item as BucketItem;
  });
}

/** What the read path gets from DynamoDB: the stats projection of an interior minute, the whole item of a cut one. */
function read(items: readonly BucketItem[], from: number, to: number): MinuteBucket[] {
  return items.map((item) => {
    const encoded = encodeBucketItem(item);
    const whole = item.minute >= from && item.minute + MINUTE <= to;
    if (!whole) return decodeMinuteBucket(encoded, 'readings');
    const projected: Item = Object.fromEntries(BUCKET_PROJECTIONS.stats.filter((name) => encoded[name] !== undefined).map((name) => [name, encoded[name] as AttributeValue]));
    return decodeMinuteBucket(projected, 'stats');
  });
}

/**
 * The aggregates by brute force over values written as base + offset with small offsets: the
 * offsets' two-pass statistics, moved by base, so no step of it cancels.
 */
function bruteForce(base: number, offsets: ReadonlyArray<{ ts: number; offset: number; quality: Quality }>, from: number, to: number, step: RollUpStep) {
  const byStep = new Map<number, number[]>();
  for (const { ts, offset, quality } of offsets) {
    if (ts < from || ts >= to || quality === 'BAD') continue;
    const start = Math.floor(ts / STEPS[step]) * STEPS[step];
    const inStep = byStep.get(start);
    if (inStep === undefined) byStep.set(start, [offset]);
    else inStep.push(offset);
  }
  return [...byStep.entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, values]) => {
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      return {
        t,
        count: values.length,
        avg: base + mean,
        min: base + Math.min(...values),
        max: base + Math.max(...values),
        stddev: Math.sqrt(values.reduce((acc, value) => acc + (value - mean) ** 2, 0) / values.length),
      };
    });
}

/** A deterministic generator (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** One reading every `everyMs` over [T0, T0 + spanMs): base + offset, the offset from `offsetAt`. */
function series(base: number, spanMs: number, everyMs: number, offsetAt: (index: number, ts: number) => number, qualityAt: (index: number) => Quality = () => 'GOOD') {
  const offsets = Array.from({ length: spanMs / everyMs }, (_, index) => {
    const ts = T0 + index * everyMs;
    return { ts, offset: offsetAt(index, ts), quality: qualityAt(index) };
  });
  return { offsets, samples: offsets.map(({ ts, offset, quality }) => ({ ts, value: base + offset, quality })) };
}

describe('rollUp on buckets mergeIntoBucket wrote: large values do not cancel', () => {
  // base ± 0.5 alternating: stddev 0.5 exactly, avg base exactly. The sums of raw values and squares
  // lost it (stddev 0 at 1e8 over an hour, 0.2253 at 3e6 over a day).
  test.each([
    [3e6, '1h', 3_600_000],
    [3e6, '1d', DAY],
    [1e8, '1h', 3_600_000],
    [1e8, '1d', DAY],
    [1e9, '1h', 3_600_000],
    [1e9, '1d', DAY],
    [1e15, '1h', 3_600_000],
    [1e15, '1d', DAY],
  ] as const)('base %d ± 0.5 at step %s: stddev 0.5, avg the base', (base, step, span) => {
    const { samples } = series(base, span, 1_000, (index) => (index % 2 === 0 ? 0.5 : -0.5));
    const points = rollUp(read(store(samples), T0, T0 + span), T0, T0 + span, step, AGGREGATES);
    expect(points).toHaveLength(1);
    const [point] = points;
    expect(point?.count).toBe(span / 1_000);
    expect(point?.stddev).toBeCloseTo(0.5, 12);
    expect(point?.avg).toBe(base);
    expect(point?.min).toBe(base - 0.5);
    expect(point?.max).toBe(base + 0.5);
    expect(Math.abs((point?.sum ?? NaN) - base * (span / 1_000))).toBeLessThanOrEqual(2 ** -52 * base * (span / 1_000));
  });

  // Noise in quarter units on a trend, BAD readings, and a range that cuts its first and last minute:
  // every part of the read path (stored stats, readings of a cut minute, merges of unequal means).
  test.each([
    [1e8, '1h'],
    [1e9, '1h'],
    [1e9, '1d'],
    [1e15, '1d'],
  ] as const)('base %d with noise and a trend at step %s equals the brute force', (base, step) => {
    const next = random(42);
    const { offsets, samples } = series(
      base,
      DAY,
      5_000,
      (_, ts) => Math.floor((ts - T0) / 600_000) + Math.round(next() * 8 - 4) / 4,
      (index) => (index % 17 === 3 ? 'BAD' : index % 5 === 0 ? 'UNCERTAIN' : 'GOOD'),
    );
    const from = T0 + 90 * MINUTE + 12_345;
    const to = T0 + DAY - 7 * MINUTE - 2_500;
    const points = rollUp(read(store(samples), from, to), from, to, step, AGGREGATES);
    const want = bruteForce(base, offsets, from, to, step);
    expect(points.map(({ t, count }) => [t, count])).toEqual(want.map(({ t, count }) => [t, count]));
    points.forEach((point, index) => {
      const expected = want[index];
      expect([point.min, point.max]).toEqual([expected?.min, expected?.max]);
      expect(Math.abs((point.stddev ?? NaN) - (expected?.stddev ?? NaN))).toBeLessThanOrEqual(1e-9 * (expected?.stddev ?? NaN));
      expect(Math.abs((point.avg ?? NaN) - (expected?.avg ?? NaN))).toBeLessThanOrEqual(4 * 2 ** -52 * base);
    });
  });
});

describe('rollUp on items of the earlier layout (raw sums, no shift)', () => {
  /** An item as the storer wrote it before shifted sums: sum and sumSquares of the raw values, no shift attribute. */
  function oldItem(minute: number, values: readonly number[], qualities: readonly Quality[]): Item {
    const stats = values.filter((_, index) => qualities[index] !== 'BAD');
    const item: Item = {
      sensorId: { S: 'a#m' },
      minute: { N: String(minute) },
      assetId: { S: 'a' },
      metric: { S: 'm' },
      ts: { L: values.map((_, index) => ({ N: String(index * 1_000) })) },
      values: { L: values.map((value) => ({ N: String(value) })) },
      qualities: { L: qualities.map((quality) => ({ S: quality })) },
      count: { N: String(values.length) },
      statsCount: { N: String(stats.length) },
      sum: { N: String(stats.reduce((a, b) => a + b, 0)) },
      sumSquares: { N: String(stats.reduce((a, b) => a + b * b, 0)) },
      version: { N: '4' },
      expiresAt: { N: String(minute / 1000 + 86_400) },
      updatedAt: { N: String(minute) },
    };
    if (stats.length > 0) Object.assign(item, { min: { N: String(Math.min(...stats)) }, max: { N: String(Math.max(...stats)) } });
    return item;
  }

  it('reads them (shift 0) beside items of the current layout, whole and cut', () => {
    const old = [oldItem(T0, [1, 2, 3, 100], ['GOOD', 'UNCERTAIN', 'GOOD', 'BAD']), oldItem(T0 + MINUTE, [4, 6], ['GOOD', 'GOOD'])];
    const current = store([
      { ts: T0 + 2 * MINUTE, value: 5, quality: 'GOOD' },
      { ts: T0 + 2 * MINUTE + 1_000, value: 9, quality: 'GOOD' },
    ]).map(encodeBucketItem);
    const stats = (item: Item): Item => Object.fromEntries(BUCKET_PROJECTIONS.stats.filter((name) => item[name] !== undefined).map((name) => [name, item[name] as AttributeValue]));
    const buckets = [...old, ...current].map((item) => decodeMinuteBucket(stats(item), 'stats'));
    // 1, 2, 3, 4, 6, 5, 9: mean 30/7, population variance (Σv² − 30²/7)/7.
    const [point] = rollUp(buckets, T0, T0 + 3 * MINUTE, '1h', AGGREGATES);
    expect(point).toMatchObject({ t: T0, count: 7, sum: 30, min: 1, max: 9 });
    expect(point?.avg).toBeCloseTo(30 / 7, 14);
    expect(point?.stddev).toBeCloseTo(Math.sqrt((172 - 900 / 7) / 7), 14);
    // A cut old minute is computed from its readings, as before.
    const cut = rollUp([decodeMinuteBucket(old[0] as Item, 'readings')], T0 + 500, T0 + MINUTE, '1m', AGGREGATES);
    expect(cut).toEqual([{ t: T0, count: 2, sum: 5, avg: 2.5, min: 2, max: 3, stddev: 0.5 }]);
  });
});

describe('rollUp on a cut minute whose readings were not read', () => {
  it('throws MissingReadingsError (a bug of the reader, not bad input)', () => {
    const [item] = store([{ ts: T0 + 1_000, value: 1, quality: 'GOOD' }]);
    const statsOnly = read([item as BucketItem], T0, T0 + MINUTE);
    expect(rollUp(statsOnly, T0, T0 + MINUTE, '1m', ['count'])).toEqual([{ t: T0, count: 1 }]);
    expect(() => rollUp(statsOnly, T0 + 500, T0 + MINUTE, '1m', ['count'])).toThrow(
      new MissingReadingsError('rollUp: the minute 2025-11-29T00:00:00.000Z is only partly in range and its readings were not read'),
    );
  });
});
