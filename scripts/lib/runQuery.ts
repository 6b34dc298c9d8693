import { QueryLimitError, UnknownSensorError } from '../../functions/shared/errors';
import { QUERY_LIMITS, STEPS } from '../../functions/shared/query/constants';
import type { QueryService } from '../../functions/shared/query/QueryService';
import { stepPointCount } from '../../functions/shared/query/stepPointCount';
import type { AssetSummary, SeriesResult } from '../../functions/shared/query/types';
import type { QueryPlan } from './planQuery';
import { seriesFlagLabel } from './seriesFlagLabel';

/** What one run of `npm run query` produced: series, or (`--line` alone) the line's assets. */
export type QueryRunResult = { readonly kind: 'series'; readonly series: readonly SeriesResult[] } | { readonly kind: 'assets'; readonly lineId: string; readonly assets: readonly AssetSummary[] };

/** Runs a checked request through the query service (the same code as the query function). */
export async function runQuery(plan: QueryPlan, service: Pick<QueryService, 'series' | 'assetSeries' | 'lineAssets'>): Promise<QueryRunResult> {
  if (plan.kind === 'sensor') return { kind: 'series', series: [await service.series(plan.query)] };
  if (plan.kind === 'asset') return { kind: 'series', series: await service.assetSeries(plan.query) };
  const assets = await service.lineAssets(plan.lineId);
  if (plan.kind === 'line-assets') return { kind: 'assets', lineId: plan.lineId, assets };

  const { lineId, metric, range } = plan;
  // Only when every asset's metrics are registered, and listed whole, can the line be said to lack one (as
  // for one asset); a line without assets yet has nothing to read, which the empty result says.
  const metricsKnown = assets.every((asset) => asset.metrics.length > 0 && asset.metricsIncomplete !== true);
  if (assets.length > 0 && metricsKnown && !assets.some((asset) => asset.metrics.includes(metric))) {
    const metrics = [...new Set(assets.flatMap((asset) => asset.metrics))].sort();
    throw new UnknownSensorError(seriesFlagLabel('metric'), `${seriesFlagLabel('metric')} ${metric}: no asset of line ${lineId} has such a metric; its assets' metrics are ${metrics.join(', ')}`);
  }
  if (range.step !== 'raw' && stepPointCount(range.from, range.to, STEPS[range.step]) * assets.length > QUERY_LIMITS.maxPoints) {
    throw new QueryLimitError(seriesFlagLabel('step'), `${seriesFlagLabel('step')} ${range.step} over this range for ${assets.length} assets makes more than ${QUERY_LIMITS.maxPoints} points; use a coarser step or a shorter range`);
  }
  const series: SeriesResult[] = [];
  let rawTotal = 0;
  for (const asset of assets) {
    let result: SeriesResult;
    try {
      result = await service.series({ assetId: asset.assetId, metric, ...range });
    } catch (error) {
      // An asset of the line without this metric is not an error of the request.
      if (!(error instanceof UnknownSensorError)) throw error;
      continue;
    }
    // The points limit holds for the request, all series together, as for one asset's metrics.
    rawTotal += range.step === 'raw' ? result.points.length : 0;
    if (rawTotal > QUERY_LIMITS.maxPoints) {
      throw new QueryLimitError(seriesFlagLabel('from'), `the range holds more than ${QUERY_LIMITS.maxPoints} readings of ${metric} on line ${lineId}; narrow ${seriesFlagLabel('from')}/${seriesFlagLabel('to')} or use a step`);
    }
    series.push(result);
  }
  return { kind: 'series', series };
}
