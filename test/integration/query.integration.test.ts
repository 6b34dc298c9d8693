import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { StatusStore } from '../../functions/processor/StatusStore';
import { createBreakers } from '../../functions/shared/createBreakers';
import { Deadline } from '../../functions/shared/Deadline';
import { QueryLimitError, UnknownSensorError } from '../../functions/shared/errors';
import { AssetDirectory } from '../../functions/shared/query/AssetDirectory';
import { AGGREGATES, QUERY_LIMITS, STEPS, type Aggregate, type RollUpStep, type Step } from '../../functions/shared/query/constants';
import { QueryService } from '../../functions/shared/query/QueryService';
import { READ_CAPACITY_BUDGET, SeriesReader } from '../../functions/shared/query/SeriesReader';
import type { AggregatePoint, RawPoint } from '../../functions/shared/query/types';
import type { Quality } from '../../functions/shared/types';
import { createTables, CREDENTIALS, REGION, setAwsTestEnvironment, startDynalite, testDynamoClient, type Emulator } from '../helpers/emulators';
import { realStorer } from '../helpers/realStorer';
import { lambdaContext, telemetry } from '../helpers/records';

const READINGS = 'dynamodb-readings-query-test';
const STATUS = 'dynamodb-asset-status-query-test';
const DAY = 86_400_000;
const MINUTE = 60_000;
/** Five minutes before a UTC midnight two days ago: the data straddles a day, an hour and minute boundaries. */
const BASE = Math.floor(Date.now() / DAY) * DAY - DAY - 5 * MINUTE;
const NOW = BASE + DAY;

let dynalite: Emulator;
let dynamodb: DynamoDBClient;
let storer: ReturnType<typeof realStorer>;
let service: QueryService;
let reader: SeriesReader;

/** One DynamoDB call as the counting client saw it: command, table, key condition, and the items it consumed. */
interface ObservedCall {
  readonly command: string;
  readonly table: string | undefined;
  readonly keyCondition: string | undefined;
  readonly partition: string | undefined;
  readonly items: number;
}

/**
 * A client of its own for the read path, whose middleware records every call after DynamoDB answered:
 * the items each consumed (a Query's ScannedCount, a GetItem's one item), counted outside the reader, so
 * the item-read bound does not rest on the reader's own bookkeeping.
 */
function countingClient(endpoint: string): { client: DynamoDBClient; calls: ObservedCall[] } {
  const client = new DynamoDBClient({ region: REGION, endpoint, credentials: CREDENTIALS });
  const calls: ObservedCall[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const input = args.input as { TableName?: string; KeyConditionExpression?: string; ExpressionAttributeValues?: Record<string, { S?: string }>; Key?: Record<string, { S?: string }> };
      const output = result.output as { ScannedCount?: number; Item?: unknown; Items?: unknown[]; Responses?: Record<string, unknown[]> };
      const items = output.ScannedCount ?? (output.Item !== undefined ? 1 : 0) + (output.Items?.length ?? 0) + Object.values(output.Responses ?? {}).reduce((sum, list) => sum + list.length, 0);
      calls.push({
        command: context.commandName ?? 'unknown',
        table: input.TableName,
        keyCondition: input.KeyConditionExpression,
        partition: input.ExpressionAttributeValues?.[':pk']?.S ?? input.Key?.sensorId?.S,
        items,
      });
      return result;
    },
    { step: 'initialize', name: 'countItemsRead' },
  );
  return { client, calls };
}
let counted: ReturnType<typeof countingClient>;
/** The processor's status store: an asset the platform knows has an item listing its metrics. */
let status: StatusStore;
const statusOf = (assetId: string, metrics: readonly string[]): Parameters<StatusStore['writeAssetStatus']>[0] => ({
  assetId,
  plantId: 'sp1',
  lineId: 'line-q',
  thingName: 'gw-q',
  status: 'OK',
  lastSeen: BASE,
  lastReadingTs: BASE,
  updatedAt: BASE,
  metrics,
});

