/** The storer's limits (the data contract's are LIMITS in functions/shared/constants.ts). */
import { LAMBDA_LIMITS } from '../shared/constants';

/** Bucket writes in flight at once (DynamoDB scales with parallel requests, not with batching here). */
export const DEFAULT_WRITE_CONCURRENCY = 32;

/** Lost races in a row before a group is given up for this invocation (it is retried with its record). */
export const MAX_CONFLICTS = 5;

/**
 * The bucket cache's estimate of its heap, and the share of the function's memory it may take. Bounded
 * by bytes, not buckets: a full 100 Hz bucket costs ~160 KB, a 1 Hz one ~3 KB (measured with
 * `node --expose-gc`), so a bucket count that fits one rate runs the other out of memory.
 */
export const BUCKET_CACHE = {
  /** Keys, attributes and the map entry (measured ~1.1 KB; identifiers of 64 characters add a few hundred bytes). */
  bytesPerBucket: 2048,
  /** One reading in the three lists: 24 B of elements, plus up to half again of spare capacity after a push (measured 27-33 B). */
  bytesPerReading: 40,
  /** The rest of the memory holds the runtime and SDK, a batch of up to 6 MB of records as parsed objects, and the merges in flight. */
  memoryShare: 0.25,
} as const;

/**
 * The function's memory outside Lambda (tests, a script), where the runtime does not set
 * LAMBDA_MEMORY_VARIABLE: Lambda's smallest size, so a cache sized from it never over-commits.
 */
export const DEFAULT_MEMORY_MB = LAMBDA_LIMITS.memoryMb.min;
