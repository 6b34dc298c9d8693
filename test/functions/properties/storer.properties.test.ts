import fc from 'fast-check';
import type { KinesisStreamRecord } from 'aws-lambda';
import { METRIC_NAMES } from '../../../functions/shared/constants';
import { TransientDependencyError } from '../../../functions/shared/errors';
import { quarantineKey } from '../../../functions/shared/quarantineKey';
import type { QuarantineEntry, QuarantineSink } from '../../../functions/shared/QuarantineWriter';
import type { BucketPersistence, PutOutcome } from '../../../functions/storer/BucketStore';
import { BucketWriter } from '../../../functions/storer/BucketWriter';
import { minuteOf } from '../../../functions/storer/minuteOf';
import { Storer, type StorerOutcome } from '../../../functions/storer/Storer';
import type { BucketItem } from '../../../functions/storer/types';
import {
  accountFor,
  arbBatches,
  arbFaultSchedule,
  FaultCursor,
  goodTelemetryPayload,
  toKinesisRecords,
  type Fault,
  type GeneratedBatch,
  type InvocationAccount,
  type Payload,
} from '../../helpers/arbitraries';
import { capturingMetrics, MemoryQuarantine, silentLogger } from '../../helpers/fakes';
import { deviceReading, kinesisEvent, lambdaContext, NOW, telemetry, type EnrichedTelemetry } from '../../helpers/records';
import { MemoryBuckets } from '../storer/fakeBuckets';

/**
 * Property tests of the storer's batch logic (Storer + BucketWriter, the classes the handler
 * wires) fed bad input: arbitrary bytes and JSON, broken and fuzzed contract records, mixed with
 * valid ones, presence events, resends and redeliveries, with and without injected faults.
 */

const RUNS = 150;
const injected = (what: string): TransientDependencyError => new TransientDependencyError('dynamodb', `${what} (injected)`);

/** The readings table with faults: 'fail' before the call does anything, 'failAfter' after a put was applied (a timeout after the write). */
class FlakyBuckets implements BucketPersistence {
  constructor(
    readonly table: MemoryBuckets,
    readonly faults: FaultCursor,
  ) {}

  async get(sensorId: string, minute: number): Promise<BucketItem | undefined> {
    if (this.faults.next() !== 'ok') throw injected('GetItem');
    return this.table.get(sensorId, minute);
  }

  async put(item: BucketItem, expectedVersion: number | undefined): Promise<PutOutcome> {
    const fault = this.faults.next();
    if (fault === 'fail') throw injected('PutItem');
    const outcome = await this.table.put(item, expectedVersion);
    if (fault === 'failAfter') throw injected('PutItem timed out after the write');
    return outcome;
  }
}

/** The quarantine prefix with faults (an S3 PutObject that fails before or after it stored the object). */
class FlakyQuarantine implements QuarantineSink {
  constructor(
    readonly memory: MemoryQuarantine,
    readonly faults: FaultCursor,
  ) {}

  async write(entry: QuarantineEntry): Promise<string> {
    const fault = this.faults.next();
    if (fault === 'fail') throw new TransientDependencyError('s3', 'PutObject (injected)');
    const key = await this.memory.write(entry);
    if (fault === 'failAfter') throw new TransientDependencyError('s3', 'PutObject timed out after the write (injected)');
    return key;
  }
}

interface StorerRig {
  readonly table: MemoryBuckets;
  readonly quarantine: MemoryQuarantine;
  readonly tableFaults: FaultCursor;
  readonly quarantineFaults: FaultCursor;
  readonly storer: Storer;
  readonly retried: () => number;
  /** A new container: empty bucket cache, same table and quarantine. */
  readonly coldStorer: () => Storer;
}

