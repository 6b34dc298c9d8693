import fc from 'fast-check';
import type { KinesisStreamRecord } from 'aws-lambda';
import { METRIC_NAMES } from '../../../functions/shared/constants';
import { TransientDependencyError } from '../../../functions/shared/errors';
import { quarantineKey } from '../../../functions/shared/quarantineKey';
import type { QuarantineEntry, QuarantineSink } from '../../../functions/shared/QuarantineWriter';
import type { PresenceEvent } from '../../../functions/shared/types';
import { Processor, type ProcessorOutcome } from '../../../functions/processor/Processor';
import type { AlertPort, AnomalyAlert, AssetStatusUpdate, DetectorCheckpoint, DetectorStatePort, EpisodeRecovery, ShardClaim, ShardLease, StatusPort } from '../../../functions/processor/types';
import {
  accountFor,
  arbBatches,
  arbFaultSchedule,
  distinctInstants,
  FaultCursor,
  type Fault,
  type GeneratedBatch,
  type InvocationAccount,
  type Payload,
} from '../../helpers/arbitraries';
import { capturingMetrics, MemoryQuarantine, silentLogger } from '../../helpers/fakes';
import { kinesisEvent, lambdaContext, NOW } from '../../helpers/records';
import { applyInOrder, MemoryAlerts, MemoryStates, MemoryStatus, type ThingItem } from '../processor/fakePorts';

/**
 * Property tests of the processor's batch logic (the Processor the handler wires, with the
 * in-memory ports of the unit tests) fed bad input: arbitrary bytes and JSON, broken and fuzzed
 * contract records, mixed with valid ones, presence events, resends and redeliveries, with and
 * without injected faults.
 */

const RUNS = 150;
/** A temperature above 100 breaches its limit: episodes and alerts happen in generated batches. */
const SETTINGS = { warmupSamples: 10, cooldownSeconds: 60, limits: { temperature: { max: 100 } } };

const injected = (dependency: string, what: string): TransientDependencyError => new TransientDependencyError(dependency, `${what} (injected)`);

/** detectorState with faults: a failed load throws; a failed checkpoint is reported unwritten (or written and reported, as after a timeout). */
class FlakyStates implements DetectorStatePort {
  constructor(
    readonly memory: MemoryStates,
    readonly faults: FaultCursor,
  ) {}

  async load(assetIds: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    if (this.faults.next() !== 'ok') throw injected('dynamodb', 'BatchGetItem');
    return this.memory.load(assetIds);
  }

  async save(checkpoints: readonly DetectorCheckpoint[]): Promise<{ failed: ReadonlySet<string>; error?: unknown }> {
    const failed = new Set<string>();
    const written: DetectorCheckpoint[] = [];
    for (const checkpoint of checkpoints) {
      const fault = this.faults.next();
      if (fault !== 'fail') written.push(checkpoint);
      if (fault !== 'ok') failed.add(checkpoint.assetId);
    }
    await this.memory.save(written);
    return failed.size > 0 ? { failed, error: injected('dynamodb', 'BatchWriteItem unprocessed items') } : { failed };
  }
  async claimShard(claim: ShardClaim): Promise<ShardLease | undefined> {
    const fault = this.faults.next();
    if (fault === 'fail') throw injected('dynamodb', 'UpdateItem lease');
    const previous = await this.memory.claimShard(claim);
    if (fault !== 'ok') throw injected('dynamodb', 'UpdateItem lease timed out after the write');
    return previous;
  }
}

class FlakyStatus implements StatusPort {
  constructor(
    readonly memory: MemoryStatus,
    readonly faults: FaultCursor,
  ) {}

  async #call<T>(what: string, call: () => Promise<T>): Promise<T> {
    const fault = this.faults.next();
    if (fault === 'fail') throw injected('dynamodb', what);
    const result = await call();
    if (fault === 'failAfter') throw injected('dynamodb', `${what} timed out after the write`);
    return result;
  }

  writeAssetStatus(update: AssetStatusUpdate): Promise<'written' | 'superseded'> {
    return this.#call('UpdateItem status', () => this.memory.writeAssetStatus(update));
  }

  registerThingAsset(update: Pick<AssetStatusUpdate, 'assetId' | 'thingName'>): Promise<'written' | 'full'> {
    return this.#call('UpdateItem thing link', () => this.memory.registerThingAsset(update));
  }

  applyPresence(event: PresenceEvent): Promise<{ readonly applied: boolean; readonly offline: readonly string[] }> {
    return this.#call('UpdateItem presence', () => this.memory.applyPresence(event));
  }
}

