import type { BucketStats, Quality } from '../types';
import type { Aggregate, Step } from './constants';

/** One sensor over the half-open range [from, to), epoch ms. */
export interface SeriesQuery {
  readonly assetId: string;
  readonly metric: string;
  readonly from: number;
  readonly to: number;
  readonly step: Step;
  /** Ignored for `raw`. */
  readonly aggregates: readonly Aggregate[];
}

/** What the read path needs of a minute bucket: its stats, and its readings where the minute is only partly in range or for `raw`. */
export interface MinuteBucket extends BucketStats {
  /** Epoch ms of the minute start. */
  readonly minute: number;
  /** All readings, BAD included. */
  readonly count: number;
  /** Present when the readings were read: offsets from the minute start, values and qualities, sorted by offset. */
  readonly readings?: { readonly ts: readonly number[]; readonly values: readonly number[]; readonly qualities: readonly Quality[] };
}

/** One roll-up point: `t` is the start of its step (epoch ms), then one field per requested aggregate. */
export type AggregatePoint = { readonly t: number } & Partial<Record<Aggregate, number>>;

/** One reading of a `raw` series. */
export interface RawPoint {
  readonly t: number;
  readonly value: number;
  readonly quality: Quality;
}

/** The answer for one sensor: the request as understood, and its points in time order. */
export interface SeriesResult {
  readonly assetId: string;
  readonly metric: string;
  readonly from: number;
  readonly to: number;
  readonly step: Step;
  readonly points: readonly AggregatePoint[] | readonly RawPoint[];
  /** DynamoDB items read for it (the bound: at most the minutes the range touches). */
  readonly itemsRead: number;
  /** Read capacity units DynamoDB reported for it (the budget: READ_CAPACITY_BUDGET). */
  readonly capacityUnits: number;
}

/** An asset of a line, as its status item has it. */
export interface AssetSummary {
  readonly assetId: string;
  readonly status: string;
  readonly plantId?: string;
  readonly lineId?: string;
  readonly thingName?: string;
  readonly lastSeen?: number;
  readonly updatedAt?: number;
  readonly metrics: readonly string[];
  /** The asset has more metrics than its item lists (LIMITS.maxListedMetricsPerAsset): `metrics` is not all of them. */
  readonly metricsIncomplete?: true;
}

/** The request's parameters as text, as a query string or a command line carries them. */
export interface SeriesParameters {
  readonly assetId?: string;
  readonly metric?: string;
  readonly from?: string;
  readonly to?: string;
  readonly step?: string;
  readonly agg?: string;
}

export interface ParseSeriesOptions {
  readonly now: number;
  /** CLI: `now` and `-6h` offsets are accepted. */
  readonly allowRelative: boolean;
  /** How the caller names each parameter in errors (`--asset` for `assetId` on the command line). */
  readonly label?: (parameter: keyof SeriesParameters) => string;
}