function rig(options: { tableFaults?: readonly Fault[]; quarantineFaults?: readonly Fault[]; maxReadingsPerBucket?: number } = {}): StorerRig {
  const table = new MemoryBuckets();
  const quarantine = new MemoryQuarantine();
  const tableFaults = new FaultCursor(options.tableFaults ?? []);
  const quarantineFaults = new FaultCursor(options.quarantineFaults ?? []);
  const sink = new FlakyQuarantine(quarantine, quarantineFaults);
  const captured = capturingMetrics();
  const make = (): Storer =>
    new Storer({
      buckets: new BucketWriter({
        store: new FlakyBuckets(table, tableFaults),
        quarantine: sink,
        retentionDays: 14,
        now: () => NOW,
        ...(options.maxReadingsPerBucket === undefined ? {} : { maxReadingsPerBucket: options.maxReadingsPerBucket }),
      }),
      quarantine: sink,
      metrics: captured.metrics,
      logger: silentLogger(),
      breakers: [],
      now: () => NOW,
    });
  return { table, quarantine, tableFaults, quarantineFaults, storer: make(), retried: () => captured.total(METRIC_NAMES.recordsRetried), coldStorer: make };
}

interface Invocation {
  readonly outcome: StorerOutcome;
  readonly account: InvocationAccount;
  readonly entries: readonly QuarantineEntry[];
}

/** Runs one batch; the handle call must resolve, and the per-record contract must hold. */
async function invoke(storer: Storer, quarantine: MemoryQuarantine, records: readonly KinesisStreamRecord[], payloads: readonly Payload[]): Promise<Invocation> {
  const before = quarantine.entries.length;
  const outcome = await storer.handle(kinesisEvent([...records]), lambdaContext());
  const entries = quarantine.entries.slice(before);
  const account = accountFor({ records, payloads, failedIdentifiers: outcome.response.batchItemFailures.map((f) => f.itemIdentifier), quarantined: entries });
  return { outcome, account, entries };
}

const readingKey = (sensorId: string, ts: number): string => `${sensorId}@${ts}`;

/** Every reading in the table as sensor@ts -> value/quality, checking each bucket's own invariants on the way. */
function tableContent(table: MemoryBuckets, capacity = 6000): Map<string, { value: number; quality: string }> {
  const content = new Map<string, { value: number; quality: string }>();
  for (const [key, item] of table.items) {
    expect(key).toBe(`${item.sensorId}|${item.minute}`);
    expect(item.sensorId).toBe(`${item.assetId}#${item.metric}`);
    expect(item.minute).toBe(minuteOf(item.minute));
    expect([item.values.length, item.qualities.length, item.count]).toEqual([item.ts.length, item.ts.length, item.ts.length]);
    expect(item.count).toBeLessThanOrEqual(capacity);
    // Strictly increasing offsets inside the minute: sorted, and no reading twice in a bucket.
    const misplaced = item.ts.filter((offset, i) => offset < 0 || offset >= 60_000 || (i > 0 && offset <= (item.ts[i - 1] as number)));
    expect(misplaced).toEqual([]);
    const stats = item.values.filter((_, i) => item.qualities[i] !== 'BAD');
    expect(item.statsCount).toBe(stats.length);
    if (stats.length > 0) expect([item.min, item.max]).toEqual([Math.min(...stats), Math.max(...stats)]);
    else expect([item.min, item.max]).toEqual([undefined, undefined]);
    // Sums of the differences from the first value that is not BAD (in offset order), 0 while there is none.
    const shift = stats[0] ?? 0;
    expect(item.shift).toBe(shift);
    const differences = stats.map((v) => v - shift);
    const scale = differences.reduce((a, d) => a + Math.abs(d), 0);
    expect(Math.abs(item.sum - differences.reduce((a, d) => a + d, 0))).toBeLessThanOrEqual(1e-9 * scale + 1e-300);
    const squares = differences.reduce((a, d) => a + d * d, 0);
    expect(Math.abs(item.sumSquares - squares)).toBeLessThanOrEqual(1e-9 * squares + 1e-300);
    item.ts.forEach((offset, i) => content.set(readingKey(item.sensorId, item.minute + offset), { value: item.values[i] as number, quality: item.qualities[i] as string }));
  }
  return content;
}

