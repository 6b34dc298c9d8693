import { QueryLimitError, UnknownSensorError } from '../../functions/shared/errors';
import { QUERY_LIMITS } from '../../functions/shared/query/constants';
import type { QueryService } from '../../functions/shared/query/QueryService';
import type { SeriesQuery, SeriesResult } from '../../functions/shared/query/types';
import type { QueryPlan } from '../../scripts/lib/planQuery';
import { runQuery } from '../../scripts/lib/runQuery';

const FROM = Date.UTC(2026, 11, 1);
const TO = FROM + 86_400_000;

/** A read path whose every series holds `points` raw readings; `pump-3` lacks the metric. */
function serviceWith(points: number): Pick<QueryService, 'series' | 'assetSeries' | 'lineAssets'> {
  return {
    lineAssets: async () => ['pump-1', 'pump-2', 'pump-3'].map((assetId) => ({ assetId, status: 'OK', metrics: ['temperature'] })),
    series: async (query: SeriesQuery): Promise<SeriesResult> => {
      if (query.assetId === 'pump-3') throw new UnknownSensorError('--metric', 'no such metric');
      const raw = Array.from({ length: points }, (_, i) => ({ t: FROM + i, value: i, quality: 'GOOD' as const }));
      return { assetId: query.assetId, metric: query.metric, from: query.from, to: query.to, step: query.step, points: raw, itemsRead: 1, capacityUnits: 1 };
    },
    assetSeries: async () => [],
  };
}

const plan: QueryPlan = { kind: 'line-series', lineId: 'line-a', metric: 'temperature', range: { from: FROM, to: TO, step: 'raw', aggregates: [] } };

describe('runQuery of a line', () => {
  it("holds the points limit for the request, all the line's series together, as for one asset", async () => {
    await expect(runQuery(plan, serviceWith(QUERY_LIMITS.maxPoints / 2 + 1))).rejects.toThrow(
      new QueryLimitError('--from', `the range holds more than ${QUERY_LIMITS.maxPoints} readings of temperature on line line-a; narrow --from/--to or use a step`),
    );
  });

  it('reads every asset that has the metric when the line stays within the limit', async () => {
    const result = await runQuery(plan, serviceWith(QUERY_LIMITS.maxPoints / 2));
    expect(result.kind === 'series' ? result.series.map((series) => series.assetId) : []).toEqual(['pump-1', 'pump-2']);
  });

  it('reads a metric an asset of the line did not list because its list was cut (metricsIncomplete), as for one asset', async () => {
    const service = serviceWith(10);
    const incomplete = { ...service, lineAssets: async () => [{ assetId: 'pump-1', status: 'OK', metrics: ['pressure'], metricsIncomplete: true as const }] };
    const result = await runQuery({ ...plan, metric: 'vibration' }, incomplete);
    expect(result.kind === 'series' ? result.series.map((series) => [series.assetId, series.metric, series.points.length]) : []).toEqual([['pump-1', 'vibration', 10]]);
    const complete = { ...service, lineAssets: async () => [{ assetId: 'pump-1', status: 'OK', metrics: ['pressure'] }] };
    await expect(runQuery({ ...plan, metric: 'vibration' }, complete)).rejects.toThrow(
      new UnknownSensorError('--metric', "--metric vibration: no asset of line line-a has such a metric; its assets' metrics are pressure"),
    );
  });
});
