import { BUCKET_CACHE } from './constants';

/** Cache budget in bytes for a function of `memoryMb`. */
export function bucketCacheBytes(memoryMb: number): number {
  return Math.floor(memoryMb * 1024 * 1024 * BUCKET_CACHE.memoryShare);
}
