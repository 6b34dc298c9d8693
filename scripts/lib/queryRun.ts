import { QueryInputError, QueryLimitError, UnknownSensorError } from '../../functions/shared/errors';
import { QUERY_LIMITS, STEPS } from '../../functions/shared/query/constants';
import { parseInstant } from '../../functions/shared/query/parseInstant';
import { parseAggregates, parseIdentifier, parseSeriesQuery, parseSeriesRange, parseStep, type ParseSeriesOptions } from '../../functions/shared/query/parseSeriesQuery';
import type { QueryService } from '../../functions/shared/query/QueryService';
import { stepPointCount } from '../../functions/shared/query/stepPointCount';
import type { AssetSummary, SeriesQuery, SeriesResult } from '../../functions/shared/query/types';
import { SERIES_FLAGS, type QueryCliOptions } from './queryArgs';
import type { QueryTargets } from './queryTargets';

/** What one run of `npm run query` produced: series, or (`--line` alone) the line's assets. */
export type QueryRunResult = { readonly kind: 'series'; readonly series: readonly SeriesResult[] } | { readonly kind: 'assets'; readonly lineId: string; readonly assets: readonly AssetSummary[] };

/** A command line checked in full, so that nothing is read for a request that would be refused. */
export type QueryPlan =
  | { readonly kind: 'sensor'; readonly query: SeriesQuery }
  | { readonly kind: 'asset'; readonly query: Omit<SeriesQuery, 'metric'> }
  | { readonly kind: 'line-assets'; readonly lineId: string }
  | { readonly kind: 'line-series'; readonly lineId: string; readonly metric: string; readonly range: Omit<SeriesQuery, 'assetId' | 'metric'> };

const label = (parameter: keyof typeof SERIES_FLAGS): string => SERIES_FLAGS[parameter];

/** The series flags `--line` alone has no use for, in the order they are reported. */
const LISTING_SERIES_FLAGS = ['metric', 'to', 'step', 'agg'] as const;

/**
 * `--line` alone reads no series, so its series flags are refused; a bad value among them is still
 * reported as such first, by the read path's own parsers (its messages, not copies).
 */
function refuseSeriesFlags(options: QueryCliOptions, parse: ParseSeriesOptions): void {
  const { series } = options;
  if (series.metric !== undefined) parseIdentifier(series.metric, label('metric'));
  if (series.to !== undefined) parseInstant(series.to, { parameter: label('to'), now: parse.now, allowRelative: true });
  parseStep(series.step, label('step'));
  parseAggregates(series.agg, label('agg'));

  const given: [flag: string, value: string][] = LISTING_SERIES_FLAGS.flatMap((parameter) => {
    const value = series[parameter];
    return value === undefined ? [] : [[label(parameter), value] as [string, string]];
  });
  if (options.plotPath !== undefined) given.push(['--plot', options.plotPath]);
  const [first] = given;
  if (first !== undefined) {
    throw new QueryInputError(
      first[0],
      `${given.map(([flag, value]) => `${flag} ${JSON.stringify(value)}`).join(', ')}: --line without --from lists the line's assets and takes no series flags (--metric, --to, --step, --agg, --plot); add --from and --metric to read a series, or drop them`,
    );
  }
}

/**
 * Checks every flag against the environment (its lines) and the read path's rules, before any request:
 * a typo is exit 2 even with no AWS credentials or network.
 */
export function planQuery(options: QueryCliOptions, targets: Pick<QueryTargets, 'environment' | 'lines'>, now: number): QueryPlan {
  const parse: ParseSeriesOptions = { now, allowRelative: true, label };
  if (options.target.kind === 'asset') {
    if (options.series.metric !== undefined) return { kind: 'sensor', query: parseSeriesQuery(options.series, parse) };
    return { kind: 'asset', query: { assetId: parseIdentifier(options.target.assetId, label('assetId')), ...parseSeriesRange(options.series, parse) } };
  }

  const lineId = parseIdentifier(options.target.lineId, label('lineId'));
  // A line that is not declared would read as a line without assets: an empty answer to a typo.
  if (!targets.lines.includes(lineId)) {
    throw new QueryInputError(label('lineId'), `${label('lineId')} ${lineId}: ${targets.environment} has no such line; its lines are ${targets.lines.join(', ')} (config/${targets.environment}.yaml plant.lines)`);
  }
  if (options.series.from === undefined) {
    refuseSeriesFlags(options, parse);
    return { kind: 'line-assets', lineId };
  }
  return { kind: 'line-series', lineId, metric: parseIdentifier(options.series.metric, label('metric')), range: parseSeriesRange(options.series, parse) };
}

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
    throw new UnknownSensorError(label('metric'), `${label('metric')} ${metric}: no asset of line ${lineId} has such a metric; its assets' metrics are ${metrics.join(', ')}`);
  }
  if (range.step !== 'raw' && stepPointCount(range.from, range.to, STEPS[range.step]) * assets.length > QUERY_LIMITS.maxPoints) {
    throw new QueryLimitError(label('step'), `${label('step')} ${range.step} over this range for ${assets.length} assets makes more than ${QUERY_LIMITS.maxPoints} points; use a coarser step or a shorter range`);
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
      throw new QueryLimitError(label('from'), `the range holds more than ${QUERY_LIMITS.maxPoints} readings of ${metric} on line ${lineId}; narrow ${label('from')}/${label('to')} or use a step`);
    }
    series.push(result);
  }
  return { kind: 'series', series };
}
