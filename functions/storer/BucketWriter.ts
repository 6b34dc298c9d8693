import { QUARANTINE_REASONS } from '../shared/constants';
import type { Deadline } from '../shared/Deadline';
import { TransientDependencyError } from '../shared/errors';
import type { QuarantineSink } from '../shared/QuarantineWriter';
import type { BucketPersistence } from './BucketStore';
import { bucketCacheBytes } from './bucketCacheBytes';
import { BUCKET_CACHE, DEFAULT_MEMORY_MB, MAX_CONFLICTS } from './constants';
import { mergeIntoBucket } from './mergeIntoBucket';
import type { BucketGroup, BucketItem, BucketOverflow } from './types';

export interface BucketWriterOptions {
  readonly store: BucketPersistence;
  readonly quarantine: QuarantineSink;
  readonly retentionDays: number;
  readonly now?: () => number;
  /**
   * Estimated heap (BUCKET_CACHE) of the buckets kept in memory between invocations (a warm container
   * usually sees the same shard again). @default bucketCacheBytes(DEFAULT_MEMORY_MB)
   */
  readonly cacheBytes?: number;
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

/**
 * Appends groups to their minute buckets with one conditional put each. The bucket's last known
 * content is cached, so the usual write needs no read: it is conditional on the cached version,
 * and if another writer got there first (another container, an earlier attempt of this batch),
 * the put fails, the current item is read and the merge is redone on it. A bucket that does not
 * exist yet is created with a put conditional on its absence. The cache evicts the least recently
 * used bucket beyond its byte budget; an evicted bucket costs its next write one lost race, nothing else.
 */
export class BucketWriter implements BucketSink {
  readonly #options: BucketWriterOptions;
  readonly #cache = new Map<string, BucketItem>();
  readonly #cacheBytes: number;
  #cachedReadings = 0;

  constructor(options: BucketWriterOptions) {
    this.#options = options;
    this.#cacheBytes = options.cacheBytes ?? bucketCacheBytes(DEFAULT_MEMORY_MB);
  }

  async write(group: BucketGroup, deadline: Deadline): Promise<BucketWriteResult> {
    const { store, retentionDays } = this.#options;
    const now = this.#options.now ?? Date.now;
    const key = `${group.sensorId}|${group.minute}`;
    let current = this.#cache.get(key);
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt += 1) {
      const merge = mergeIntoBucket(current, group, {
        nowMs: now(),
        retentionDays,
        ...(this.#options.maxReadingsPerBucket === undefined ? {} : { maxReadings: this.#options.maxReadingsPerBucket }),
      });
      if (merge.item !== undefined) {
        const outcome = await store.put(merge.item, current?.version, deadline);
        if (!outcome.written) {
          // Merged on a stale bucket: what it appended and what it set aside are both redone on the current item.
          this.#forget(key);
          current = outcome.known ? outcome.current : await store.get(group.sensorId, group.minute, deadline);
          continue;
        }
        this.#remember(key, merge.item);
      } else if (current) {
        this.#remember(key, current);
      }
      // The overflow goes to S3 only once the bucket it was computed from is the stored one: after the put,
      // or without a put from a full bucket, which cannot change (the cache is a subset of the stored item,
      // and no item exceeds the limit). Set aside on a stale cache, a reading could turn out stored on the
      // redo. A failure after the put loses nothing: the retried record meets the full bucket and sets the
      // same readings aside under the same key (per record and bucket).
      const overflowed = await this.#setAside(group, merge.overflow, deadline);
      return {
        stored: merge.appended,
        alreadyApplied: merge.alreadyApplied,
        superseded: merge.superseded,
        overflowed,
        writes: merge.item === undefined ? 0 : 1,
      };
    }
    throw new TransientDependencyError('dynamodb', `bucket ${group.sensorId} at ${group.minute} changed under ${MAX_CONFLICTS} writes in a row`);
  }

  /** Number of buckets in the cache (for tests and logs). */
  get cachedBuckets(): number {
    return this.#cache.size;
  }

  /** Readings in the cached buckets (for tests and logs). */
  get cachedReadings(): number {
    return this.#cachedReadings;
  }

  /** Estimated heap of the cache (BUCKET_CACHE), at most the budget. */
  get cachedBytes(): number {
    return BUCKET_CACHE.bytesPerBucket * this.#cache.size + BUCKET_CACHE.bytesPerReading * this.#cachedReadings;
  }

  /** Writes each contribution's set-aside readings to the quarantine prefix; returns how many. */
  async #setAside(group: BucketGroup, overflow: readonly BucketOverflow[], deadline: Deadline): Promise<number> {
    let overflowed = 0;
    for (const { contribution, readings } of overflow) {
      overflowed += readings.length;
      await this.#options.quarantine.write(
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
    return overflowed;
  }

  #remember(key: string, item: BucketItem): void {
    // Map keeps insertion order: re-inserting makes the key the newest, the first key is the oldest.
    this.#forget(key);
    this.#cache.set(key, item);
    this.#cachedReadings += item.ts.length;
    for (const [oldest, evicted] of this.#cache) {
      if (this.cachedBytes <= this.#cacheBytes) break;
      // A bucket larger than the whole budget evicts itself last: it is simply not cached.
      this.#cache.delete(oldest);
      this.#cachedReadings -= evicted.ts.length;
    }
  }

  #forget(key: string): void {
    const item = this.#cache.get(key);
    if (item === undefined) return;
    this.#cache.delete(key);
    this.#cachedReadings -= item.ts.length;
  }
}