/** The accepted telemetry readings of an invocation in shard order, as sensor@ts keys with their value and the index of their record. */
function acceptedReadings(account: InvocationAccount): Array<{ key: string; value: number; quality: string; record: number }> {
  const readings: Array<{ key: string; value: number; quality: string; record: number }> = [];
  for (const [index, { record }] of account.accepted.entries()) {
    if (record.kind !== 'telemetry') continue;
    for (const r of record.readings) readings.push({ key: readingKey(`${record.assetId}#${r.metric}`, r.ts), value: r.value, quality: r.quality, record: index });
  }
  return readings;
}

const keysOf = (entries: readonly QuarantineEntry[]): Set<string> => new Set(entries.map((e) => quarantineKey('storer', e)));

describe('storer, property-based: bad input', () => {
  it('never throws; every record is stored, quarantined once or reported; nothing is stored twice; a redelivery changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(arbBatches(), async (batches: GeneratedBatch[]) => {
        const { table, quarantine, storer, coldStorer, retried } = rig();
        // The model: across records the first record's reading of a sensor at a ts is the one stored; within a
        // record the later of two readings of one sensor and ts wins (a correction, as the processor judges it).
        const model = new Map<string, { value: number; quality: string }>();
        let storedTotal = 0;
        for (const batch of batches) {
          const { outcome, account } = await invoke(storer, quarantine, batch.records, batch.payloads);
          expect(outcome.response.batchItemFailures).toEqual([]);
          const accepted = acceptedReadings(account);
          const setBy = new Map<string, number>();
          for (const r of accepted) {
            if (!model.has(r.key)) setBy.set(r.key, r.record);
            if (setBy.get(r.key) === r.record) model.set(r.key, { value: r.value, quality: r.quality });
          }
          expect(outcome.quarantined).toBe(account.quarantined.size);
          expect(outcome.presence).toBe(account.accepted.filter((a) => a.record.kind === 'presence').length);
          expect(outcome.quarantined + account.accepted.length).toBe(batch.records.length);
          expect(outcome.stored + outcome.alreadyApplied + outcome.superseded).toBe(accepted.length);
          storedTotal += outcome.stored;
        }
        expect(retried()).toBe(0);
        const content = tableContent(table);
        expect(content).toEqual(model);
        expect(storedTotal).toBe(model.size);

        // Redelivery to the same container, then to a new one (cold cache): nothing changes.
        const items = new Map(table.items);
        const puts = table.puts;
        const keys = keysOf(quarantine.entries);
        for (const fresh of [storer, coldStorer()]) {
          for (const batch of batches) {
            const { outcome, account } = await invoke(fresh, quarantine, batch.records, batch.payloads);
            expect(outcome.response.batchItemFailures).toEqual([]);
            expect([outcome.stored, outcome.bucketWrites]).toEqual([0, 0]);
            expect(outcome.alreadyApplied).toBe(acceptedReadings(account).length);
          }
          expect(table.items).toEqual(items);
        }
        expect(table.puts - puts).toBeLessThanOrEqual(table.items.size); // the cold container's lost races only
        expect(keysOf(quarantine.entries)).toEqual(keys);
      }),
      { numRuns: RUNS },
    );
  });

  it('with injected faults, reports exactly a suffix from the first failed record, loses nothing before it, and converges to the fault-free result', async () => {
    await fc.assert(
      fc.asyncProperty(arbBatches({ maxBatches: 1 }), arbFaultSchedule(), arbFaultSchedule(12), async ([batch], tableFaults, quarantineFaults) => {
        if (batch === undefined) return;
        // Reference: the same batch without faults.
        const reference = rig();
        await invoke(reference.storer, reference.quarantine, batch.records, batch.payloads);
        const expected = tableContent(reference.table);

        const faulty = rig({ tableFaults, quarantineFaults });
        let records = batch.records;
        let payloads = batch.payloads;
        for (let attempt = 1; records.length > 0; attempt += 1) {
          if (attempt > 8) {
            faulty.tableFaults.enabled = false;
            faulty.quarantineFaults.enabled = false;
          }
          expect(attempt).toBeLessThanOrEqual(12);
          const { account } = await invoke(faulty.storer, faulty.quarantine, records, payloads);
          // Nothing before the first failed record is lost: its readings are in the table now.
          const content = tableContent(faulty.table);
          for (const r of acceptedReadings(account)) expect(content.has(r.key)).toBe(true);
          // The mapping resumes from the first reported record.
          records = records.slice(account.firstFailed);
          payloads = payloads.slice(account.firstFailed);
        }
        expect(tableContent(faulty.table)).toEqual(expected);
        expect(keysOf(faulty.quarantine.entries)).toEqual(keysOf(reference.quarantine.entries));
      }),
      { numRuns: RUNS },
    );
  });

  it('with small buckets, every accepted reading is stored or set aside as BUCKET_FULL, never both, and a redelivery changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(arbBatches({ maxBatches: 2, goodWeight: 6 }), fc.integer({ min: 1, max: 6 }), async (batches, capacity) => {
        const { table, quarantine, storer } = rig({ maxReadingsPerBucket: capacity });
        const accepted = new Set<string>();
        const setAside = new Set<string>();
        for (const batch of batches) {
          const { outcome, entries, account } = await invoke(storer, quarantine, batch.records, batch.payloads);
          expect(outcome.response.batchItemFailures).toEqual([]);
          for (const r of acceptedReadings(account)) accepted.add(r.key);
          for (const entry of entries.filter((e) => e.part !== undefined)) {
            expect(entry.reason).toBe('BUCKET_FULL');
            const body = JSON.parse(Buffer.from(entry.data, 'base64').toString('utf8')) as { sensorId: string; readings: Array<{ ts: number }> };
            for (const r of body.readings) setAside.add(readingKey(body.sensorId, r.ts));
          }
        }
        const stored = new Set(tableContent(table, capacity).keys());
        for (const key of setAside) expect(stored.has(key)).toBe(false);
        expect(new Set([...stored, ...setAside])).toEqual(accepted);

        const items = new Map(table.items);
        const keys = keysOf(quarantine.entries);
        for (const batch of batches) await invoke(storer, quarantine, batch.records, batch.payloads);
        expect(table.items).toEqual(items);
        expect(keysOf(quarantine.entries)).toEqual(keys);
      }),
      { numRuns: 100 },
    );
  });
});

