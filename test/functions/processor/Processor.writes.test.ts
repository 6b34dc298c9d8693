import { TransientDependencyError } from '../../../functions/shared/errors';
import { Processor } from '../../../functions/processor/Processor';
import type { PresenceEvent } from '../../../functions/shared/types';
import { capturingMetrics, MemoryQuarantine, silentLogger } from '../../helpers/fakes';
import { assetSecond, kinesisEvent, kinesisRecords, lambdaContext, NOW, presence } from '../../helpers/records';
import { applyInOrder, MemoryAlerts, MemoryStates, MemoryStatus, memoryProcessor, type ThingItem } from './fakePorts';

/**
 * What the processor's status writes cost (docs/local.md, findings 3 and 4): a cold start writes
 * nothing its checkpoints vouch for, and presence events cost one or two writes per thing, written
 * side by side, with the partial batch response still from the right record.
 */

const START = NOW - 120_000;
const settings = { warmupSamples: 10, cooldownSeconds: 60, limits: { temperature: { max: 100 } } };
const ASSETS = 250;
const CONCURRENCY = 16;

const assetIds = Array.from({ length: ASSETS }, (_, i) => `asset-${String(i).padStart(3, '0')}`);
const thingOf = (assetId: string): string => `gw-${assetId}`;

/** One second of every asset, each from its own thing. */
function secondOfAll(at: number, values: Record<string, number> = { temperature: 70, pressure: 2 }): object[] {
  return assetIds.map((assetId) => assetSecond(assetId, START + at * 1_000, values, thingOf(assetId)));
}

/** Presence timestamps are offsets from T0 (the validator takes only recent ones). */
const T0 = NOW - 10_000;

function presenceOf(thingName: string, eventType: 'connected' | 'disconnected', offset: number, session: Partial<ReturnType<typeof presence>> = {}): object {
  return presence({ thingName, clientId: thingName, eventType, timestamp: T0 + offset, ...session });
}

/** A lifecycle event without sessionIdentifier (no disconnect can then be of another session). */
function sessionlessPresenceOf(thingName: string, eventType: 'connected' | 'disconnected', offset: number): object {
  const { sessionIdentifier: _session, ...event } = presence({ thingName, clientId: thingName, eventType, timestamp: T0 + offset });
  return event;
}

const write = (thingName: string, eventType: string, offset: number): string => `presence:${thingName}:${eventType}:${T0 + offset}`;

