import { TransientDependencyError } from '../../../functions/shared/errors';
import { BucketWriter } from '../../../functions/storer/BucketWriter';
import type { BucketGroup } from '../../../functions/storer/types';
import { deadlineWith, MemoryQuarantine } from '../../helpers/fakes';
import { MemoryBuckets } from './fakeBuckets';

const M = Date.UTC(2025, 10, 29, 12, 0, 0);

function group(sequence: number, values: number[], sensorId = 'a#t'): BucketGroup {
  return {
    sensorId,
    assetId: 'a',
    metric: 't',
    minute: M,
    contributions: [
      {
        origin: { index: 0, shardId: 'shardId-000000000000', sequenceNumber: String(sequence), partitionKey: 'a', arrivedAt: M },
        readings: values.map((value, i) => ({ metric: 't', value, ts: M + sequence * 100 + i, quality: 'GOOD' as const })),
      },
    ],
  };
}

describe('BucketWriter', () => {
  let store: MemoryBuckets;
  let quarantine: MemoryQuarantine;
  const writer = (options: { maxReadingsPerBucket?: number; cacheSize?: number } = {}): BucketWriter =>
    new BucketWriter({ store, quarantine, retentionDays: 7, now: () => M, ...options });

  beforeEach(() => {
    store = new MemoryBuckets();
    quarantine = new MemoryQuarantine();
  });

  it('creates a bucket, then appends from the cache with one put and no read', async () => {
    const w = writer();
    expect(await w.write(group(1, [1, 2]), deadlineWith())).toEqual({ stored: 2, alreadyApplied: 0, superseded: 0, overflowed: 0, writes: 1 });
    expect(await w.write(group(2, [3]), deadlineWith())).toEqual({ stored: 1, alreadyApplied: 0, superseded: 0, overflowed: 0, writes: 1 });
    expect(store.items.get(`a#t|${M}`)?.values).toEqual([1, 2, 3]);
    expect([store.gets, store.puts]).toEqual([0, 2]);
  });

  it('writes nothing for a group already in the bucket', async () => {
    const w = writer();
    await w.write(group(1, [1]), deadlineWith());
    expect(await w.write(group(1, [1]), deadlineWith())).toEqual({ stored: 0, alreadyApplied: 1, superseded: 0, overflowed: 0, writes: 0 });
    expect(store.puts).toBe(1);
  });

  it('redoes the merge on the current item when another writer changed the bucket (cold cache)', async () => {
    await writer().write(group(1, [1]), deadlineWith());
    const other = writer();
    expect(await other.write(group(2, [2]), deadlineWith())).toMatchObject({ stored: 1, writes: 1 });
    expect(store.items.get(`a#t|${M}`)?.values).toEqual([1, 2]);
    expect([store.gets, store.puts]).toEqual([0, 3]);
  });

  it('reads the item when the failed put did not return it', async () => {
    store.returnOldOnConflict = false;
    await writer().write(group(1, [1]), deadlineWith());
    await writer().write(group(1, [1]), deadlineWith());
    expect(store.gets).toBe(1);
    expect(store.items.get(`a#t|${M}`)?.values).toEqual([1]);
  });

  it('does not trust a stale cache: a redelivery after another writer appended is skipped', async () => {
    const a = writer();
    await a.write(group(1, [1]), deadlineWith());
    await writer().write(group(2, [2]), deadlineWith());
    expect(await a.write(group(2, [2]), deadlineWith())).toMatchObject({ stored: 0, alreadyApplied: 1, writes: 0 });
    expect(store.items.get(`a#t|${M}`)?.values).toEqual([1, 2]);
  });

  it('quarantines the overflow of a full bucket before writing it', async () => {
    const w = writer({ maxReadingsPerBucket: 2 });
    expect(await w.write(group(1, [1, 2, 3]), deadlineWith())).toEqual({ stored: 2, alreadyApplied: 0, superseded: 0, overflowed: 1, writes: 1 });
    expect(quarantine.entries.map((e) => [e.reason, e.part, JSON.parse(Buffer.from(e.data, 'base64').toString()) as unknown])).toEqual([
      ['BUCKET_FULL', `overflow-a#t-${M}`, { sensorId: 'a#t', minute: M, readings: [{ metric: 't', value: 3, ts: M + 102, quality: 'GOOD' }] }],
    ]);
  });

  it('does not record the bucket write when the overflow cannot be quarantined', async () => {
    quarantine.failWith = new TransientDependencyError('s3', 's3 failed after 4 attempt(s)');
    await expect(writer({ maxReadingsPerBucket: 1 }).write(group(1, [1, 2]), deadlineWith())).rejects.toThrow('s3 failed after 4 attempt(s)');
    expect(store.items.size).toBe(0);
  });

  it('gives up after repeated lost races', async () => {
    const racing = new MemoryBuckets();
    racing.put = async () => ({ written: false, current: undefined, known: true });
    const w = new BucketWriter({ store: racing, quarantine, retentionDays: 7 });
    await expect(w.write(group(1, [1]), deadlineWith())).rejects.toThrow(
      new TransientDependencyError('dynamodb', `bucket a#t at ${M} changed under 5 writes in a row`),
    );
  });

  it('evicts the least recently used bucket beyond the cache size', async () => {
    const w = writer({ cacheSize: 2 });
    for (const sensor of ['a#1', 'a#2', 'a#3']) await w.write(group(1, [1], sensor), deadlineWith());
    expect(w.cachedBuckets).toBe(2);
  });
});
