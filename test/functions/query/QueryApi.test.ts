import type { LambdaFunctionURLResult } from 'aws-lambda';
import { QueryApi } from '../../../functions/query/QueryApi';
import { METRIC_NAMES } from '../../../functions/shared/constants';
import { CorruptItemError, QueryLimitError, UnknownSensorError } from '../../../functions/shared/errors';
import type { QueryService } from '../../../functions/shared/query/QueryService';
import type { SeriesQuery, SeriesResult } from '../../../functions/shared/query/types';
import { capturingMetrics, silentLogger } from '../../helpers/fakes';
import { functionUrlEvent } from '../../helpers/functionUrl';

const FROM = Date.UTC(2026, 0, 1);
const TO = FROM + 600_000;
const SERIES = { assetId: 'pump-07', metric: 'temperature', from: String(FROM), to: String(TO), step: '5m' };

type Service = Pick<QueryService, 'series' | 'lineAssets'>;
/** The readings' TTL: FROM is on its edge at the clock the API is given (TO + 1). */
const HOT_DAYS = 1;
const DAY = 86_400_000;

function apiWith(service: Partial<Service>): { api: QueryApi; info: jest.SpyInstance; total: (name: string) => number; values: Map<string, number[]> } {
  const logger = silentLogger();
  const info = jest.spyOn(logger, 'info');
  const { metrics, total, values } = capturingMetrics();
  const api = new QueryApi({
    service: {
      series: service.series ?? (() => Promise.reject(new Error('series not expected'))),
      lineAssets: service.lineAssets ?? (() => Promise.reject(new Error('lineAssets not expected'))),
    },
    logger,
    metrics,
    hotRetentionDays: HOT_DAYS,
    now: () => TO + 1,
  });
  return { api, info, total, values };
}

const answer = (result: LambdaFunctionURLResult): { status: number | undefined; body: unknown } =>
  typeof result === 'string' ? { status: undefined, body: result } : { status: result.statusCode, body: JSON.parse(result.body ?? 'null') as unknown };