describe('Processor status writes', () => {
  let states: MemoryStates;
  let status: MemoryStatus;
  let now: number;
  let sequence: bigint;

  const processor = (): Processor => memoryProcessor({ settings, states, status, now: () => now, assetConcurrency: CONCURRENCY });

  async function run(p: Processor, payloads: readonly unknown[], remaining = 60_000) {
    const records = kinesisRecords(payloads, sequence);
    sequence += BigInt(payloads.length);
    return { records, outcome: await p.handle(kinesisEvent(records), lambdaContext(remaining)) };
  }

  const failedFrom = (records: ReturnType<typeof kinesisRecords>, index: number) => records.slice(index).map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber }));

  beforeEach(() => {
    states = new MemoryStates();
    status = new MemoryStatus();
    now = NOW;
    sequence = 1_000n;
  });

  describe('new assets and cold starts (finding 3)', () => {
    it(`costs ${ASSETS} links and ${ASSETS} status writes for ${ASSETS} new assets (each link before its status), and a cold start none`, async () => {
      const { outcome } = await run(processor(), secondOfAll(0));
      expect(outcome.statusWrites).toBe(ASSETS);
      expect(status.links).toHaveLength(ASSETS);
      expect(status.writes).toHaveLength(ASSETS);
      for (const assetId of assetIds) expect(status.calls.indexOf(`link:${assetId}`)).toBeLessThan(status.calls.indexOf(`status:${assetId}`));
      expect(states.saved).toHaveLength(ASSETS);
      expect(states.items.get('asset-000')).toMatchObject({ statusThing: 'gw-asset-000', statusValue: 'OK', statusWrittenAt: NOW, statusMetrics: ['pressure', 'temperature'] });

      // A new container: one load for the batch, no link, no status write, no checkpoint (none is due).
      const cold = processor();
      now += 1_000;
      const restored = await run(cold, secondOfAll(1));
      expect(restored.outcome).toMatchObject({ judged: 2 * ASSETS, statusWrites: 0 });
      expect(states.loads).toHaveLength(2);
      expect(states.loads[1]).toHaveLength(ASSETS);
      expect([status.links.length, status.writes.length, states.saved.length]).toEqual([ASSETS, ASSETS, ASSETS]);

      // The heartbeat counts from the restored write: due a minute after it, for every asset, without links.
      now = NOW + 60_000;
      const heartbeat = await run(cold, secondOfAll(2));
      expect(heartbeat.outcome.statusWrites).toBe(ASSETS);
      expect(status.links).toHaveLength(ASSETS);
    });

    it('writes at once what the restored checkpoint does not vouch for: a status change, a new metric, a new thing', async () => {
      await run(processor(), [assetSecond('a', START, { temperature: 70 }, 'gw-01')]);
      const cold = processor();
      now += 1_000;
      await run(cold, [assetSecond('a', START + 1_000, { temperature: 70, vibration: 0.2 }, 'gw-01')]);
      expect(status.writes.map((w) => w.metrics)).toEqual([['temperature'], ['vibration']]);
      now += 1_000;
      await run(cold, [assetSecond('a', START + 2_000, { temperature: 150 }, 'gw-01')]);
      expect(status.writes.map((w) => w.status)).toEqual(['OK', 'OK', 'ANOMALY']);
      expect(states.items.get('a')).toMatchObject({ statusValue: 'ANOMALY' });
      now += 1_000;
      await run(processor(), [assetSecond('a', START + 3_000, { temperature: 150 }, 'gw-02')]);
      expect(status.links).toEqual(['gw-01>a', 'gw-02>a']);
      // The status too, though its value is the restored one: a disconnect marks only assets whose item names the thing.
      expect(status.writes.map((w) => [w.status, w.thingName])).toEqual([
        ['OK', 'gw-01'],
        ['OK', 'gw-01'],
        ['ANOMALY', 'gw-01'],
        ['ANOMALY', 'gw-02'],
      ]);
      expect(status.calls.slice(-2)).toEqual(['link:a', 'status:a']);
      expect(states.items.get('a')).toMatchObject({ statusThing: 'gw-02' });
    });

    it('writes link and status once after a checkpoint without them (written before they existed), and checkpoints them at once', async () => {
      await run(processor(), [assetSecond('a', START, { temperature: 70 })]);
      const item = states.items.get('a') as Record<string, unknown>;
      for (const name of ['statusThing', 'statusValue', 'statusWrittenAt', 'statusMetrics']) delete item[name];
      now += 1_000;
      await run(processor(), [assetSecond('a', START + 1_000, { temperature: 70 })]);
      expect([status.links.length, status.writes.length]).toEqual([2, 2]);
      expect(states.saved).toEqual(['a', 'a']);
      now += 1_000;
      await run(processor(), [assetSecond('a', START + 2_000, { temperature: 70 })]);
      expect([status.links.length, status.writes.length]).toEqual([2, 2]);
    });

    it('keeps a superseded status write out of the checkpoint, so a cold start writes the status again', async () => {
      status.supersede = true;
      await run(processor(), [assetSecond('a', START, { temperature: 70 })]);
      expect(states.items.get('a')).not.toHaveProperty('statusValue');
      expect(states.items.get('a')).toMatchObject({ statusThing: 'gw-01' });
      status.supersede = false;
      now += 1_000;
      await run(processor(), [assetSecond('a', START + 1_000, { temperature: 70 })]);
      expect([status.links.length, status.writes.length]).toEqual([1, 2]);
    });

    it('checkpoints no link or status of an asset whose commit failed, so the retry writes them', async () => {
      states.failSaveFor.add('a');
      const { records, outcome } = await run(processor(), [assetSecond('a', START, { temperature: 70 })]);
      expect(outcome.response.batchItemFailures).toEqual(failedFrom(records, 0));
      states.failSaveFor.clear();
      await run(processor(), [assetSecond('a', START, { temperature: 70 })]);
      expect([status.links.length, status.writes.length]).toEqual([2, 2]);
      expect(states.items.get('a')).toMatchObject({ statusThing: 'gw-01', statusValue: 'OK' });
    });
  });

  describe('presence (finding 4)', () => {
    it(`writes ${ASSETS} events of ${ASSETS} things once each, up to ${CONCURRENCY} at once`, async () => {
      const events = assetIds.map((assetId, i) => presenceOf(thingOf(assetId), i % 2 === 0 ? 'connected' : 'disconnected', i));
      status.beforePresence = () => new Promise((resolve) => setImmediate(resolve));
      const { outcome } = await run(processor(), events);
      expect(outcome.presence).toBe(ASSETS);
      expect(outcome.response.batchItemFailures).toEqual([]);
      expect(status.presence).toHaveLength(ASSETS);
      expect(status.maxInFlight).toBe(CONCURRENCY);
    });

    it('writes the last event of a thing, after the last disconnect before it, and leaves the items as every event in shard order would', async () => {
      const events = [
        sessionlessPresenceOf('gw-a', 'connected', 100),
        sessionlessPresenceOf('gw-a', 'disconnected', 200),
        sessionlessPresenceOf('gw-b', 'disconnected', 150),
        sessionlessPresenceOf('gw-a', 'disconnected', 150), // older than one before it: a no-op
        sessionlessPresenceOf('gw-a', 'connected', 300),
        sessionlessPresenceOf('gw-b', 'connected', 100), // older
        sessionlessPresenceOf('gw-a', 'connected', 250), // older
      ];
      status.beforePresence = () => new Promise((resolve) => setImmediate(resolve));
      const { outcome } = await run(processor(), events);
      expect(outcome.presence).toBe(events.length);
      expect(status.calls.filter((call) => call.startsWith('presence:gw-a'))).toEqual([write('gw-a', 'disconnected', 200), write('gw-a', 'connected', 300)]);
      expect(status.calls.filter((call) => call.startsWith('presence:gw-b'))).toEqual([write('gw-b', 'disconnected', 150)]);
      const expected = new Map<string, ThingItem>();
      applyInOrder(expected, events as PresenceEvent[]);
      expect(status.things).toEqual(expected);
      expect(status.things.get('gw-a')).toEqual({ lastPresenceAt: T0 + 300, eventType: 'connected', versionNumber: 1 });
    });

    it('writes every event of a thing not older than a connect before it when its sessions are out of order, and leaves the items as every event in shard order would', async () => {
      const events = [
        presenceOf('gw-a', 'connected', 100, { sessionIdentifier: 'b', versionNumber: 2 }),
        presenceOf('gw-a', 'disconnected', 150, { sessionIdentifier: 'a', versionNumber: 1 }), // the session B replaced: ignored
        presenceOf('gw-a', 'disconnected', 90, { sessionIdentifier: 'b', versionNumber: 2 }), // older than the connect: a no-op
        presenceOf('gw-a', 'disconnected', 200, { sessionIdentifier: 'b', versionNumber: 2 }),
      ];
      const { outcome } = await run(processor(), events);
      expect(outcome.presence).toBe(events.length);
      expect(status.calls).toEqual([write('gw-a', 'connected', 100), write('gw-a', 'disconnected', 150), write('gw-a', 'disconnected', 200)]);
      const expected = new Map<string, ThingItem>();
      applyInOrder(expected, events as PresenceEvent[]);
      expect(status.things).toEqual(expected);
      expect(status.things.get('gw-a')).toEqual({ lastPresenceAt: T0 + 200, eventType: 'disconnected', offlineAt: T0 + 200, sessionIdentifier: 'b', versionNumber: 2 });
    });

    it('leaves the items as they were when the batches are delivered again after a later connect with the ignored disconnect\'s timestamp', async () => {
      // Found by the property test: the replayed disconnect of session a now applies (the item knows no session), and the
      // replayed connect takes its marks off again, so the items end as before.
      const first = [
        presenceOf('gw-a', 'connected', 100, { sessionIdentifier: 'b', versionNumber: 1 }),
        presenceOf('gw-a', 'disconnected', 400, { sessionIdentifier: 'a', versionNumber: 0 }), // of another session: ignored
        presenceOf('gw-a', 'connected', 100, { sessionIdentifier: 'b', versionNumber: 1 }),
      ];
      const second = [sessionlessPresenceOf('gw-a', 'connected', 400)];
      const p = processor();
      await run(p, first);
      await run(p, second);
      const before = new Map(status.things);
      expect(before.get('gw-a')).toEqual({ lastPresenceAt: T0 + 400, eventType: 'connected', versionNumber: 1 });
      await run(p, first);
      await run(p, second);
      expect(status.things).toEqual(before);
    });

    it('passes a takeover\'s DUPLICATE_CLIENTID disconnect on after the write that covers it and logs each disconnect of another session it ignored', async () => {
      const logger = silentLogger();
      const info = jest.spyOn(logger, 'info');
      const p = new Processor({ settings, states, status, alerts: new MemoryAlerts(), quarantine: new MemoryQuarantine(), metrics: capturingMetrics().metrics, logger, statusHeartbeatSeconds: 60, breakers: [], now: () => now });
      const takeover = [
        presenceOf('gw-a', 'connected', 100, { sessionIdentifier: 'b', versionNumber: 2 }),
        presenceOf('gw-a', 'disconnected', 101, { sessionIdentifier: 'a', versionNumber: 1, disconnectReason: 'DUPLICATE_CLIENTID' }),
      ];
      const { outcome } = await run(p, takeover);
      expect([outcome.presence, outcome.response.batchItemFailures]).toEqual([2, []]);
      expect(status.calls).toEqual([write('gw-a', 'connected', 100), write('gw-a', 'disconnected', 101)]);
      expect(status.things.get('gw-a')).toEqual({ lastPresenceAt: T0 + 100, eventType: 'connected', sessionIdentifier: 'b', versionNumber: 2 });
      await run(p, [presenceOf('gw-a', 'disconnected', 102, { sessionIdentifier: 'a', versionNumber: 1 })]);
      const ignored = info.mock.calls.filter(([message]) => String(message).startsWith('disconnect of another session'));
      expect(ignored.map(([, context]) => context)).toEqual([
        { thingName: 'gw-a', reason: 'duplicateClientId', sessionIdentifier: 'a', disconnectReason: 'DUPLICATE_CLIENTID', timestamp: T0 + 101 },
        { thingName: 'gw-a', reason: 'otherSession', sessionIdentifier: 'a', disconnectReason: 'CONNECTION_LOST', timestamp: T0 + 102 },
      ]);
      expect(status.things.get('gw-a')?.eventType).toBe('connected');
    });

    it('costs at most two writes (the last disconnect, then the winner) for any number of events of a thing', async () => {
      const events = Array.from({ length: 40 }, (_, i) => presenceOf('gw-a', i % 2 === 0 ? 'connected' : 'disconnected', 1_000 + i));
      const { outcome } = await run(processor(), [...events, presenceOf('gw-a', 'connected', 2_000)]);
      expect(outcome.presence).toBe(41);
      expect(status.calls).toEqual([write('gw-a', 'disconnected', 1039), write('gw-a', 'connected', 2000)]);
    });

    it('still marks the assets it has in memory OFFLINE when the disconnect is followed by a connect', async () => {
      const p = processor();
      await run(p, [assetSecond('a', START, { temperature: 70 })]);
      status.offlineOnDisconnect = ['a'];
      await run(p, [presenceOf('gw-01', 'disconnected', START + 500 - T0), presenceOf('gw-01', 'connected', START + 600 - T0)]);
      now += 1_000;
      await run(p, [assetSecond('a', START + 1_000, { temperature: 70 })]);
      expect(status.writes.map((w) => w.status)).toEqual(['OK', 'OK']);
    });

    it('reports from the first event of a thing its failed write did not cover, and writes the other things', async () => {
      const events = [
        presenceOf('gw-a', 'connected', 100), // 0: covered by 2
        presenceOf('gw-b', 'disconnected', 100), // 1
        presenceOf('gw-a', 'disconnected', 200), // 2: written
        presenceOf('gw-a', 'connected', 300), // 3: fails
      ];
      status.failPresence = (event) => event.thingName === 'gw-a' && event.eventType === 'connected';
      const { records, outcome } = await run(processor(), events);
      expect(outcome.response.batchItemFailures).toEqual(failedFrom(records, 3));
      expect(outcome.presence).toBe(3);
      expect(status.things.get('gw-a')).toMatchObject({ lastPresenceAt: T0 + 200, eventType: 'disconnected' });
      expect(status.things.get('gw-b')).toMatchObject({ lastPresenceAt: T0 + 100, eventType: 'disconnected' });

      // The retry from record 3 on leaves the items as the whole batch would have.
      status.failPresence = undefined;
      await run(processor(), events.slice(3));
      const expected = new Map<string, ThingItem>();
      applyInOrder(expected, events as PresenceEvent[]);
      expect(status.things).toEqual(expected);
    });

    it('reports from the first event not covered when a write after a passed-on DUPLICATE_CLIENTID disconnect fails', async () => {
      const events = [
        presenceOf('gw-a', 'disconnected', 100, { sessionIdentifier: 'a', versionNumber: 1, disconnectReason: 'DUPLICATE_CLIENTID' }), // 0: passed on after 1
        presenceOf('gw-a', 'disconnected', 150, { sessionIdentifier: 'b', versionNumber: 2 }), // 1: written
        presenceOf('gw-a', 'connected', 200, { sessionIdentifier: 'c', versionNumber: 3 }), // 2: fails
      ];
      status.failPresence = (event) => event.eventType === 'connected';
      const { records, outcome } = await run(processor(), events);
      // Records 0 and 1 are done; the one passed on after the write for 1 must not move the failure back to 1.
      expect([outcome.presence, outcome.response.batchItemFailures]).toEqual([2, failedFrom(records, 2)]);
    });

    it('reports from the thing\'s first event when its first write fails', async () => {
      const events = [presenceOf('gw-a', 'connected', 100), presenceOf('gw-b', 'connected', 100), presenceOf('gw-a', 'disconnected', 200), presenceOf('gw-a', 'connected', 300)];
      status.failPresence = (event) => event.thingName === 'gw-a' && event.eventType === 'disconnected';
      const { records, outcome } = await run(processor(), events);
      expect(outcome.response.batchItemFailures).toEqual(failedFrom(records, 0));
      expect(status.calls).toEqual([write('gw-b', 'connected', 100)]);
    });

    it('leaves the events after a failed telemetry record to the retry, and writes the ones before it', async () => {
      states.failSaveFor.add('x');
      const payloads = [
        presenceOf('gw-a', 'connected', 100), // 0
        assetSecond('x', START, { temperature: 70 }), // 1: its checkpoint fails
        presenceOf('gw-a', 'disconnected', 200), // 2
        presenceOf('gw-b', 'connected', 100), // 3
      ];
      const { records, outcome } = await run(processor(), payloads);
      expect(outcome.response.batchItemFailures).toEqual(failedFrom(records, 1));
      expect(status.calls.filter((call) => call.startsWith('presence:'))).toEqual([write('gw-a', 'connected', 100)]);
      expect(outcome.presence).toBe(1);
    });

    it('writes no presence event once the deadline has passed, and reports them', async () => {
      const { records, outcome } = await run(processor(), [presenceOf('gw-a', 'connected', 100), presenceOf('gw-b', 'connected', 100)], 100);
      expect(outcome.response.batchItemFailures).toEqual(failedFrom(records, 0));
      expect(status.presence).toEqual([]);
    });

    it('reports a thing whose write failed with a dependency error, from its first event', async () => {
      status.failWith = new TransientDependencyError('dynamodb', 'dynamodb failed after 4 attempt(s)');
      const { records, outcome } = await run(processor(), [presenceOf('gw-a', 'connected', 100), presenceOf('gw-a', 'connected', 200)]);
      expect(outcome.response.batchItemFailures).toEqual(failedFrom(records, 0));
      expect(outcome.presence).toBe(0);
    });
  });
});