class FlakyAlerts implements AlertPort {
  constructor(
    readonly memory: MemoryAlerts,
    readonly faults: FaultCursor,
  ) {}

  publish(alert: AnomalyAlert): Promise<void> {
    return this.#publishing(() => this.memory.publish(alert));
  }

  publishRecovery(recovery: EpisodeRecovery): Promise<void> {
    return this.#publishing(() => this.memory.publishRecovery(recovery));
  }

  async #publishing(publish: () => Promise<void>): Promise<void> {
    const fault = this.faults.next();
    if (fault === 'fail') throw injected('sns', 'Publish');
    await publish();
    if (fault === 'failAfter') throw injected('sns', 'Publish timed out after it was accepted');
  }
}

class FlakyQuarantine implements QuarantineSink {
  constructor(
    readonly memory: MemoryQuarantine,
    readonly faults: FaultCursor,
  ) {}

  async write(entry: QuarantineEntry): Promise<string> {
    const fault = this.faults.next();
    if (fault === 'fail') throw injected('s3', 'PutObject');
    const key = await this.memory.write(entry);
    if (fault === 'failAfter') throw injected('s3', 'PutObject timed out after the write');
    return key;
  }
}

interface Faults {
  readonly states?: readonly Fault[];
  readonly status?: readonly Fault[];
  readonly alerts?: readonly Fault[];
  readonly quarantine?: readonly Fault[];
}

interface ProcessorRig {
  readonly states: MemoryStates;
  readonly status: MemoryStatus;
  readonly alerts: MemoryAlerts;
  readonly quarantine: MemoryQuarantine;
  readonly cursors: readonly FaultCursor[];
  readonly processor: Processor;
  readonly retried: () => number;
  /** A new container on the same tables (detector state restored from the checkpoints). */
  readonly coldProcessor: () => Processor;
}

function rig(faults: Faults = {}): ProcessorRig {
  const states = new MemoryStates();
  const status = new MemoryStatus();
  const alerts = new MemoryAlerts();
  const quarantine = new MemoryQuarantine();
  const cursors = {
    states: new FaultCursor(faults.states ?? []),
    status: new FaultCursor(faults.status ?? []),
    alerts: new FaultCursor(faults.alerts ?? []),
    quarantine: new FaultCursor(faults.quarantine ?? []),
  };
  const captured = capturingMetrics();
  const ports = {
    states: new FlakyStates(states, cursors.states),
    status: new FlakyStatus(status, cursors.status),
    alerts: new FlakyAlerts(alerts, cursors.alerts),
    quarantine: new FlakyQuarantine(quarantine, cursors.quarantine),
  };
  const make = (): Processor =>
    new Processor({
      settings: SETTINGS,
      ...ports,
      metrics: captured.metrics,
      logger: silentLogger(),
      statusHeartbeatSeconds: 60,
      // Every batch that judged something checkpoints: the checkpoint then tells what was judged.
      checkpointIntervalSeconds: 0,
      breakers: [],
      now: () => NOW,
    });
  return { states, status, alerts, quarantine, cursors: Object.values(cursors), processor: make(), retried: () => captured.total(METRIC_NAMES.recordsRetried), coldProcessor: make };
}

interface Invocation {
  readonly outcome: ProcessorOutcome;
  readonly account: InvocationAccount;
  /** Thing items before the invocation. */
  readonly thingsBefore: ReadonlyMap<string, ThingItem>;
}

async function invoke(r: ProcessorRig, processor: Processor, records: readonly KinesisStreamRecord[], payloads: readonly Payload[]): Promise<Invocation> {
  const before = r.quarantine.entries.length;
  const thingsBefore = new Map(r.status.things);
  const outcome = await processor.handle(kinesisEvent([...records]), lambdaContext());
  const account = accountFor({
    records,
    payloads,
    failedIdentifiers: outcome.response.batchItemFailures.map((f) => f.itemIdentifier),
    quarantined: r.quarantine.entries.slice(before),
  });
  return { outcome, account, thingsBefore };
}