beforeAll(async () => {
  dynalite = await startDynalite();
  setAwsTestEnvironment({ dynamodb: dynalite.endpoint });
  dynamodb = testDynamoClient(dynalite.endpoint);
  await createTables(dynamodb, { readings: READINGS, assetStatus: STATUS });
  storer = realStorer(dynamodb, READINGS, NOW);
  counted = countingClient(dynalite.endpoint);
  reader = new SeriesReader({ dynamodb: counted.client, tableName: READINGS });
  service = new QueryService({ reader, directory: new AssetDirectory({ dynamodb, tableName: STATUS }), plantId: 'sp1' });
  status = new StatusStore({ doc: DynamoDBDocumentClient.from(dynamodb), tableName: STATUS, breaker: createBreakers(['dynamodb'] as const).dynamodb });
});

afterAll(async () => {
  counted.client.destroy();
  dynamodb.destroy();
  await dynalite.stop();
});

interface SentReading {
  readonly ts: number;
  readonly value: number;
  readonly quality: Quality | undefined;
}

/**
 * What the hot tier must hold: per timestamp the reading of the first record delivered that has it (the
 * storer's idempotency), the later one where that record has two (a correction), in delivery order.
 */
function deduplicated(records: readonly (readonly SentReading[])[]): { ts: number; value: number; quality: Quality }[] {
  const seen = new Map<number, { ts: number; value: number; quality: Quality }>();
  for (const readings of records) {
    const ownTimestamps = new Set<number>();
    for (const reading of readings) {
      if (seen.has(reading.ts) && !ownTimestamps.has(reading.ts)) continue;
      ownTimestamps.add(reading.ts);
      seen.set(reading.ts, { ts: reading.ts, value: reading.value, quality: reading.quality ?? 'GOOD' });
    }
  }
  return [...seen.values()];
}

/** The aggregates by brute force: every step's readings that are not BAD, two-pass population stddev. */
function bruteForce(readings: readonly { ts: number; value: number; quality: Quality }[], from: number, to: number, step: RollUpStep, aggregates: readonly Aggregate[]): AggregatePoint[] {
  const byStep = new Map<number, number[]>();
  for (const reading of readings) {
    if (reading.ts < from || reading.ts >= to || reading.quality === 'BAD') continue;
    const start = Math.floor(reading.ts / STEPS[step]) * STEPS[step];
    byStep.set(start, [...(byStep.get(start) ?? []), reading.value]);
  }
  return [...byStep.entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, values]) => {
      const sum = values.reduce((a, b) => a + b, 0);
      const mean = sum / values.length;
      const all: Record<Aggregate, number> = {
        avg: mean,
        min: Math.min(...values),
        max: Math.max(...values),
        sum,
        count: values.length,
        stddev: Math.sqrt(values.reduce((acc, value) => acc + (value - mean) ** 2, 0) / values.length),
      };
      return { t, ...Object.fromEntries(aggregates.map((aggregate) => [aggregate, all[aggregate]])) };
    });
}

/** Minutes the range [from, to) touches: the most items one sensor's read may take. */
const minutesTouched = (from: number, to: number): number => Math.floor((to - 1) / MINUTE) - Math.floor(from / MINUTE) + 1;

/**
 * Runs one series request and checks, from the calls the counting client saw, how it read: only Query
 * and GetItem on the readings table, every Query on the sensor's partition with a sort-key range (no
 * Scan, no filter), and no more items consumed than the minutes the range touches. Returns the result.
 */
