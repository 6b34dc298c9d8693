import { UnknownSensorError, QueryLimitError } from '../../functions/shared/errors';
import { QUERY_LIMITS, STEPS } from '../../functions/shared/query/constants';
import { parseIdentifier, parseSeriesQuery, parseSeriesRange } from '../../functions/shared/query/parseSeriesQuery';
import type { QueryService } from '../../functions/shared/query/QueryService';
import { stepPointCount } from '../../functions/shared/query/stepPointCount';
import type { AssetSummary, SeriesResult } from '../../functions/shared/query/types';
import { SERIES_FLAGS, type QueryCliOptions } from './queryArgs';

/** What one run of `npm run query` produced: series, or (`--line` alone) the line's assets. */
export type QueryRunResult = { readonly kind: 'series'; readonly series: readonly SeriesResult[] } | { readonly kind: 'assets'; readonly lineId: string; readonly assets: readonly AssetSummary[] };

const label = (parameter: keyof typeof SERIES_FLAGS): string => SERIES_FLAGS[parameter];

/** Runs the command line's request through the query service (the same code as the query function). */
export async function runQuery(options: QueryCliOptions, service: Pick<QueryService, 'series' | 'assetSeries' | 'lineAssets'>, now: number): Promise<QueryRunResult> {
  const parse = { now, allowRelative: true, label };
  if (options.target.kind === 'asset') {
    if (options.series.metric !== undefined) return { kind: 'series', series: [await service.series(parseSeriesQuery(options.series, parse))] };
    const assetId = parseIdentifier(options.target.assetId, label('assetId'));
    return { kind: 'series', series: await service.assetSeries({ assetId, ...parseSeriesRange(options.series, parse) }) };
  }

  const lineId = parseIdentifier(options.target.lineId, label('lineId'));
  const assets = await service.lineAssets(lineId);
  if (options.series.from === undefined) return { kind: 'assets', lineId, assets };
  const metric = parseIdentifier(options.series.metric, label('metric'));
  const range = parseSeriesRange(options.series, parse);
  if (range.step !== 'raw' && stepPointCount(range.from, range.to, STEPS[range.step]) * assets.length > QUERY_LIMITS.maxPoints) {
    throw new QueryLimitError(label('step'), `${label('step')} ${range.step} over this range for ${assets.length} assets makes more than ${QUERY_LIMITS.maxPoints} points; use a coarser step or a shorter range`);
  }
  const series: SeriesResult[] = [];
  for (const asset of assets) {
    try {
      series.push(await service.series({ assetId: asset.assetId, metric, ...range }));
    } catch (error) {
      // An asset of the line without this metric is not an error of the request.
      if (!(error instanceof UnknownSensorError)) throw error;
    }
  }
  return { kind: 'series', series };
}