/** Readings the processor must judge or skip for the accepted telemetry: distinct (metric, ts) per record. */
function expectedReadings(account: InvocationAccount): number {
  return account.accepted.reduce((n, { record }) => n + (record.kind === 'telemetry' ? distinctInstants(record.readings) : 0), 0);
}

/**
 * Every accepted record before the first failed one is done: telemetry covered by its asset's
 * checkpoint; presence as applying the accepted events one by one in shard order leaves the thing
 * items (exactly when nothing was reported; at least that far when later events may have landed too).
 */
function expectDone(r: ProcessorRig, invocation: Invocation): void {
  const presence = invocation.account.accepted.flatMap(({ record }) => (record.kind === 'presence' ? [record] : []));
  const expected = new Map(invocation.thingsBefore);
  applyInOrder(expected, presence);
  const touched = new Set(presence.map((p) => p.thingName));
  for (const thingName of touched) {
    const want: ThingItem | undefined = expected.get(thingName);
    const got = r.status.things.get(thingName);
    if (invocation.outcome.response.batchItemFailures.length === 0) {
      expect(got).toEqual(want);
      // A thing none of whose events applied (only DUPLICATE_CLIENTID disconnects, say) requires nothing.
    } else if (want !== undefined) {
      expect(got?.lastPresenceAt).toBeGreaterThanOrEqual(want.lastPresenceAt);
      // A later connect that landed took the marks off (its item has no offlineAt).
      if (want.offlineAt !== undefined && got?.eventType === 'disconnected') expect(got.offlineAt).toBeGreaterThanOrEqual(want.offlineAt);
    }
  }
  for (const { index, record } of invocation.account.accepted) {
    if (record.kind !== 'telemetry') continue;
    const newest = Math.max(...record.readings.map((reading) => reading.ts));
    const checkpointed = r.states.lastTs(record.assetId);
    if (typeof checkpointed !== 'number' || checkpointed < newest) {
      throw new Error(`record ${index} (asset ${record.assetId}, newest ts ${newest}) is not covered by the asset's checkpoint (lastTs ${String(checkpointed)})`);
    }
  }
}

const keysOf = (entries: readonly QuarantineEntry[]): Set<string> => new Set(entries.map((e) => quarantineKey('processor', e)));

function expectNoAlertTwice(alerts: readonly AnomalyAlert[]): void {
  const ids = alerts.map((a) => a.episodeId);
  expect(new Set(ids).size).toBe(ids.length);
}

/**
 * The fault-free property: every record judged (or skipped as already judged), quarantined once or
 * reported; then a redelivery to the same container and to a new one judges nothing again and
 * changes no checkpoint, alert, status or quarantine key.
 */
async function judgesEachRecordOnce(batches: readonly GeneratedBatch[]): Promise<void> {
  const r = rig();
  for (const batch of batches) {
    const invocation = await invoke(r, r.processor, batch.records, batch.payloads);
    const { outcome, account } = invocation;
    expect(outcome.response.batchItemFailures).toEqual([]);
    expect(outcome.quarantined).toBe(account.quarantined.size);
    expect(outcome.presence).toBe(account.accepted.filter((a) => a.record.kind === 'presence').length);
    expect(outcome.quarantined + account.accepted.length).toBe(batch.records.length);
    expect(outcome.judged + outcome.skipped).toBe(expectedReadings(account));
    expectDone(r, invocation);
  }
  expect(r.retried()).toBe(0);
  expectNoAlertTwice(r.alerts.published);

  const checkpoints = new Map(r.states.items);
  const things = new Map(r.status.things);
  const alerts = r.alerts.published.length;
  const statusWrites = r.status.writes.length;
  const keys = keysOf(r.quarantine.entries);
  for (const processor of [r.processor, r.coldProcessor()]) {
    for (const batch of batches) {
      const { outcome, account } = await invoke(r, processor, batch.records, batch.payloads);
      expect(outcome.response.batchItemFailures).toEqual([]);
      expect([outcome.judged, outcome.alertsPublished, outcome.statusWrites, outcome.anomaliesOpened]).toEqual([0, 0, 0, 0]);
      expect(outcome.skipped).toBe(expectedReadings(account));
    }
    expect(r.states.items).toEqual(checkpoints);
    expect(r.status.things).toEqual(things);
  }
  expect([r.alerts.published.length, r.status.writes.length]).toEqual([alerts, statusWrites]);
  expect(keysOf(r.quarantine.entries)).toEqual(keys);
}