async function readBounded(query: Parameters<QueryService['series']>[0]): Promise<Awaited<ReturnType<QueryService['series']>>> {
  counted.calls.length = 0;
  const result = await service.series(query);
  const sensorId = `${query.assetId}#${query.metric}`;
  expect(counted.calls.map((call) => [call.command, call.table, call.partition])).toEqual(counted.calls.map((call) => [call.command === 'QueryCommand' ? 'QueryCommand' : 'GetItemCommand', READINGS, sensorId]));
  for (const call of counted.calls.filter((candidate) => candidate.command === 'QueryCommand')) expect(call.keyCondition).toBe('#pk = :pk AND #sk BETWEEN :first AND :last');
  const consumed = counted.calls.reduce((sum, call) => sum + call.items, 0);
  expect(consumed).toBeLessThanOrEqual(minutesTouched(query.from, query.to));
  expect(result.itemsRead).toBe(consumed);
  return result;
}

/** Offsets that sit on and next to minute boundaries, and anywhere in the ten minutes. */
const offsetArbitrary = fc.oneof(
  fc.integer({ min: 0, max: 9 }).chain((minute) => fc.constantFrom(minute * MINUTE, minute * MINUTE + 1, minute * MINUTE + MINUTE - 1)),
  fc.integer({ min: 0, max: 10 * MINUTE - 1 }),
);
/** Quarter units: sums and sums of squares of up to a few hundred of them are exact in binary floating point, so order cannot matter. */
const readingArbitrary = fc.record({
  offset: offsetArbitrary,
  value: fc.integer({ min: -4000, max: 4000 }).map((quarters) => quarters / 4),
  quality: fc.constantFrom<Quality | undefined>('GOOD', 'UNCERTAIN', 'BAD', undefined),
});
const rangeArbitrary = fc.oneof(
  // Anywhere, to the millisecond, also before and after the data.
  fc.tuple(fc.integer({ min: -2 * MINUTE, max: 11 * MINUTE }), fc.integer({ min: 1, max: 13 * MINUTE })).map(([start, length]) => [start, start + length] as const),
  // Whole minutes (the usual dashboard range).
  fc.tuple(fc.integer({ min: -1, max: 10 }), fc.integer({ min: 1, max: 11 })).map(([start, length]) => [start * MINUTE, (start + length) * MINUTE] as const),
);

let runs = 0;
/** What the generated cases exercised, so a weakened generator fails the test instead of passing vacuously. */
const seen = { resends: 0, sameTsOtherValue: 0, onMinuteBoundary: 0, bad: 0, uncertain: 0, missingQuality: 0, cutMinutes: 0, emptyResults: 0, multiPointSteps: 0 };

