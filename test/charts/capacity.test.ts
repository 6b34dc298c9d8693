import { planCapacity } from '../../charts/lib/capacity';
import { ConfigError, EnvironmentConfig } from '../../charts/lib/config';
import { loadEnvironmentConfig } from '../../charts/lib/loadEnvironmentConfig';
import { fanOutStageProps } from '../helpers/platform';

function withCapacity(capacity: Partial<EnvironmentConfig['capacity']>): EnvironmentConfig {
  const config = loadEnvironmentConfig('dev');
  return { ...config, capacity: { ...config.capacity, ...capacity } };
}

describe('capacity plan', () => {
  test('dev: 2,000 sensors at 1/s fit one shard with headroom', () => {
    const plan = planCapacity(loadEnvironmentConfig('dev'));
    expect(plan.recordsPerSecond).toBe(250);
    expect(plan.bytesPerRecord).toBe(8 * 90 + 250);
    expect(plan.shardCount).toBe(1);
    expect(plan.streamMode).toBe('PROVISIONED');
    expect(plan.shardsForProcessing).toBeLessThan(1);
  });

  test('prod: the three consumers sharing 2 MiB/s per shard set the shard count', () => {
    const plan = planCapacity(loadEnvironmentConfig('prod'));
    // 12,000 readings/s / 8 = 1,500 records/s of 970 B = 1,455,000 B/s; reads: x3 / 2 MiB = 2.08 shards; x2 headroom -> 5.
    expect(plan.ingressBytesPerSecond).toBe(1_455_000);
    expect(plan.shardsForReads).toBeGreaterThan(plan.shardsForWriteRecords);
    expect(plan.shardCount).toBe(5);
    expect(plan.derivation).toContain('shards          = ceil(max(write, read, process) x 2 headroom) = 5');
  });

  test('prod reading through its fan-out consumer: two readers share 2 MiB/s per shard, and the writes set the count', () => {
    const plan = planCapacity(fanOutStageProps('prod', 1796126400).config);
    // reads: 1,455,000 B/s x 2 / 2 MiB = 1.388 shards, below the 1.5 of 1,500 records/s; x2 headroom -> 3.
    expect(plan.sharedReadConsumers).toBe(2);
    expect(plan.shardsForReads).toBeLessThan(plan.shardsForWriteRecords);
    expect(plan.shardCount).toBe(3);
    expect(plan.derivation).toContain(
      'shards (read)   = 1455000 x 2 consumers / 2 MiB = 1.388 (the processor reads through its enhanced fan-out consumer, outside the shared 2 MiB)',
    );
    // Registering the consumer alone (the first step) changes nothing: the processor still polls.
    expect(planCapacity(loadEnvironmentConfig('prod'))).toMatchObject({ sharedReadConsumers: 3, shardCount: 5 });
  });

  test('a record-bound load is sized by the 1,000 records/s write limit', () => {
    const plan = planCapacity(withCapacity({ sensors: 10_000, readingsPerMessage: 1, bytesPerReading: 16, headroom: 1 }));
    expect(plan.shardsForWriteRecords).toBe(10);
    expect(plan.shardCount).toBe(10);
  });

  test('a processing-bound load gets shards, not concurrent batches of one shard', () => {
    // 400 records/s of 500 readings at 25.1 ms each = 10.04 busy seconds per second: 20.08 shards at 0.5
    // utilisation, above reads (4.72) and writes (3.15); x2 headroom -> 41.
    const plan = planCapacity(withCapacity({ sensors: 200_000, readingsPerSecondPerSensor: 1, readingsPerMessage: 500, bytesPerReading: 16 }));
    expect(plan.shardsForProcessing).toBeCloseTo(20.08, 2);
    expect(plan.shardsForProcessing).toBeGreaterThan(plan.shardsForReads);
    expect(plan.shardCount).toBe(41);
    expect(plan.derivation).toContain('shards (process)= 400 x 25.1 ms / 1000 / 0.5 utilisation = 20.08 (one processor batch per shard at a time)');
  });

  test('beyond the platform\'s 200 provisioned shards a ConfigError names the driving fields and the most sensors that fit', () => {
    const attempt = () => planCapacity(withCapacity({ sensors: 1_000_000, readingsPerSecondPerSensor: 10 }));
    expect(attempt).toThrow(ConfigError);
    // 1,000,000 x 10 / 8 = 1,250,000 records/s of 970 B, read by 3: 3,468.2 shards x 2 headroom -> 3469 (the reads bind).
    expect(attempt).toThrow(
      new Error(
        'config/dev.yaml: capacity.sensors: value 1000000 is not allowed; with capacity.readingsPerSecondPerSensor 10, readingsPerMessage 8, bytesPerReading 90 and headroom 2 ' +
          "the stream needs 3469 shards, over the platform's 200 (the processor and the storer each run one Lambda invocation per shard); at most 57653 sensors fit",
      ),
    );
    expect(planCapacity(withCapacity({ sensors: 57_653, readingsPerSecondPerSensor: 10 })).shardCount).toBe(200);
    expect(() => planCapacity(withCapacity({ sensors: 57_654, readingsPerSecondPerSensor: 10 }))).toThrow(/needs 201 shards/);
  });

  test('a processing-bound load beyond 200 shards is refused too, without pointing to on-demand mode, which sizes to the writes', () => {
    // 200,000 sensors packing 500 readings: 400 records/s, 20.08 processing shards x 10 headroom -> 201; writes and reads need 47.2.
    expect(() => planCapacity(withCapacity({ sensors: 200_000, readingsPerMessage: 500, bytesPerReading: 16, headroom: 10 }))).toThrow(
      new Error(
        'config/dev.yaml: capacity.sensors: value 200000 is not allowed; with capacity.readingsPerSecondPerSensor 1, readingsPerMessage 500, bytesPerReading 16 and headroom 10 ' +
          "the stream needs 201 shards, over the platform's 200 (the processor and the storer each run one Lambda invocation per shard); at most 199203 sensors fit",
      ),
    );
  });

  test('on-demand mode is bounded by what an on-demand stream takes in sa-east-1', () => {
    // 200 shards' worth: 200 MiB/s and 200,000 records/s in, 400 MiB/s out to the shared readers.
    expect(planCapacity(withCapacity({ sensors: 57_653, readingsPerSecondPerSensor: 10, onDemand: true })).streamMode).toBe('ON_DEMAND');
    const attempt = () => planCapacity(withCapacity({ sensors: 1_000_000, readingsPerSecondPerSensor: 100, onDemand: true }));
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      new Error(
        'config/dev.yaml: capacity.sensors: value 1000000 is not allowed; with capacity.readingsPerSecondPerSensor 100, readingsPerMessage 8, bytesPerReading 90 and headroom 2 ' +
          'the stream would take 24250000000 B/s and 25000000 records/s in and give 72750000000 B/s to its 3 shared readers at peak, over what an on-demand stream takes in sa-east-1: ' +
          '209715200 B/s and 200000 records/s in, 419430400 B/s out; at most 5765 sensors fit',
      ),
    );
    expect(() => planCapacity(withCapacity({ sensors: 57_654, readingsPerSecondPerSensor: 10, onDemand: true }))).toThrow(/at most 57653 sensors fit$/);
  });

  test('a record-bound on-demand load is held to 200,000 records/s at peak', () => {
    // One 16-byte reading per message: 100,000 records/s x 2 headroom is the limit exactly; one sensor more is over it.
    const recordBound = { readingsPerSecondPerSensor: 1, readingsPerMessage: 1, bytesPerReading: 16, onDemand: true };
    expect(planCapacity(withCapacity({ ...recordBound, sensors: 100_000 })).recordsPerSecond).toBe(100_000);
    expect(() => planCapacity(withCapacity({ ...recordBound, sensors: 100_001 }))).toThrow(/200002 records\/s in .* at most 100000 sensors fit$/);
  });
});