/** Minute starts of the dense readings: NOW's minute and the two before it. */
const DENSE_MINUTES = [0, 1, 2].map((back) => minuteOf(NOW) - back * 60_000);

/** Telemetry crowded into few buckets (2 assets x 2 metrics x 3 minutes x 12 instants), so small buckets fill and instants repeat. */
const arbDenseTelemetry: fc.Arbitrary<EnrichedTelemetry> = fc
  .record({
    assetId: fc.constantFrom('pump-07', 'press_2'),
    readings: fc.array(
      fc.record({
        metric: fc.constantFrom('temperature', 'pressure'),
        value: fc.integer({ min: -200, max: 200 }),
        minute: fc.constantFrom(...DENSE_MINUTES),
        second: fc.integer({ min: 0, max: 11 }),
        quality: fc.constantFrom('GOOD', 'UNCERTAIN', 'BAD'),
      }),
      { minLength: 1, maxLength: 6 },
    ),
  })
  .map(({ assetId, readings }) =>
    telemetry({ assetId, readings: readings.map(({ metric, value, minute, second, quality }) => deviceReading({ metric, value, ts: minute + second * 1000, quality })) }),
  );

/** A shard's messages, some of them resent as new records (an MQTT QoS 1 resend: same readings, values may differ). */
const arbDenseStream: fc.Arbitrary<Payload[]> = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: arbDenseTelemetry.map((message) => ({ message })) },
      { weight: 1, arbitrary: fc.record({ resend: fc.nat(), revalue: fc.boolean() }) },
    ),
    { minLength: 1, maxLength: 40 },
  )
  .map((steps) => {
    const messages: EnrichedTelemetry[] = [];
    for (const step of steps) {
      if ('message' in step) messages.push(step.message);
      else if (messages.length > 0) {
        const earlier = messages[step.resend % messages.length] as EnrichedTelemetry;
        const readings = earlier.readings as ReturnType<typeof deviceReading>[];
        messages.push({ ...earlier, readings: step.revalue ? readings.map((r) => ({ ...r, value: (r.value as number) + 1 })) : readings });
      }
    }
    return messages.map((message) => goodTelemetryPayload(message));
  });

