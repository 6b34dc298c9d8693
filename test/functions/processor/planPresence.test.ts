import fc from 'fast-check';
import { groupByThing } from '../../../functions/processor/groupByThing';
import { presenceWrites } from '../../../functions/processor/presenceWrites';
import type { PresenceRecord } from '../../../functions/processor/types';
import type { PresenceEvent } from '../../../functions/shared/types';
import { presenceEvent } from '../../helpers/records';
import { applyInOrder, type ThingItem } from './fakePorts';

/** A presence record of the batch; without a session (as before sessions counted) unless given. */
function record(index: number, eventType: 'connected' | 'disconnected', timestamp: number, event: Partial<PresenceEvent> = {}): PresenceRecord {
  const thingName = event.thingName ?? 'gw-01';
  const { sessionIdentifier: _session, ...withoutSession } = presenceEvent({ eventType, timestamp, thingName, clientId: thingName });
  return {
    origin: { index, shardId: 'shardId-000000000000', sequenceNumber: String(1_000 + index), partitionKey: thingName, arrivedAt: 0 },
    event: { ...withoutSession, ...event },
  };
}

/** Session `name`, of the client id's connection `version` (unknown: none). */
const of = (name: string, version?: number): Partial<PresenceEvent> => ({ sessionIdentifier: name, ...(version === undefined ? {} : { versionNumber: version }) });
const superseded = (name: string, version?: number): Partial<PresenceEvent> => ({ ...of(name, version), disconnectReason: 'DUPLICATE_CLIENTID' });

interface InitialItem {
  readonly lastPresenceAt: number;
  readonly connected: boolean;
  readonly disconnectedAt: number | undefined;
  readonly session: string | undefined;
  readonly version: number | undefined;
}

const indexes = (records: readonly PresenceRecord[]): number[] => records.map((r) => r.origin.index);

describe('groupByThing', () => {
  it('keeps shard order within a thing and orders things by their first event', () => {
    const groups = groupByThing([record(0, 'connected', 1, { thingName: 'b' }), record(1, 'connected', 1, { thingName: 'a' }), record(2, 'disconnected', 2, { thingName: 'b' })]);
    expect(groups.map((g) => [g.thingName, indexes(g.events)])).toEqual([
      ['b', [0, 2]],
      ['a', [1]],
    ]);
  });
});

