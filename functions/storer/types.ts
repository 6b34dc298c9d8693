import type { BucketStats, Quality, Reading, RecordOrigin } from '../shared/types';

/** The readings of one sensor in one minute that one record carries. */
export interface BucketContribution {
  readonly origin: RecordOrigin;
  /** Mutable only while the group is being built. */
  readonly readings: Reading[];
}

/** Everything a batch adds to one minute bucket of one sensor, in shard order. */
export interface BucketGroup {
  readonly sensorId: string;
  readonly assetId: string;
  readonly metric: string;
  /** Epoch ms of the minute start. */
  readonly minute: number;
  readonly contributions: BucketContribution[];
}

/**
 * One item of the readings table: a sensor's readings of one minute as plain lists (offset in ms
 * from the minute start, value, quality) beside their aggregates: count covers all readings, the
 * BucketStats those that are not BAD (sum and sumSquares of their differences from shift).
 */
export interface BucketItem extends BucketStats {
  readonly sensorId: string;
  readonly minute: number;
  readonly assetId: string;
  readonly metric: string;
  readonly unit?: string;
  readonly ts: readonly number[];
  readonly values: readonly number[];
  readonly qualities: readonly Quality[];
  readonly count: number;
  /** Incremented on every write; the condition of the next write (optimistic concurrency). */
  readonly version: number;
  readonly expiresAt: number;
  readonly updatedAt: number;
}

/** Readings of a contribution set aside because the bucket was full. */
export interface BucketOverflow {
  readonly contribution: BucketContribution;
  readonly readings: readonly Reading[];
}
