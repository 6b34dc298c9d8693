import { TransientDependencyError } from '../../../functions/shared/errors';
import { METRIC_NAMES } from '../../../functions/shared/constants';
import { BucketWriter, type BucketSink, type BucketWriteResult } from '../../../functions/storer/BucketWriter';
import { Storer } from '../../../functions/storer/Storer';
import type { BucketGroup } from '../../../functions/storer/types';
import { capturingMetrics, MemoryQuarantine, silentLogger } from '../../helpers/fakes';
import { MemoryBuckets } from './fakeBuckets';
import { assetSecond, kinesisEvent, kinesisRecords, lambdaContext, NOW, presence, telemetry } from '../../helpers/records';

class RecordingBuckets implements BucketSink {
  readonly groups: BucketGroup[] = [];
  failSensor: string | undefined;

  async write(group: BucketGroup): Promise<BucketWriteResult> {
    if (group.sensorId === this.failSensor) throw new TransientDependencyError('dynamodb', 'dynamodb failed after 4 attempt(s)');
    this.groups.push(group);
    const stored = group.contributions.reduce((n, c) => n + c.readings.length, 0);
    return { stored, alreadyApplied: 0, superseded: 0, overflowed: 0, writes: 1 };
  }
}

describe('Storer', () => {
  function setup() {
    const buckets = new RecordingBuckets();
    const quarantine = new MemoryQuarantine();
    const captured = capturingMetrics();
    const storer = new Storer({ buckets, quarantine, metrics: captured.metrics, logger: silentLogger(), breakers: [], now: () => NOW });
    return { buckets, quarantine, captured, storer };
  }

  it('stores readings per bucket, quarantines invalid records, counts presence events and emits metrics', async () => {
    const { buckets, quarantine, captured, storer } = setup();
    const records = kinesisRecords([
      assetSecond('a', NOW - 2_000, { t: 1, p: 2 }),
      'nope',
      presence(),
      assetSecond('a', NOW - 1_000, { t: 3 }),
    ]);
    const outcome = await storer.handle(kinesisEvent(records), lambdaContext());

    expect(outcome).toEqual({ response: { batchItemFailures: [] }, stored: 3, bucketWrites: 2, quarantined: 1, presence: 1, alreadyApplied: 0, superseded: 0 });
    expect(buckets.groups.map((g) => g.sensorId)).toEqual(['a#t', 'a#p']);
    expect(quarantine.entries.map((e) => [e.reason, e.origin.sequenceNumber])).toEqual([['INVALID_JSON', '1001']]);
    expect(captured.total(METRIC_NAMES.readingsStored)).toBe(3);
    expect(captured.total(METRIC_NAMES.bucketWrites)).toBe(2);
    expect(captured.total(METRIC_NAMES.recordsQuarantined)).toBe(1);
    expect(captured.total(METRIC_NAMES.presenceEvents)).toBe(1);
    expect(captured.total(METRIC_NAMES.recordsRetried)).toBe(0);
    expect(captured.values.get(METRIC_NAMES.batchDuration)).toEqual([0]);
  });

  it('logs each batch with its shard, as the processor does', async () => {
    const buckets = new RecordingBuckets();
    const logger = silentLogger();
    const info = jest.spyOn(logger, 'info');
    const storer = new Storer({ buckets, quarantine: new MemoryQuarantine(), metrics: capturingMetrics().metrics, logger, breakers: [], now: () => NOW });
    await storer.handle(kinesisEvent(kinesisRecords([assetSecond('a', NOW - 1_000, { t: 1 })], 1000n, 'shardId-000000000003')), lambdaContext());

    const batches = info.mock.calls.filter(([message]) => message === 'batch stored').map(([, attributes]) => attributes);
    expect(batches).toEqual([expect.objectContaining({ shardId: 'shardId-000000000003', records: 1, stored: 1, failures: 0 })]);
  });

  it('stores the later of two readings of a sensor at one timestamp in a record, as the processor judges it, and counts the one it replaced', async () => {
    const store = new MemoryBuckets();
    const captured = capturingMetrics();
    const quarantine = new MemoryQuarantine();
    const buckets = new BucketWriter({ store, quarantine, retentionDays: 30, now: () => NOW });
    const storer = new Storer({ buckets, quarantine, metrics: captured.metrics, logger: silentLogger(), breakers: [], now: () => NOW });
    const ts = NOW - 1_000;
    const message = telemetry({ readings: [{ metric: 'temperature', value: 150, ts, quality: 'BAD' }, { metric: 'temperature', value: 71.3, ts, quality: 'GOOD' }] });

    const outcome = await storer.handle(kinesisEvent(kinesisRecords([message])), lambdaContext());

    expect(outcome).toMatchObject({ response: { batchItemFailures: [] }, stored: 1 });
    expect([...store.items.values()].map((item) => [item.values, item.qualities])).toEqual([[[71.3], ['GOOD']]]);
    expect(captured.total(METRIC_NAMES.readingsSuperseded)).toBe(1);
  });

  it('reports from the first record of a failed bucket on, in shard order', async () => {
    const { buckets, captured, storer } = setup();
    buckets.failSensor = 'b#t';
    const records = kinesisRecords([assetSecond('a', NOW - 3_000, { t: 1 }), assetSecond('b', NOW - 2_000, { t: 2 }), assetSecond('a', NOW - 1_000, { t: 3 })]);
    const outcome = await storer.handle(kinesisEvent(records), lambdaContext());

    expect(outcome.response).toEqual({ batchItemFailures: [{ itemIdentifier: '1001' }, { itemIdentifier: '1002' }] });
    expect(captured.total(METRIC_NAMES.recordsRetried)).toBe(2);
  });

  it('reports a record whose quarantine fails', async () => {
    const { quarantine, storer } = setup();
    quarantine.failWith = new TransientDependencyError('s3', 's3 failed after 4 attempt(s)');
    const records = kinesisRecords([assetSecond('a', NOW - 3_000, { t: 1 }), telemetry({ schemaVersion: 9 }), assetSecond('a', NOW - 1_000, { t: 3 })]);
    expect((await storer.handle(kinesisEvent(records), lambdaContext())).response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['1001', '1002']);
  });

  it('starts no write once the deadline has passed and reports everything', async () => {
    const { buckets, storer } = setup();
    const records = kinesisRecords([assetSecond('a', NOW - 3_000, { t: 1 })]);
    const outcome = await storer.handle(kinesisEvent(records), lambdaContext(100));
    expect(outcome.response.batchItemFailures).toEqual([{ itemIdentifier: '1000' }]);
    expect(buckets.groups).toEqual([]);
  });
});
