import { DynamoDBClient, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { StatusStore } from '../../functions/processor/StatusStore';
import { ENV, TABLE_KEYS } from '../../functions/shared/constants';
import { createBreakers } from '../../functions/shared/createBreakers';
import { Deadline } from '../../functions/shared/Deadline';
import type { AggregatePoint, RawPoint } from '../../functions/shared/query/types';
import { createTables, setAwsTestEnvironment, startDynalite, testDynamoClient, type Emulator } from '../helpers/emulators';
import { callFunctionUrl, FUNCTION_URL_MAX_RESPONSE_BYTES, functionUrlEvent } from '../helpers/functionUrl';
import { realStorer } from '../helpers/realStorer';
import { lambdaContext, telemetry } from '../helpers/records';

const READINGS = 'dynamodb-readings-url-test';
const STATUS = 'dynamodb-asset-status-url-test';
const DAY = 86_400_000;
const MINUTE = 60_000;
/** A UTC midnight two days ago: inside the hot tier, hour- and day-aligned. */
const BASE = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;
/** The readings' TTL the function is given: BASE lies inside it. */
const HOT_DAYS = 3;

let dynalite: Emulator;
let dynamodb: DynamoDBClient;
let handler: (event: LambdaFunctionURLEvent, context: ReturnType<typeof lambdaContext>) => Promise<LambdaFunctionURLResult>;

beforeAll(async () => {
  dynalite = await startDynalite();
  setAwsTestEnvironment({ dynamodb: dynalite.endpoint });
  Object.assign(process.env, { [ENV.readingsTable]: READINGS, [ENV.assetStatusTable]: STATUS, [ENV.plantId]: 'sp1', [ENV.hotRetentionDays]: String(HOT_DAYS), [ENV.powertoolsServiceName]: 'query' });
  dynamodb = testDynamoClient(dynalite.endpoint);
  await createTables(dynamodb, { readings: READINGS, assetStatus: STATUS });
  // Ten minutes of pump-07 temperature at 1 Hz: value = minute + second/60, the first second of each minute BAD.
  const storer = realStorer(dynamodb, READINGS, BASE + DAY);
  await storer.store(
    Array.from({ length: 10 }, (_, minute) =>
      telemetry({ assetId: 'pump-07', readings: Array.from({ length: 60 }, (_, second) => ({ metric: 'temperature', value: minute + second / 64, ts: BASE + minute * MINUTE + second * 1000, quality: second === 0 ? 'BAD' : 'GOOD' })) }),
    ),
  );
  // pump-09 vibration at 100 Hz for 20 minutes (a full bucket every minute): 120,000 readings, over the points limit.
  const dense = Array.from({ length: 240 }, (_, index) =>
    telemetry({ assetId: 'pump-09', readings: Array.from({ length: 500 }, (_, r) => ({ metric: 'vibration', value: r / 8, ts: BASE + index * 5_000 + r * 10 })) }),
  );
  for (let start = 0; start < dense.length; start += 40) await storer.store(dense.slice(start, start + 40));
  const status = new StatusStore({ doc: DynamoDBDocumentClient.from(dynamodb), tableName: STATUS, breaker: createBreakers(['dynamodb'] as const).dynamodb });
  const base = { plantId: 'sp1', lineId: 'line-a', thingName: 'gw-01', lastSeen: BASE, lastReadingTs: BASE, updatedAt: BASE + 1 };
  await status.writeAssetStatus({ ...base, assetId: 'pump-07', status: 'OK', metrics: ['temperature'] }, new Deadline(lambdaContext()));
  await status.writeAssetStatus({ ...base, assetId: 'pump-08', status: 'ANOMALY', metrics: ['pressure'] }, new Deadline(lambdaContext()));
  await status.writeAssetStatus({ ...base, assetId: 'pump-09', status: 'OK', metrics: ['vibration'] }, new Deadline(lambdaContext()));
  ({ handler } = await import('../../functions/query'));
});

afterAll(async () => {
  dynamodb.destroy();
  await dynalite.stop();
});

/** A request through the function URL, as the caller sees the answer. */
async function get(path: string, query: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }> {
  const response = await callFunctionUrl(handler, functionUrlEvent(method, path, query), lambdaContext());
  return { status: response.status, body: JSON.parse(response.body) as Record<string, unknown>, headers: response.headers };
}

const series = (extra: Record<string, string>): Record<string, string> => ({ assetId: 'pump-07', metric: 'temperature', from: new Date(BASE).toISOString(), to: String(BASE + 10 * MINUTE), ...extra });

describe('query function through its handler, function URL payload 2.0', () => {
  it('GET /v1/series rolls up to the step with the asked aggregates over readings that are not BAD, times as epoch ms', async () => {
    const { status, body, headers } = await get('/v1/series', series({ step: '5m', agg: 'count,min,max,avg' }));
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('application/json');
    const avg = (minute: number): number => minute + (59 * 60) / 2 / 64 / 59;
    expect(body).toEqual({
      assetId: 'pump-07',
      metric: 'temperature',
      from: BASE,
      to: BASE + 10 * MINUTE,
      step: '5m',
      points: [
        { t: BASE, count: 295, min: 1 / 64, max: 4 + 59 / 64, avg: (avg(0) + avg(1) + avg(2) + avg(3) + avg(4)) / 5 },
        { t: BASE + 5 * MINUTE, count: 295, min: 5 + 1 / 64, max: 9 + 59 / 64, avg: (avg(5) + avg(6) + avg(7) + avg(8) + avg(9)) / 5 },
      ],
    });
  });

  it('defaults: step 1m, aggregates avg,min,max,count; sum and stddev on request', async () => {
    const { body } = await get('/v1/series', series({ to: String(BASE + MINUTE) }));
    expect(body.step).toBe('1m');
    expect(Object.keys((body.points as object[])[0] ?? {}).sort()).toEqual(['avg', 'count', 'max', 'min', 't']);
    const all = await get('/v1/series', series({ to: String(BASE + MINUTE), agg: 'sum,stddev' }));
    expect(Object.keys((all.body.points as object[])[0] ?? {}).sort()).toEqual(['stddev', 'sum', 't']);
  });

  it('step=raw returns every reading with its timestamp and quality, BAD included, sorted', async () => {
    const { status, body } = await get('/v1/series', series({ step: 'raw', from: String(BASE + MINUTE - 1000), to: String(BASE + MINUTE + 2000) }));
    expect(status).toBe(200);
    expect(body.points).toEqual([
      { t: BASE + MINUTE - 1000, value: 59 / 64, quality: 'GOOD' },
      { t: BASE + MINUTE, value: 1, quality: 'BAD' },
      { t: BASE + MINUTE + 1000, value: 1 + 1 / 64, quality: 'GOOD' },
    ]);
  });

  it('a known sensor without data in the range is 200 with no points', async () => {
    const { status, body } = await get('/v1/series', series({ from: String(BASE - DAY), to: String(BASE - DAY + MINUTE) }));
    expect([status, body.points]).toEqual([200, []]);
  });

  it('GET /v1/assets lists a line\'s assets with their status', async () => {
    const { status, body } = await get('/v1/assets', { lineId: 'line-a' });
    expect(status).toBe(200);
    expect(body.lineId).toBe('line-a');
    expect((body.assets as { assetId: string; status: string; metrics: string[] }[]).map(({ assetId, status: s, metrics }) => [assetId, s, metrics])).toEqual([
      ['pump-07', 'OK', ['temperature']],
      ['pump-08', 'ANOMALY', ['pressure']],
      ['pump-09', 'OK', ['vibration']],
    ]);
    expect((await get('/v1/assets', { lineId: 'line-z' })).body).toEqual({ lineId: 'line-z', assets: [] });
  });

  test.each([
    ['a missing assetId', { metric: 'temperature', from: '0' }, 'assetId is required'],
    ['a malformed metric', series({ metric: 'temp erature' }), 'metric must match [A-Za-z0-9_.:-]{1,64}, got "temp erature"'],
    ['a missing from', { assetId: 'pump-07', metric: 'temperature' }, 'from is required'],
    ['a time without zone', series({ from: '2026-01-01T00:00:00' }), 'from must be ISO 8601 with a zone (2026-01-01T00:00:00Z) or epoch ms, got "2026-01-01T00:00:00"'],
    ['a relative time (CLI only)', series({ from: '-6h' }), 'from must be ISO 8601 with a zone (2026-01-01T00:00:00Z) or epoch ms, got "-6h"'],
    ['to before from', series({ to: String(BASE - 1) }), `to must be after from (the range is [from, to)), got from ${new Date(BASE).toISOString()} and to ${new Date(BASE - 1).toISOString()}`],
    ['an unknown step', series({ step: '2m' }), 'step must be one of 1m, 5m, 15m, 1h, 1d, raw, got "2m"'],
    ['an unknown aggregate', series({ agg: 'avg,p99' }), 'agg must be a comma-separated list of avg, min, max, sum, count, stddev, got "p99"'],
    ['an unknown parameter', series({ limit: '10' }), 'unknown parameter "limit"; /v1/series takes assetId, metric, from, to, step, agg'],
    ['a range over a quarter', series({ from: String(BASE), to: String(BASE + 94 * DAY), step: '1d' }), 'from/to must cover at most 93 days, got 94 days; older history is in the archive (Athena)'],
    ['more than 100,000 points', series({ from: String(BASE), to: String(BASE + 70 * DAY), step: '1m' }), 'step 1m over this range makes 100800 points, over the limit of 100000; use a coarser step or a shorter range'],
    ['raw over a day', series({ step: 'raw', from: String(BASE), to: String(BASE + DAY + 1) }), 'step raw covers at most 24 hours (86400000 ms), the range is 86400001 ms; narrow from/to or use a step'],
    ['aggregates of raw', series({ step: 'raw', agg: 'max' }), 'agg does not apply to step raw, which returns the readings themselves; leave it out or use a step'],
  ])('400 with one line naming the parameter for %s', async (_case, query, message) => {
    const { status, body } = await get('/v1/series', query);
    expect({ status, body }).toEqual({ status: 400, body: { error: message } });
    expect(message).not.toContain('\n');
  });

  test.each([
    ['an unknown asset', series({ assetId: 'pump-99' }), 'assetId pump-99: no such asset (it has no asset-status item)'],
    ['an unknown metric of a known asset', series({ metric: 'flow' }), 'metric flow: asset pump-07 has no such metric; its metrics are temperature'],
    ['an unknown asset, raw', series({ assetId: 'pump-99', step: 'raw' }), 'assetId pump-99: no such asset (it has no asset-status item)'],
  ])('404 naming the parameter for %s: well formed, but the platform has no such sensor (a known one without data is a 200)', async (_case, query, message) => {
    const { status, body } = await get('/v1/series', query);
    expect({ status, body }).toEqual({ status: 404, body: { error: message } });
  });

  it('limits the data only tells are a 400 too: raw readings over 100,000, a range over the read budget', async () => {
    // The function's clients included: what the refusal read, counted instead of timed.
    const sent = jest.spyOn(DynamoDBClient.prototype, 'send');
    let raw: Awaited<ReturnType<typeof get>>;
    let commands: unknown[];
    try {
      raw = await get('/v1/series', { assetId: 'pump-09', metric: 'vibration', from: String(BASE), to: String(BASE + 30 * MINUTE), step: 'raw' });
      commands = sent.mock.calls.map(([command]) => command);
    } finally {
      sent.mockRestore();
    }
    expect(raw).toMatchObject({ status: 400, body: { error: 'the range holds more than 100000 readings of pump-09/vibration; narrow from/to or use a step' } });
    // Answered by the reading limit within one pass over the range, not by the function's timeout: its sequential
    // reads are the range's pages in order (as many as DynamoDB's 1 MB pages need, at most), each continuing the last.
    const pages: string[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await dynamodb.send(
        new QueryCommand({
          TableName: READINGS,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :first AND :last',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.readings.partitionKey, '#sk': TABLE_KEYS.readings.sortKey },
          ExpressionAttributeValues: { ':pk': { S: 'pump-09#vibration' }, ':first': { N: String(BASE) }, ':last': { N: String(BASE + 29 * MINUTE) } },
          Select: 'COUNT',
          ExclusiveStartKey: startKey,
        }),
      );
      pages.push(JSON.stringify(startKey ?? null));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    expect(commands.every((command) => command instanceof QueryCommand && command.input.ExpressionAttributeValues?.[':pk']?.S === 'pump-09#vibration')).toBe(true);
    const read = commands.map((command) => JSON.stringify((command as QueryCommand).input.ExclusiveStartKey ?? null));
    expect(read.length).toBeGreaterThan(0);
    expect(read).toEqual(pages.slice(0, read.length));
    // The same data rolled up is fine: 120,000 readings in 20 minute buckets.
    const rolled = await get('/v1/series', { assetId: 'pump-09', metric: 'vibration', from: String(BASE), to: String(BASE + 30 * MINUTE), step: '15m', agg: 'count' });
    expect(rolled).toMatchObject({ status: 200, body: { points: [{ t: BASE, count: 90_000 }, { t: BASE + 15 * MINUTE, count: 30_000 }] } });

    // Each full bucket of pump-09 is about 30 read units: a budget of 100 refuses the 20 minutes (the default admits a quarter of a 1 Hz sensor).
    const { QueryApi } = await import('../../functions/query/QueryApi');
    const { QueryService } = await import('../../functions/shared/query/QueryService');
    const { SeriesReader } = await import('../../functions/shared/query/SeriesReader');
    const { AssetDirectory } = await import('../../functions/shared/query/AssetDirectory');
    const { Logger } = await import('@aws-lambda-powertools/logger');
    const { Metrics } = await import('@aws-lambda-powertools/metrics');
    const api = new QueryApi({
      service: new QueryService({ reader: new SeriesReader({ dynamodb, tableName: READINGS, maxCapacityUnits: 100 }), directory: new AssetDirectory({ dynamodb, tableName: STATUS }), plantId: 'sp1' }),
      logger: new Logger(),
      metrics: new Metrics({ namespace: 'PlantTelemetry/test' }),
      hotRetentionDays: HOT_DAYS,
    });
    const result = await api.handle(functionUrlEvent('GET', '/v1/series', { assetId: 'pump-09', metric: 'vibration', from: String(BASE), to: String(BASE + 30 * MINUTE), step: '15m' }));
    expect(typeof result === 'string' ? result : { statusCode: result.statusCode, body: JSON.parse(result.body ?? 'null') as unknown }).toEqual({
      statusCode: 400,
      body: { error: 'the range holds more of pump-09/vibration than one request reads (100 read units, 0.78125 MiB of minute buckets); narrow from/to' },
    });
  }, 60_000);

  it('a range reaching back past the hot tier says where the hot tier starts (HOT_RETENTION_DAYS from the rendered environment); one inside it does not', async () => {
    const before = Date.now();
    const old = await get('/v1/series', series({ from: String(BASE - 2 * DAY), step: '1h', agg: 'count' }));
    const after = Date.now();
    const startAt = (now: number): number => Math.floor((now - HOT_DAYS * DAY) / MINUTE) * MINUTE;
    expect(old.status).toBe(200);
    expect(old.body.points).toEqual([{ t: BASE, count: 590 }]);
    expect(old.body.hotTierFrom).toBeGreaterThanOrEqual(startAt(before));
    expect(old.body.hotTierFrom).toBeLessThanOrEqual(startAt(after));
    expect((await get('/v1/series', series({ step: '1h', agg: 'count' }))).body).not.toHaveProperty('hotTierFrom');
  });

  it('400 for a bad lineId, 404 for other paths, 405 for other methods', async () => {
    expect(await get('/v1/assets', {})).toMatchObject({ status: 400, body: { error: 'lineId is required' } });
    expect(await get('/v1/assets', { lineId: 'line a' })).toMatchObject({ status: 400, body: { error: 'lineId must match [A-Za-z0-9_.:-]{1,64}, got "line a"' } });
    expect(await get('/v2/series', series({}))).toMatchObject({ status: 404, body: { error: 'no route /v2/series; the routes are GET /v1/series and GET /v1/assets' } });
    expect(await get('/', {})).toMatchObject({ status: 404 });
    expect(await get('/v1/series', series({}), 'POST')).toMatchObject({ status: 405, headers: { allow: 'GET' }, body: { error: 'method POST is not allowed on /v1/series; only GET' } });
  });

  it('a failing dependency is an error Lambda counts (the URL answers 502), not a 400', async () => {
    const { QueryApi } = await import('../../functions/query/QueryApi');
    const { Logger } = await import('@aws-lambda-powertools/logger');
    const { Metrics } = await import('@aws-lambda-powertools/metrics');
    const api = new QueryApi({
      service: { series: () => Promise.reject(new Error('ProvisionedThroughputExceededException')), lineAssets: () => Promise.resolve([]) },
      logger: new Logger(),
      metrics: new Metrics({ namespace: 'PlantTelemetry/test' }),
      hotRetentionDays: HOT_DAYS,
    });
    await expect(api.handle(functionUrlEvent('GET', '/v1/series', series({})))).rejects.toThrow('ProvisionedThroughputExceededException');
    expect((await callFunctionUrl((event) => api.handle(event), functionUrlEvent('GET', '/v1/series', series({})), lambdaContext())).status).toBe(502);
  });
});

describe('a response over what a BUFFERED function URL returns (6 MB)', () => {
  const RAW_POINT_VALUE = 71.30000000000001;
  /** A raw day of pump-09/vibration holding `count` points; each is 62 bytes of body JSON, 71 in the payload (8 escaped quotes, a comma). */
  const rawPoints = (count: number): RawPoint[] => Array.from({ length: count }, (_, index) => ({ t: BASE + index * 10, value: RAW_POINT_VALUE, quality: 'GOOD' }));
  const rollUpPoints = (count: number): AggregatePoint[] =>
    Array.from({ length: count }, (_, index) => ({ t: BASE + index * MINUTE, avg: RAW_POINT_VALUE, min: 70.1, max: 73.9, sum: 4278.000000000001, count: 60, stddev: 0.8000000000000002 }));

  /** The query function's API over a fake read path that answers `points` whatever the query. */
  async function apiAnswering(points: readonly RawPoint[] | readonly AggregatePoint[]): Promise<(event: LambdaFunctionURLEvent) => Promise<LambdaFunctionURLResult>> {
    const { QueryApi } = await import('../../functions/query/QueryApi');
    const { Logger } = await import('@aws-lambda-powertools/logger');
    const { Metrics } = await import('@aws-lambda-powertools/metrics');
    const api = new QueryApi({
      service: {
        series: (query) => Promise.resolve({ assetId: query.assetId, metric: query.metric, from: query.from, to: query.to, step: query.step, points, itemsRead: points.length, capacityUnits: 1 }),
        lineAssets: () => Promise.resolve([]),
      },
      logger: new Logger(),
      metrics: new Metrics({ namespace: 'PlantTelemetry/test' }),
      hotRetentionDays: HOT_DAYS,
    });
    return (event) => api.handle(event);
  }

  const rawDay = { assetId: 'pump-09', metric: 'vibration', from: String(BASE), to: String(BASE + DAY), step: 'raw' };

  it('the function refuses the first point past the URL\'s limit with a 400, and the URL passes the most it lets through', async () => {
    const { MAX_RESPONSE_BYTES } = await import('../../functions/query/constants');
    expect(MAX_RESPONSE_BYTES).toBe(FUNCTION_URL_MAX_RESPONSE_BYTES);
    // 88,608 points make a payload of 6,291,393 bytes, the most under 6 MiB (6,291,456); one more makes 6,291,464.
    const under = await callFunctionUrl(await apiAnswering(rawPoints(88_608)), functionUrlEvent('GET', '/v1/series', rawDay), lambdaContext());
    expect(under.status).toBe(200);
    expect((JSON.parse(under.body) as { points: unknown[] }).points).toHaveLength(88_608);

    const over = await callFunctionUrl(await apiAnswering(rawPoints(88_609)), functionUrlEvent('GET', '/v1/series', rawDay), lambdaContext());
    expect({ status: over.status, body: JSON.parse(over.body) as unknown }).toEqual({
      status: 400,
      body: { error: 'the response would be 6291464 bytes, over the 6291456 bytes a function URL returns; narrow from/to or use a step' },
    });
  });

  it('a roll-up past the limit is told to narrow the range, the step or the aggregates', async () => {
    const query = { assetId: 'pump-09', metric: 'vibration', from: String(BASE), to: String(BASE + 60_000 * MINUTE), step: '1m', agg: 'avg,min,max,sum,count,stddev' };
    const over = await callFunctionUrl(await apiAnswering(rollUpPoints(60_000)), functionUrlEvent('GET', '/v1/series', query), lambdaContext());
    expect({ status: over.status, body: JSON.parse(over.body) as unknown }).toEqual({
      status: 400,
      body: { error: 'the response would be 8580224 bytes, over the 6291456 bytes a function URL returns; narrow from/to, use a coarser step or fewer aggregates (agg)' },
    });
  });

  it('a line whose assets list too many metrics for one response is refused with a 400 saying how to list them', async () => {
    const { QueryApi } = await import('../../functions/query/QueryApi');
    const { Logger } = await import('@aws-lambda-powertools/logger');
    const { Metrics } = await import('@aws-lambda-powertools/metrics');
    // 100 assets listing the most metrics an item lists (1,000 names of 64 characters each).
    const metrics = Array.from({ length: 1_000 }, (_, m) => `m${String(m).padStart(4, '0')}`.padEnd(64, 'x'));
    const assets = Array.from({ length: 100 }, (_, a) => ({ assetId: `pump-${a}`, status: 'OK', metrics, metricsIncomplete: true as const }));
    const api = new QueryApi({
      service: { series: () => Promise.reject(new Error('not asked')), lineAssets: () => Promise.resolve(assets) },
      logger: new Logger(),
      metrics: new Metrics({ namespace: 'PlantTelemetry/test' }),
      hotRetentionDays: HOT_DAYS,
    });
    const response = await callFunctionUrl((event) => api.handle(event), functionUrlEvent('GET', '/v1/assets', { lineId: 'line-a' }), lambdaContext());
    expect(response.status).toBe(400);
    expect((JSON.parse(response.body) as { error: string }).error).toMatch(
      /^the 100 assets of line line-a with their metrics would be \d+ bytes, over the 6291456 bytes a function URL returns; list them with npm run query -- --line line-a, which reads the table directly$/,
    );
  });

  it('without the function\'s check the URL itself fails the request: a 502, none of the data', async () => {
    const body = JSON.stringify({ assetId: 'pump-09', metric: 'vibration', from: BASE, to: BASE + DAY, step: 'raw', points: rawPoints(88_609) });
    const unchecked = (): Promise<LambdaFunctionURLResult> => Promise.resolve({ statusCode: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body });
    const response = await callFunctionUrl(unchecked, functionUrlEvent('GET', '/v1/series', rawDay), lambdaContext());
    expect(response).toEqual({ status: 502, headers: {}, body: 'Internal Server Error' });
  });
});