describe('QueryApi', () => {
  test.each([
    ['an asset the platform does not know', new UnknownSensorError('assetId', 'assetId pump-99: no such asset (it has no asset-status item)')],
    ['a metric the asset does not have', new UnknownSensorError('metric', 'metric flow: asset pump-07 has no such metric; its metrics are temperature')],
  ])('%s is a 404 with the service\'s message: the request is well formed, what it names is not there', async (_case, error) => {
    const { api, info } = apiWith({ series: () => Promise.reject(error) });
    expect(answer(await api.handle(functionUrlEvent('GET', '/v1/series', SERIES)))).toEqual({ status: 404, body: { error: error.message } });
    expect(info).toHaveBeenCalledWith('request refused', { statusCode: 404, parameter: error.parameter, reason: error.message, path: '/v1/series', query: new URLSearchParams(SERIES).toString() });
  });

  it('a request over a limit stays a 400, and is logged with the parameter it names', async () => {
    const error = new QueryLimitError('from', 'the range holds more of pump-07/temperature than one request reads (32768 read units, 256 MiB of minute buckets); narrow from/to');
    const { api, info } = apiWith({ series: () => Promise.reject(error) });
    expect(answer(await api.handle(functionUrlEvent('GET', '/v1/series', SERIES)))).toEqual({ status: 400, body: { error: error.message } });
    expect(info).toHaveBeenCalledWith('request refused', expect.objectContaining({ statusCode: 400, parameter: 'from', reason: error.message }));
  });

  it('a read refused at its budget still counts what it read in ItemsRead and the log (DynamoDB bills it), and returns no points', async () => {
    const error = new QueryLimitError('from', 'the range holds more of pump-07/temperature than one request reads (32768 read units, 256 MiB of minute buckets); narrow from/to', { itemsRead: 23_405, capacityUnits: 32_771.5 });
    const { api, info, total } = apiWith({ series: () => Promise.reject(error) });
    expect(answer(await api.handle(functionUrlEvent('GET', '/v1/series', SERIES)))).toEqual({ status: 400, body: { error: error.message } });
    expect(total(METRIC_NAMES.itemsRead)).toBe(23_405);
    expect(total(METRIC_NAMES.pointsReturned)).toBe(0);
    expect(info).toHaveBeenCalledWith('request refused', expect.objectContaining({ statusCode: 400, itemsRead: 23_405, capacityUnits: 32_771.5 }));
    // A refusal before any read records nothing.
    const early = apiWith({ series: () => Promise.reject(new QueryLimitError('step', 'step 1m over this range makes 134000 points, over the limit of 100000; use a coarser step')) });
    await early.api.handle(functionUrlEvent('GET', '/v1/series', SERIES));
    expect(early.total(METRIC_NAMES.itemsRead)).toBe(0);
  });

  it('bad input is a 400 before anything is read', async () => {
    const series = jest.fn();
    const { api, info } = apiWith({ series });
    expect(answer(await api.handle(functionUrlEvent('GET', '/v1/series', { ...SERIES, step: '2m' })))).toEqual({ status: 400, body: { error: 'step must be one of 1m, 5m, 15m, 1h, 1d, raw, got "2m"' } });
    expect(series).not.toHaveBeenCalled();
    expect(info).toHaveBeenCalledWith('request refused', expect.objectContaining({ statusCode: 400, parameter: 'step' }));
  });

  test.each([
    ['a misspelt name', { ...SERIES, limit: '10' }, 'unknown parameter "limit"; /v1/series takes assetId, metric, from, to, step, agg'],
    ['a name with a trailing space', { ...SERIES, 'step ': '5m' }, 'unknown parameter "step "; /v1/series takes assetId, metric, from, to, step, agg'],
    ['an empty name', { ...SERIES, '': 'x' }, 'unknown parameter ""; /v1/series takes assetId, metric, from, to, step, agg'],
  ])('an unknown parameter name is quoted in the 400: %s', async (_case, query, message) => {
    const { api } = apiWith({});
    expect(answer(await api.handle(functionUrlEvent('GET', '/v1/series', query)))).toEqual({ status: 400, body: { error: message } });
  });

  it('the series body carries the contract\'s fields only, not the read\'s bookkeeping; the bookkeeping goes to the log and metrics', async () => {
    const points = [{ t: FROM, avg: 71.2 }];
    const result = { assetId: 'pump-07', metric: 'temperature', from: FROM, to: TO, step: '5m', points, itemsRead: 10, capacityUnits: 2, internal: 'not for callers' } as SeriesResult;
    const { api, info, values } = apiWith({ series: () => Promise.resolve(result) });
    const response = await api.handle(functionUrlEvent('GET', '/v1/series', SERIES));
    expect(answer(response)).toEqual({ status: 200, body: { assetId: 'pump-07', metric: 'temperature', from: FROM, to: TO, step: '5m', points } });
    expect(info).toHaveBeenCalledWith('series read', expect.objectContaining({ itemsRead: 10, capacityUnits: 2, points: 1 }));
    expect([values.get(METRIC_NAMES.itemsRead), values.get(METRIC_NAMES.pointsReturned)]).toEqual([[10], [1]]);
  });

  test.each([
    ['starts a minute before the hot tier\'s oldest sure minute', FROM - DAY + 9 * 60_000, { hotTierFrom: FROM - DAY + 10 * 60_000 }],
    ['starts on that minute', FROM - DAY + 10 * 60_000, {}],
    ['lies inside the hot tier', FROM, {}],
  ])('a range that %s says where the hot tier starts only when it reaches past it', async (_case, from, extra) => {
    const series = (query: SeriesQuery): Promise<SeriesResult> => Promise.resolve({ ...query, points: [], itemsRead: 0, capacityUnits: 0 });
    const { api } = apiWith({ series });
    const response = answer(await api.handle(functionUrlEvent('GET', '/v1/series', { ...SERIES, from: String(from) })));
    expect(response).toEqual({ status: 200, body: { assetId: 'pump-07', metric: 'temperature', from, to: TO, step: '5m', points: [], ...extra } });
  });

  it('a series too large for the URL is read, counted and logged, then refused with a 400 that returns no points', async () => {
    const points = Array.from({ length: 100_000 }, (_, index) => ({ t: FROM + index, value: 71.30000000000001, quality: 'GOOD' as const }));
    const series = (query: SeriesQuery): Promise<SeriesResult> => Promise.resolve({ ...query, points, itemsRead: 1_440, capacityUnits: 240 });
    const { api, info, values } = apiWith({ series });
    const response = answer(await api.handle(functionUrlEvent('GET', '/v1/series', { ...SERIES, step: 'raw' })));
    expect(response).toEqual({ status: 400, body: { error: 'the response would be 7100227 bytes, over the 6291456 bytes a function URL returns; narrow from/to or use a step' } });
    expect([values.get(METRIC_NAMES.itemsRead), values.get(METRIC_NAMES.pointsReturned)]).toEqual([[1_440], [0]]);
    expect(info).toHaveBeenCalledWith('series read', expect.objectContaining({ points: 100_000 }));
    expect(info).toHaveBeenCalledWith('request refused', expect.objectContaining({ statusCode: 400, parameter: 'from' }));
  });

  it('a line\'s assets are logged and counted; an unknown line is a 200 with no assets', async () => {
    const { api, info, total } = apiWith({ lineAssets: (lineId) => Promise.resolve(lineId === 'line-a' ? [{ assetId: 'pump-07', status: 'OK', metrics: ['temperature'] }] : []) });
    expect(answer(await api.handle(functionUrlEvent('GET', '/v1/assets', { lineId: 'line-a' })))).toEqual({ status: 200, body: { lineId: 'line-a', assets: [{ assetId: 'pump-07', status: 'OK', metrics: ['temperature'] }] } });
    expect(answer(await api.handle(functionUrlEvent('GET', '/v1/assets', { lineId: 'line-z' })))).toEqual({ status: 200, body: { lineId: 'line-z', assets: [] } });
    expect(info).toHaveBeenCalledWith('line assets read', { lineId: 'line-a', assets: 1, bytes: expect.any(Number) as number });
    expect(total(METRIC_NAMES.pointsReturned)).toBe(1);
  });

  it('a failure is thrown, never answered: Lambda counts it and the URL answers 502 with nothing of the error', async () => {
    const failure = new CorruptItemError('bucket item attribute sum is not a number');
    const { api, info } = apiWith({ series: () => Promise.reject(failure) });
    await expect(api.handle(functionUrlEvent('GET', '/v1/series', SERIES))).rejects.toBe(failure);
    expect(info).not.toHaveBeenCalledWith('request refused', expect.anything());
  });
});
