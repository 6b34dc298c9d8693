import type { MinuteBucket } from '../query/types';

/**
 * How much of a bucket item the decoder reads: the stats (an item projected to
 * BUCKET_PROJECTIONS.stats), the stats and the readings, or the whole item (the storer's
 * read-modify-write).
 */
export type BucketPart = 'stats' | 'readings' | 'whole';

/** A whole bucket item, decoded: the read path's MinuteBucket with its readings, whose bucket it is, and the storer's bookkeeping. */
export interface StoredBucket extends MinuteBucket {
  readonly sensorId: string;
  readonly assetId: string;
  readonly metric: string;
  readonly unit?: string;
  readonly readings: NonNullable<MinuteBucket['readings']>;
  /** Incremented on every write; the condition of the next write (optimistic concurrency). */
  readonly version: number;
  /** DynamoDB TTL, epoch seconds. */
  readonly expiresAt: number;
  readonly updatedAt: number;
}