describe('read path against dynalite, on buckets the real storer wrote', () => {
  it('every aggregate of every step equals a brute-force computation, raw returns exactly the stored readings, and reads stay within the minutes of the range', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(readingArbitrary, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.tuple(rangeArbitrary, fc.constantFrom<Step>('1m', '5m', '15m', '1h', '1d', 'raw')), { minLength: 1, maxLength: 4 }),
        async (messages, resends, batches, queries) => {
          runs += 1;
          const assetId = `prop-${runs}`;
          await status.writeAssetStatus({ ...statusOf(assetId, ['temperature']), lineId: 'line-prop' }, new Deadline(lambdaContext()));
          // A message per group of readings, plus device resends (a QoS 1 duplicate is a second record), delivered in batches.
          const payloads = messages.map((readings, index) =>
            telemetry({ assetId, seq: index, receivedAt: BASE, readings: readings.map((r) => ({ metric: 'temperature', value: r.value, ts: BASE + r.offset, ...(r.quality === undefined ? {} : { quality: r.quality }) })) }),
          );
          const delivered = [...payloads, ...resends.map((pick) => payloads[pick % payloads.length])];
          const size = Math.ceil(delivered.length / batches);
          for (let start = 0; start < delivered.length; start += size) await storer.store(delivered.slice(start, start + size));
          expect(storer.quarantined).toEqual([]);

          const sentPerRecord = delivered.map((payload) => (payload?.readings as { value: number; ts: number; quality?: Quality }[]).map((r) => ({ ts: r.ts, value: r.value, quality: r.quality })));
          const sent = sentPerRecord.flat();
          const expected = deduplicated(sentPerRecord);
          seen.resends += resends.length;
          seen.sameTsOtherValue += sent.some((r) => sent.some((other) => other.ts === r.ts && other.value !== r.value)) ? 1 : 0;
          seen.onMinuteBoundary += sent.some((r) => (r.ts - BASE) % MINUTE === 0) ? 1 : 0;
          seen.bad += sent.some((r) => r.quality === 'BAD') ? 1 : 0;
          seen.uncertain += sent.some((r) => r.quality === 'UNCERTAIN') ? 1 : 0;
          seen.missingQuality += sent.some((r) => r.quality === undefined) ? 1 : 0;
          for (const [[start, end], step] of queries) {
            const from = BASE + start;
            const to = BASE + end;
            const result = await readBounded({ assetId, metric: 'temperature', from, to, step, aggregates: AGGREGATES });
            seen.cutMinutes += from % MINUTE !== 0 || to % MINUTE !== 0 ? 1 : 0;
            seen.emptyResults += result.points.length === 0 ? 1 : 0;
            seen.multiPointSteps += step !== 'raw' && result.points.length > 1 ? 1 : 0;
            if (step === 'raw') {
              const want: RawPoint[] = expected.filter((r) => r.ts >= from && r.ts < to).sort((a, b) => a.ts - b.ts).map((r) => ({ t: r.ts, value: r.value, quality: r.quality }));
              expect(result.points).toEqual(want);
              continue;
            }
            const want = bruteForce(expected, from, to, step, AGGREGATES);
            const got = result.points as AggregatePoint[];
            // Exact: count, sum, min, max and avg. stddev comes from the minutes' shifted sums merged pairwise (Chan), the
            // brute force's from the two-pass formula: their variances agree to rounding, well inside this bound.
            expect(got.map(({ stddev: _s, ...exact }) => exact)).toEqual(want.map(({ stddev: _s, ...exact }) => exact));
            got.forEach((point, index) => {
              const { avg = NaN, stddev = NaN } = want[index] ?? {};
              expect(point.stddev).toBeGreaterThanOrEqual(0);
              expect(Math.abs((point.stddev ?? NaN) ** 2 - stddev ** 2)).toBeLessThanOrEqual(1e-12 * (stddev ** 2 + avg ** 2) + Number.MIN_VALUE);
            });
          }
        },
      ),
      { numRuns: 100 },
    );
    for (const [what, count] of Object.entries(seen)) expect([what, count > 0]).toEqual([what, true]);
  }, 120_000);

  it('a day of one 1 Hz sensor rolled up to 5 minutes reads 1,440 items (one per minute), in pages, and is exact', async () => {
    const assetId = 'day-1hz';
    const payloads = Array.from({ length: 24 * 60 }, (_, minute) =>
      telemetry({ assetId, receivedAt: BASE, readings: Array.from({ length: 60 }, (_, second) => ({ metric: 'rpm', value: (minute % 7) + second / 4, ts: BASE + minute * MINUTE + second * 1000, quality: second === 0 ? 'BAD' : 'GOOD' })) }),
    );
    for (let start = 0; start < payloads.length; start += 500) await storer.store(payloads.slice(start, start + 500));
    const result = await readBounded({ assetId, metric: 'rpm', from: BASE, to: BASE + DAY, step: '5m', aggregates: ['count', 'min', 'max', 'sum'] });
    expect(result.itemsRead).toBe(1_440);
    // Several pages (DynamoDB's 1 MB counts whole items, whatever the projection): pagination is exercised.
    expect(counted.calls.filter((call) => call.command === 'QueryCommand').length).toBeGreaterThan(1);
    // The budget admits a quarter of a 1 Hz sensor: 93 such days stay within it.
    expect(result.capacityUnits).toBeGreaterThan(0);
    expect(result.capacityUnits * 93).toBeLessThanOrEqual(READ_CAPACITY_BUDGET);
    expect(result.points).toHaveLength(288);
    expect(result.points[0]).toEqual({ t: BASE, count: 5 * 59, min: 0.25, max: 4 + 59 / 4, sum: [0, 1, 2, 3, 4].reduce((acc, m) => acc + 59 * m + (59 * 60) / 2 / 4, 0) });
    // Unaligned ends: two minutes are read whole (GetItem), the rest as stats; still one item per minute touched.
    const cut = await readBounded({ assetId, metric: 'rpm', from: BASE + 30_500, to: BASE + 3 * MINUTE + 10_000, step: '1m', aggregates: ['count'] });
    expect(cut.itemsRead).toBe(4);
    expect(counted.calls.map((call) => call.command).sort()).toEqual(['GetItemCommand', 'GetItemCommand', 'QueryCommand']);
    expect(cut.points).toEqual([{ t: BASE, count: 29 }, { t: BASE + MINUTE, count: 59 }, { t: BASE + 2 * MINUTE, count: 59 }, { t: BASE + 3 * MINUTE, count: 9 }]);
  }, 120_000);

  it('a range holding more bytes of the sensor than the read budget is refused with a one-line limit error, not read to the end', async () => {
    // The 1 Hz day above consumes about 240 read units; a budget of 60 admits a few hours of it and refuses the day.
    const small = new QueryService({ reader: new SeriesReader({ dynamodb: counted.client, tableName: READINGS, maxCapacityUnits: 60 }), directory: new AssetDirectory({ dynamodb, tableName: STATUS }), plantId: 'sp1' });
    const hours = await small.series({ assetId: 'day-1hz', metric: 'rpm', from: BASE, to: BASE + 3 * 60 * MINUTE, step: '1h', aggregates: ['count'] });
    expect(hours.points.map((point) => (point as AggregatePoint).count)).toEqual([5 * 59, 60 * 59, 60 * 59, 55 * 59]);
    counted.calls.length = 0;
    const day = small.series({ assetId: 'day-1hz', metric: 'rpm', from: BASE, to: BASE + DAY, step: '1h', aggregates: ['count'] });
    await expect(day).rejects.toThrow(new QueryLimitError('from', 'the range holds more of day-1hz/rpm than one request reads (60 read units, 0.46875 MiB of minute buckets); narrow from/to'));
    // It stopped at the first page past the budget instead of reading the day.
    expect(counted.calls.filter((call) => call.command === 'QueryCommand')).toHaveLength(1);
    expect(counted.calls.reduce((sum, call) => sum + call.items, 0)).toBeLessThan(1_440);
    // The refusal carries what was read before it (DynamoDB bills it), for the function's ItemsRead.
    const refusal = await day.then(
      () => undefined,
      (error: unknown) => error as QueryLimitError,
    );
    expect(refusal?.consumed?.itemsRead).toBe(counted.calls.reduce((sum, call) => sum + call.items, 0));
    expect(refusal?.consumed?.capacityUnits).toBeGreaterThanOrEqual(60);
  }, 60_000);

  it('raw refuses a range holding more than the points limit, with a one-line limit error', async () => {
    const assetId = 'dense';
    // 100 Hz (a full bucket every minute) for 20 minutes: 120,000 readings.
    const payloads = Array.from({ length: 240 }, (_, index) =>
      telemetry({ assetId, receivedAt: BASE, readings: Array.from({ length: 500 }, (_, r) => ({ metric: 'vibration', value: r, ts: BASE + index * 5_000 + r * 10 })) }),
    );
    for (let start = 0; start < payloads.length; start += 40) await storer.store(payloads.slice(start, start + 40));
    const raw = service.series({ assetId, metric: 'vibration', from: BASE, to: BASE + 2 * 60 * MINUTE, step: 'raw', aggregates: [] });
    await expect(raw).rejects.toThrow(QueryLimitError);
    await expect(raw).rejects.toThrow(`the range holds more than ${QUERY_LIMITS.maxPoints} readings of dense/vibration; narrow from/to or use a step`);
    // The limit counts the readings inside the range: 16.5 minutes are 99,000 readings, though the 17 minutes touched hold 102,000.
    const inside = await readBounded({ assetId, metric: 'vibration', from: BASE + 3.5 * MINUTE, to: BASE + 20 * MINUTE, step: 'raw', aggregates: [] });
    expect(inside.points).toHaveLength(99_000);
    expect(inside.points[0]).toEqual({ t: BASE + 3.5 * MINUTE, value: 0, quality: 'GOOD' });
  }, 60_000);

  it('lists an asset\'s sensors and a line\'s assets from the status items the processor writes, and names an unknown asset or metric', async () => {
    const deadline = new Deadline(lambdaContext());
    // Two containers each add the metrics they saw: the set accumulates.
    await status.writeAssetStatus(statusOf('day-1hz', ['rpm']), deadline);
    await status.writeAssetStatus({ ...statusOf('day-1hz', ['temperature']), lastSeen: BASE + 1 }, deadline);
    await status.writeAssetStatus(statusOf('pump-q2', ['rpm']), deadline);
    await status.registerThingAsset({ assetId: 'day-1hz', plantId: 'sp1', lineId: 'line-q', thingName: 'gw-q' }, deadline);

    const assets = await service.lineAssets('line-q');
    expect(assets.map((asset) => [asset.assetId, asset.status, asset.metrics])).toEqual([
      ['day-1hz', 'OK', ['rpm', 'temperature']],
      ['pump-q2', 'OK', ['rpm']],
    ]);
    // BASE is five minutes before an hour: two hourly points.
    const series = await service.assetSeries({ assetId: 'day-1hz', from: BASE, to: BASE + 60 * MINUTE, step: '1h', aggregates: ['count'] });
    expect(series.map((s) => [s.metric, s.points])).toEqual([
      ['rpm', [{ t: BASE - 55 * MINUTE, count: 5 * 59 }, { t: BASE + 5 * MINUTE, count: 55 * 59 }]],
      ['temperature', []],
    ]);
    await expect(service.series({ assetId: 'nobody', metric: 'rpm', from: BASE, to: BASE + MINUTE, step: '1m', aggregates: ['avg'] })).rejects.toThrow(
      new UnknownSensorError('assetId', 'assetId nobody: no such asset (it has no asset-status item)'),
    );
    await expect(service.series({ assetId: 'pump-q2', metric: 'flow', from: BASE, to: BASE + MINUTE, step: '1m', aggregates: ['avg'] })).rejects.toThrow(
      'metric flow: asset pump-q2 has no such metric; its metrics are rpm',
    );
  }, 60_000);

  it('reads a metric an asset\'s item could not list (more metrics than LIMITS.maxListedMetricsPerAsset), and says the list is incomplete', async () => {
    const deadline = new Deadline(lambdaContext());
    await status.writeAssetStatus({ ...statusOf('wide-q', ['rpm']), metricsIncomplete: true }, deadline);
    await storer.store([telemetry({ assetId: 'wide-q', readings: [{ metric: 'unlisted_bearing', value: 4.5, ts: BASE + 1_000, quality: 'GOOD' }] })]);

    const [wide] = (await service.lineAssets('line-q')).filter((asset) => asset.assetId === 'wide-q');
    expect(wide).toMatchObject({ metrics: ['rpm'], metricsIncomplete: true });
    const series = await service.series({ assetId: 'wide-q', metric: 'unlisted_bearing', from: BASE, to: BASE + MINUTE, step: 'raw', aggregates: [] });
    expect(series.points).toEqual([{ t: BASE + 1_000, value: 4.5, quality: 'GOOD' }]);
    // A name it never sent is an empty series, not an error: the item cannot say which names exist.
    expect((await service.series({ assetId: 'wide-q', metric: 'never_sent', from: BASE, to: BASE + MINUTE, step: 'raw', aggregates: [] })).points).toEqual([]);
  });
});
