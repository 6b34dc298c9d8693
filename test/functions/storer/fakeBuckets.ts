import type { BucketPersistence, PutOutcome } from '../../../functions/storer/BucketStore';
import type { BucketItem } from '../../../functions/storer/types';

/** In-memory readings table with the conditional put semantics of BucketStore. */
export class MemoryBuckets implements BucketPersistence {
  readonly items = new Map<string, BucketItem>();
  gets = 0;
  puts = 0;
  returnOldOnConflict = true;

  async get(sensorId: string, minute: number): Promise<BucketItem | undefined> {
    this.gets += 1;
    return this.items.get(`${sensorId}|${minute}`);
  }

  async put(item: BucketItem, expectedVersion: number | undefined): Promise<PutOutcome> {
    this.puts += 1;
    const key = `${item.sensorId}|${item.minute}`;
    const current = this.items.get(key);
    if (current?.version !== expectedVersion) {
      return this.returnOldOnConflict ? { written: false, current, known: true } : { written: false, current: undefined, known: false };
    }
    this.items.set(key, item);
    return { written: true };
  }
}