describe('processor, property-based: bad input', () => {
  it('never throws; every record is judged, quarantined once or reported; a redelivery judges nothing again and changes nothing', async () => {
    await fc.assert(fc.asyncProperty(arbBatches({ prototypeMetrics: true }), judgesEachRecordOnce), { numRuns: RUNS });
  });

  it('judges batches spread over two containers at random (Lambda keeps no shard on one environment) exactly as one container does', async () => {
    await fc.assert(
      fc.asyncProperty(arbBatches({ prototypeMetrics: false, maxBatches: 6, oneShard: true }), fc.array(fc.boolean(), { minLength: 2, maxLength: 12 }), async (batches, hops) => {
        const reference = rig();
        for (const batch of batches) await invoke(reference, reference.processor, batch.records, batch.payloads);

        const r = rig();
        const containers = [r.processor, r.coldProcessor()] as const;
        for (const [i, batch] of batches.entries()) {
          const invocation = await invoke(r, containers[hops[i % hops.length] === true ? 1 : 0], batch.records, batch.payloads);
          expect(invocation.outcome.response.batchItemFailures).toEqual([]);
          expectDone(r, invocation);
        }
        expect(r.states.items).toEqual(reference.states.items);
        expect(r.status.things).toEqual(reference.status.things);
        expect(r.alerts.published.map((alert) => alert.episodeId)).toEqual(reference.alerts.published.map((alert) => alert.episodeId));
        expect(r.alerts.recoveries.map((recovery) => recovery.episodeId)).toEqual(reference.alerts.recoveries.map((recovery) => recovery.episodeId));
      }),
      { numRuns: RUNS },
    );
  });

  /**
   * Metric names that are properties of Object.prototype (`constructor`, `toString`, `__proto__`)
   * match the contract's identifier pattern; the samples key them in prototype-less records
   * (functions/shared/metricRecord.ts), so they are judged like any other name.
   */
  it('judges valid metric names that are properties of Object.prototype like any other', async () => {
    await fc.assert(fc.asyncProperty(arbBatches({ prototypeMetrics: true }), judgesEachRecordOnce), { numRuns: RUNS });
  });

  it('with injected faults, reports exactly a suffix from the first failed record, loses nothing before it, and converges to the fault-free result', async () => {
    const schedules = fc.record({ states: arbFaultSchedule(12), status: arbFaultSchedule(20), alerts: arbFaultSchedule(4), quarantine: arbFaultSchedule(12) });
    await fc.assert(
      fc.asyncProperty(arbBatches({ maxBatches: 1, prototypeMetrics: false, goodWeight: 6 }), schedules, async ([batch], faults) => {
        if (batch === undefined) return;
        const reference = rig();
        const cleanInvocation = await invoke(reference, reference.processor, batch.records, batch.payloads);
        expectDone(reference, cleanInvocation);
        const clean = cleanInvocation.outcome;

        const r = rig(faults);
        let records = batch.records;
        let payloads = batch.payloads;
        let judged = 0;
        for (let attempt = 1; records.length > 0; attempt += 1) {
          if (attempt > 8) for (const cursor of r.cursors) cursor.enabled = false;
          expect(attempt).toBeLessThanOrEqual(12);
          const invocation = await invoke(r, r.processor, records, payloads);
          expectDone(r, invocation);
          judged += invocation.outcome.judged;
          records = records.slice(invocation.account.firstFailed);
          payloads = payloads.slice(invocation.account.firstFailed);
        }
        // Same judgement as without faults: the same checkpoints (detector state, lastTs and the metrics
        // judged there), the same episodes (an alert may go out again, only with its episode id), every
        // sample judged at most once. (Fewer when a checkpoint write timed out after it was stored: the
        // retry restores it and skips what it covers.)
        expect(judged).toBeLessThanOrEqual(clean.judged);
        if (!faults.states.includes('failAfter')) expect(judged).toBe(clean.judged);
        expect(r.states.items).toEqual(reference.states.items);
        expect(r.status.things).toEqual(reference.status.things);
        expect(new Set(r.alerts.published.map((a) => a.episodeId))).toEqual(new Set(reference.alerts.published.map((a) => a.episodeId)));
        expect(keysOf(r.quarantine.entries)).toEqual(keysOf(reference.quarantine.entries));
      }),
      { numRuns: RUNS },
    );
  });
});