/** How the mapping cuts the shard into batches and which of two containers handles each invocation (used in turn, cyclically). */
const arbInvocations = fc.array(fc.record({ size: fc.integer({ min: 1, max: 12 }), container: fc.integer({ min: 0, max: 1 }) }), { minLength: 1, maxLength: 20 });

describe('storer, property-based: full buckets across containers', () => {
  it('with faults and a shard moving between two containers, every reading ends stored or set aside as BUCKET_FULL, never both, none missing', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbDenseStream,
        arbInvocations,
        arbFaultSchedule(40),
        arbFaultSchedule(12),
        fc.integer({ min: 2, max: 8 }),
        async (payloads, invocations, tableFaults, quarantineFaults, capacity) => {
          const { table, quarantine, storer, coldStorer, tableFaults: tableCursor, quarantineFaults: quarantineCursor } = rig({ tableFaults, quarantineFaults, maxReadingsPerBucket: capacity });
          // Two warm containers over the same table: each one's cache goes stale while the other writes.
          const containers = [storer, coldStorer()];
          const records = toKinesisRecords(payloads, 'shardId-000000000000', 49_000_000_000n);
          let position = 0;
          for (let attempt = 0; position < records.length; attempt += 1) {
            expect(attempt).toBeLessThan(records.length + 200);
            if (attempt === 100) {
              tableCursor.enabled = false;
              quarantineCursor.enabled = false;
            }
            const { size, container } = invocations[attempt % invocations.length] as { size: number; container: number };
            const end = Math.min(records.length, position + size);
            const { account } = await invoke(containers[container] as Storer, quarantine, records.slice(position, end), payloads.slice(position, end));
            position += account.firstFailed; // the mapping resumes from the first reported record
          }

          // The model: a reading is the first record's that carries its sensor and ts (the later one within that record).
          const model = new Map<string, number>();
          const accepted = new Set<string>();
          for (const payload of payloads) {
            const message = JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8')) as { assetId: string; readings: Array<{ metric: string; value: number; ts: number }> };
            const own = new Map(message.readings.map((r) => [readingKey(`${message.assetId}#${r.metric}`, r.ts), r.value]));
            for (const [key, value] of own) if (!accepted.has(key)) model.set(key, value);
            for (const key of own.keys()) accepted.add(key);
          }
          // The quarantine as S3 holds it: a rewrite of a key replaces the object.
          const objects = new Map(quarantine.entries.map((entry) => [quarantineKey('storer', entry), entry]));
          const setAside = new Set<string>();
          for (const entry of objects.values()) {
            expect([entry.reason, entry.part === undefined]).toEqual(['BUCKET_FULL', false]);
            const body = JSON.parse(Buffer.from(entry.data, 'base64').toString('utf8')) as { sensorId: string; readings: Array<{ ts: number }> };
            for (const r of body.readings) setAside.add(readingKey(body.sensorId, r.ts));
          }
          const stored = tableContent(table, capacity);
          expect([...setAside].filter((key) => stored.has(key))).toEqual([]);
          expect(new Set([...stored.keys(), ...setAside])).toEqual(accepted);
          for (const [key, { value }] of stored) expect([key, value]).toEqual([key, model.get(key)]);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
