import fc from 'fast-check';
import { groupByThing } from '../../../functions/processor/groupByThing';
import { presenceWrites } from '../../../functions/processor/presenceWrites';
import type { PresenceRecord } from '../../../functions/processor/types';
import { presenceEvent } from '../../helpers/records';
import { applyInOrder, type ThingItem } from './fakePorts';

function record(index: number, eventType: 'connected' | 'disconnected', timestamp: number, thingName = 'gw-01'): PresenceRecord {
  return {
    origin: { index, shardId: 'shardId-000000000000', sequenceNumber: String(1_000 + index), partitionKey: thingName, arrivedAt: 0 },
    event: presenceEvent({ eventType, timestamp, thingName, clientId: thingName }),
  };
}

const indexes = (records: readonly PresenceRecord[]): number[] => records.map((r) => r.origin.index);

describe('groupByThing', () => {
  it('keeps shard order within a thing and orders things by their first event', () => {
    const groups = groupByThing([record(0, 'connected', 1, 'b'), record(1, 'connected', 1, 'a'), record(2, 'disconnected', 2, 'b')]);
    expect(groups.map((g) => [g.thingName, indexes(g.events)])).toEqual([
      ['b', [0, 2]],
      ['a', [1]],
    ]);
  });
});

describe('presenceWrites', () => {
  it('writes the last event with the newest timestamp, after the last disconnect that applies before it', () => {
    expect(indexes(presenceWrites([record(0, 'connected', 1), record(1, 'connected', 3), record(2, 'connected', 2)]))).toEqual([1]);
    expect(indexes(presenceWrites([record(0, 'disconnected', 1), record(1, 'connected', 3), record(2, 'disconnected', 2)]))).toEqual([0, 1]);
    expect(indexes(presenceWrites([record(0, 'connected', 5), record(1, 'disconnected', 5)]))).toEqual([1]);
    expect(indexes(presenceWrites([record(0, 'disconnected', 5), record(1, 'connected', 5)]))).toEqual([0, 1]);
    expect(indexes(presenceWrites([record(0, 'disconnected', 7), record(1, 'connected', 5)]))).toEqual([0]);
    expect(presenceWrites([])).toEqual([]);
  });

  const arbEvents = fc.array(fc.record({ disconnect: fc.boolean(), timestamp: fc.integer({ min: 0, max: 6 }) }), { maxLength: 12 });
  const arbItem = fc.option(fc.record({ lastPresenceAt: fc.integer({ min: 0, max: 6 }), disconnectedAt: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }) }), { nil: undefined });

  it('leaves the thing item as every event in shard order would, and after each write as every event up to it would', () => {
    fc.assert(
      fc.property(arbEvents, arbItem, (generated, initial) => {
        const events = generated.map((e, i) => record(i, e.disconnect ? 'disconnected' : 'connected', e.timestamp));
        const start = new Map<string, ThingItem>();
        if (initial !== undefined) {
          const { lastPresenceAt, disconnectedAt } = initial;
          start.set('gw-01', { lastPresenceAt, eventType: 'connected', ...(disconnectedAt === undefined ? {} : { offlineAt: disconnectedAt }) });
        }
        const all = new Map(start);
        applyInOrder(all, events.map((r) => r.event));
        const written = new Map(start);
        const writes = presenceWrites(events);
        expect(writes.length).toBeLessThanOrEqual(2);
        for (const write of writes) {
          applyInOrder(written, [write.event]);
          const upTo = new Map(start);
          applyInOrder(upTo, events.slice(0, write.origin.index + 1).map((r) => r.event));
          expect(written).toEqual(upTo);
        }
        expect(written).toEqual(all);
      }),
      { numRuns: 2_000 },
    );
  });
});
