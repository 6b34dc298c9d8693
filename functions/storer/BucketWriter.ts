import { QUARANTINE_REASONS } from '../shared/constants';
import type { Deadline } from '../shared/Deadline';
import { TransientDependencyError } from '../shared/errors';
import type { QuarantineSink } from '../shared/QuarantineWriter';
import type { BucketPersistence } from './BucketStore';
import { mergeIntoBucket } from './mergeIntoBucket';
import type { BucketGroup, BucketItem } from './types';

export interface BucketWriterOptions {
  readonly store: BucketPersistence;
  readonly quarantine: QuarantineSink;
  readonly retentionDays: number;
  readonly now?: () => number;
  /** Buckets kept in memory between invocations (a warm container usually sees the same shard again). */
  readonly cacheSize?: number;
  readonly maxReadingsPerBucket?: number;
}

export interface BucketWriteResult {
  readonly stored: number;
  readonly alreadyApplied: number;
  /** Readings a later one of the same sensor and timestamp in their record replaced. */
  readonly superseded: number;
  readonly overflowed: number;
  /** Successful item writes (0 when the whole group was already in the bucket). */
  readonly writes: number;
}

/** Where a batch's bucket groups go (BucketWriter in production, fakes in tests). */
export interface BucketSink {
  write(group: BucketGroup, deadline: Deadline): Promise<BucketWriteResult>;
}

/** Lost races in a row before a group is given up for this invocation (it is retried with its record). */
const MAX_CONFLICTS = 5;
const DEFAULT_CACHE_SIZE = 10_000;

/**
 * Appends groups to their minute buckets with one conditional put each. The bucket's last known
 * content is cached, so the usual write needs no read: it is conditional on the cached version,
 * and if another writer got there first (another container, an earlier attempt of this batch),
 * the put fails, the current item is read and the merge is redone on it. A bucket that does not
 * exist yet is created with a put conditional on its absence.
 */
export class BucketWriter implements BucketSink {
  readonly #options: BucketWriterOptions;
  readonly #cache = new Map<string, BucketItem>();
  readonly #cacheSize: number;

  constructor(options: BucketWriterOptions) {
    this.#options = options;
    this.#cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
  }

  async write(group: BucketGroup, deadline: Deadline): Promise<BucketWriteResult> {
    const { store, quarantine, retentionDays } = this.#options;
    const now = this.#options.now ?? Date.now;
    const key = `${group.sensorId}|${group.minute}`;
    let current = this.#cache.get(key);
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt += 1) {
      const merge = mergeIntoBucket(current, group, {
        nowMs: now(),
        retentionDays,
        ...(this.#options.maxReadingsPerBucket === undefined ? {} : { maxReadings: this.#options.maxReadingsPerBucket }),
      });
      if (merge.item === undefined && merge.overflow.length === 0) {
        if (current) this.#remember(key, current);
        return { stored: 0, alreadyApplied: merge.alreadyApplied, superseded: 0, overflowed: 0, writes: 0 };
      }
      // Overflow goes to S3 before the bucket write, so a crash in between redoes both instead of
      // losing the overflow. The key is per record and bucket, so a redo overwrites the same object.
      let overflowed = 0;
      for (const { contribution, readings } of merge.overflow) {
        overflowed += readings.length;
        await quarantine.write(
          {
            origin: contribution.origin,
            reason: QUARANTINE_REASONS.bucketFull,
            detail: `bucket ${group.sensorId} at ${new Date(group.minute).toISOString()} is full; ${readings.length} reading(s) set aside`,
            data: Buffer.from(JSON.stringify({ sensorId: group.sensorId, minute: group.minute, readings })).toString('base64'),
            part: `overflow-${group.sensorId}-${group.minute}`,
          },
          deadline,
        );
      }
      if (merge.item === undefined) {
        // A full bucket: only the overflow had somewhere to go.
        if (current) this.#remember(key, current);
        return { stored: 0, alreadyApplied: merge.alreadyApplied, superseded: 0, overflowed, writes: 0 };
      }
      const outcome = await store.put(merge.item, current?.version, deadline);
      if (outcome.written) {
        this.#remember(key, merge.item);
        return { stored: merge.appended, alreadyApplied: merge.alreadyApplied, superseded: merge.superseded, overflowed, writes: 1 };
      }
      this.#cache.delete(key);
      current = outcome.known ? outcome.current : await store.get(group.sensorId, group.minute, deadline);
    }
    throw new TransientDependencyError('dynamodb', `bucket ${group.sensorId} at ${group.minute} changed under ${MAX_CONFLICTS} writes in a row`);
  }

  /** Number of buckets in the cache (for tests and logs). */
  get cachedBuckets(): number {
    return this.#cache.size;
  }

  #remember(key: string, item: BucketItem): void {
    // Map keeps insertion order: re-inserting makes the key the newest, the first key is the oldest.
    this.#cache.delete(key);
    this.#cache.set(key, item);
    if (this.#cache.size > this.#cacheSize) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
  }
}
