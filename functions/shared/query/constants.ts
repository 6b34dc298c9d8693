/**
 * The read path's vocabulary and limits, shared by the query function (functions/query), the CLI
 * (scripts/query.ts) and the charts that deploy the function.
 */
import { BUCKET_FORMAT } from '../bucket/constants';

/** The storer's minute bucket: every step and range below is a whole number of them. */
const MINUTE_MS = BUCKET_FORMAT.minuteMs;

/** Roll-up steps and their length; every step is a whole number of minutes, so a minute bucket never straddles two steps. */
export const STEPS = {
  '1m': MINUTE_MS,
  '5m': 5 * MINUTE_MS,
  '15m': 15 * MINUTE_MS,
  '1h': 60 * MINUTE_MS,
  '1d': 24 * 60 * MINUTE_MS,
} as const;

export type RollUpStep = keyof typeof STEPS;
/** `raw`: every reading with its timestamp and quality instead of aggregates. */
export type Step = RollUpStep | 'raw';
export const STEP_NAMES: readonly Step[] = [...(Object.keys(STEPS) as RollUpStep[]), 'raw'];

/** Aggregates over the readings that are not BAD (population standard deviation). */
export const AGGREGATES = ['avg', 'min', 'max', 'sum', 'count', 'stddev'] as const;
export type Aggregate = (typeof AGGREGATES)[number];

/**
 * The smallest number read as epoch milliseconds: 1e11 ms is 1973-03-03T09:46:40Z, before any time the
 * platform holds, and every later time has 12 digits or more. A smaller number is something else: a
 * compact date (20260101 would be 1970-01-01T05:37:40.101Z), or epoch seconds (1e11 s is the year 5138).
 */
export const MIN_EPOCH_MS = 1e11;

export const QUERY_DEFAULTS = {
  step: '1m' as Step,
  aggregates: ['avg', 'min', 'max', 'count'] as readonly Aggregate[],
} as const;

export const QUERY_LIMITS = {
  /** Points one request returns at most (all series together); more is a 400 asking for a coarser step or a shorter range. */
  maxPoints: 100_000,
  /**
   * Longest range of a roll-up: a quarter, beyond the hot tier's 90 days; older history is the
   * archive's, through Athena. It bounds the items one sensor's read takes (at most 93 x 1,440 minute
   * buckets), not their bytes: that is the read budget (SeriesReader.ts, READ_CAPACITY_BUDGET).
   */
  maxRangeMs: 93 * 24 * 60 * MINUTE_MS,
  /** Longest range of `raw`: a day of one sensor; its readings still count against maxPoints. */
  maxRawRangeMs: 24 * 60 * MINUTE_MS,
} as const;

/** Attribute of the asset-status item that lists the asset's metrics (written by the processor). */
export const ASSET_METRICS_ATTRIBUTE = 'metrics' as const;
/** Attribute set (true) on an asset-status item whose asset has more metrics than the item lists (LIMITS.maxListedMetricsPerAsset). */
export const ASSET_METRICS_INCOMPLETE_ATTRIBUTE = 'metricsIncomplete' as const;
