import { planCapacity } from '../../charts/lib/capacity';
import { EnvironmentConfig } from '../../charts/lib/config';
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

  test('beyond the shard quota synth asks for on-demand mode', () => {
    expect(() => planCapacity(withCapacity({ sensors: 1_000_000, readingsPerSecondPerSensor: 10 }))).toThrow(
      /^config\/dev\.yaml: capacity: needs \d+ shards, above the sa-east-1 quota of 200; set capacity.onDemand: true or lower the inputs$/,
    );
    expect(planCapacity(withCapacity({ sensors: 1_000_000, readingsPerSecondPerSensor: 10, onDemand: true })).streamMode).toBe('ON_DEMAND');
  });
});
