/**
 * Key of a shard's lease item in the detector state table. `#` and `/` are outside the contract's
 * identifier pattern, so no asset id can name it.
 */
export function shardLeaseKey(shardId: string): string {
  return `#lease/${shardId}`;
}