describe('presenceWrites', () => {
  it('writes the last event with the newest timestamp, after the last disconnect that applies before it (no sessions)', () => {
    expect(indexes(presenceWrites([record(0, 'connected', 1), record(1, 'connected', 3), record(2, 'connected', 2)]))).toEqual([1]);
    expect(indexes(presenceWrites([record(0, 'disconnected', 1), record(1, 'connected', 3), record(2, 'disconnected', 2)]))).toEqual([0, 1]);
    expect(indexes(presenceWrites([record(0, 'connected', 5), record(1, 'disconnected', 5)]))).toEqual([1]);
    expect(indexes(presenceWrites([record(0, 'disconnected', 5), record(1, 'connected', 5)]))).toEqual([0, 1]);
    expect(indexes(presenceWrites([record(0, 'disconnected', 7), record(1, 'connected', 5)]))).toEqual([0]);
    expect(presenceWrites([])).toEqual([]);
  });

  it('writes the same two for sessions in order, the last disconnect with the timestamp of its session\'s connect', () => {
    const flapping = [
      record(0, 'disconnected', 1, of('A', 1)),
      record(1, 'connected', 2, of('B', 2)),
      record(2, 'disconnected', 3, of('B', 2)),
      record(3, 'connected', 4, of('C', 3)),
      record(4, 'disconnected', 5, of('C', 3)),
      record(5, 'connected', 6, of('D', 4)),
    ];
    const writes = presenceWrites(flapping);
    expect(indexes(writes)).toEqual([4, 5]);
    expect(writes[0]?.event).toEqual({ ...flapping[4]?.event, sessionConnectedAt: 4 });
    expect(writes[1]?.event).toEqual(flapping[5]?.event);
    // A first disconnect has no connect before it in the batch: the item holds its session.
    expect(presenceWrites([record(0, 'disconnected', 1, of('A', 1)), record(1, 'connected', 2, of('B', 2))]).map((r) => r.event.sessionConnectedAt)).toEqual([undefined, undefined]);
  });

  it('writes every event but those older than a connect before them when a disconnect may be of another session or the events are out of order', () => {
    // B took over; A's disconnect, stamped later, must not mark B's assets, so B's connect is written on its own.
    expect(indexes(presenceWrites([record(0, 'connected', 2, of('B', 2)), record(1, 'disconnected', 3, of('A', 1))]))).toEqual([0, 1]);
    expect(indexes(presenceWrites([record(0, 'disconnected', 7, of('A', 1)), record(1, 'connected', 5, of('A', 1)), record(2, 'disconnected', 4, of('A', 1))]))).toEqual([0, 1]);
  });

  it('passes a DUPLICATE_CLIENTID disconnect on after the write that covers it, so no write stands for an event not yet written', () => {
    const takeover = [record(0, 'connected', 2, of('B', 2)), record(1, 'disconnected', 3, superseded('A', 1)), record(2, 'disconnected', 4, of('B', 2))];
    expect(indexes(presenceWrites(takeover))).toEqual([2, 1]);
    expect(indexes(presenceWrites([record(0, 'disconnected', 3, superseded('A', 1)), record(1, 'connected', 2, of('B', 2))]))).toEqual([1, 0]);
    expect(indexes(presenceWrites([record(0, 'connected', 2, of('B', 2)), record(1, 'disconnected', 3, superseded('A', 1)), record(2, 'connected', 4, of('C', 3))]))).toEqual([2, 1]);
    expect(indexes(presenceWrites([record(0, 'disconnected', 3, superseded('A', 1))]))).toEqual([0]);
  });

  const SESSIONS = ['A', 'B', 'C'] as const;
  const arbSession = fc.option(fc.record({ name: fc.constantFrom(...SESSIONS), version: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }) }), { nil: undefined });
  const arbEvents = fc.array(fc.record({ disconnect: fc.boolean(), timestamp: fc.integer({ min: 0, max: 6 }), session: arbSession, superseded: fc.boolean() }), { maxLength: 12 });
  /** Flapping in order: each connect a new connection, each disconnect of the session before it; some redeliveries and takeovers. */
  const arbFlapping = fc.array(fc.record({ gap: fc.integer({ min: 0, max: 1 }), redeliver: fc.boolean(), takeover: fc.boolean() }), { maxLength: 12 }).map((steps) => {
    const events: PresenceRecord[] = [];
    let timestamp = 0;
    let version = 0;
    let connected = false;
    for (const step of steps) {
      const last = events.at(-1);
      if (step.redeliver && last !== undefined) events.push({ ...last, origin: { ...last.origin, index: events.length } });
      else if (connected && step.takeover) {
        version += 1;
        events.push(record(events.length, 'connected', timestamp, of(SESSIONS[version % 3] as string, version)));
        events.push(record(events.length, 'disconnected', timestamp, superseded(SESSIONS[(version - 1) % 3] as string, version - 1)));
      } else if (connected) events.push(record(events.length, 'disconnected', timestamp, of(SESSIONS[version % 3] as string, version)));
      else {
        version += 1;
        events.push(record(events.length, 'connected', timestamp, of(SESSIONS[version % 3] as string, version)));
      }
      connected = events.at(-1)?.event.eventType === 'connected' || events.at(-1)?.event.disconnectReason === 'DUPLICATE_CLIENTID';
      timestamp += step.gap;
    }
    return events;
  });
  const arbItem = fc.option(
    fc.record({
      lastPresenceAt: fc.integer({ min: 0, max: 6 }),
      connected: fc.boolean(),
      disconnectedAt: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
      session: fc.option(fc.constantFrom(...SESSIONS, 'X'), { nil: undefined }),
      version: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
    }),
    { nil: undefined },
  );

  function leavesItemsAsEveryEvent(events: readonly PresenceRecord[], initial: InitialItem | undefined): void {
    const start = new Map<string, ThingItem>();
    if (initial !== undefined) {
      const { lastPresenceAt, connected, disconnectedAt, session, version } = initial;
      start.set('gw-01', {
        lastPresenceAt,
        eventType: connected ? 'connected' : 'disconnected',
        ...(disconnectedAt === undefined ? {} : { offlineAt: disconnectedAt }),
        ...(session === undefined ? {} : { sessionIdentifier: session }),
        ...(version === undefined ? {} : { versionNumber: version }),
      });
    }
    const all = new Map(start);
    applyInOrder(all, events.map((r) => r.event));
    const written = new Map(start);
    for (const write of presenceWrites(events)) {
      applyInOrder(written, [write.event]);
      if (write.event.disconnectReason === 'DUPLICATE_CLIENTID') continue; // changes nothing, written after the write that covers it
      const upTo = new Map(start);
      applyInOrder(upTo, events.slice(0, write.origin.index + 1).map((r) => r.event));
      expect(written).toEqual(upTo);
    }
    expect(written).toEqual(all);
  }

  it('leaves the thing item as every event in shard order would, and after each write as every event up to it would', () => {
    fc.assert(
      fc.property(arbEvents, arbItem, (generated, initial) => {
        const events = generated.map((e, i) =>
          record(i, e.disconnect ? 'disconnected' : 'connected', e.timestamp, e.session === undefined ? {} : (e.disconnect && e.superseded ? superseded : of)(e.session.name, e.session.version)),
        );
        leavesItemsAsEveryEvent(events, initial);
      }),
      { numRuns: 3_000 },
    );
  });

  it('costs at most two writes, beside the DUPLICATE_CLIENTID disconnects, for drops, reconnects and takeovers in order, and leaves the items as every event would', () => {
    fc.assert(
      fc.property(arbFlapping, arbItem, (events, initial) => {
        leavesItemsAsEveryEvent(events, initial);
        const writes = presenceWrites(events).filter((r) => r.event.disconnectReason !== 'DUPLICATE_CLIENTID');
        expect(writes.length).toBeLessThanOrEqual(2);
      }),
      { numRuns: 3_000 },
    );
  });
});
