import { QueryInputError } from '../../functions/shared/errors';
import { parseAggregates } from '../../functions/shared/query/parseAggregates';
import { parseIdentifier } from '../../functions/shared/query/parseIdentifier';
import { parseInstant } from '../../functions/shared/query/parseInstant';
import { parseSeriesQuery } from '../../functions/shared/query/parseSeriesQuery';
import { parseSeriesRange } from '../../functions/shared/query/parseSeriesRange';
import { parseStep } from '../../functions/shared/query/parseStep';
import type { ParseSeriesOptions, SeriesQuery } from '../../functions/shared/query/types';
import type { QueryCliOptions } from './queryArgs';
import type { QueryTargets } from './queryTargets';
import { seriesFlagLabel } from './seriesFlagLabel';

/** A command line checked in full, so that nothing is read for a request that would be refused. */
export type QueryPlan =
  | { readonly kind: 'sensor'; readonly query: SeriesQuery }
  | { readonly kind: 'asset'; readonly query: Omit<SeriesQuery, 'metric'> }
  | { readonly kind: 'line-assets'; readonly lineId: string }
  | { readonly kind: 'line-series'; readonly lineId: string; readonly metric: string; readonly range: Omit<SeriesQuery, 'assetId' | 'metric'> };

/** The series flags `--line` alone has no use for, in the order they are reported. */
const LISTING_SERIES_FLAGS = ['metric', 'to', 'step', 'agg'] as const;

/**
 * `--line` alone reads no series, so its series flags are refused; a bad value among them is still
 * reported as such first, by the read path's own parsers (its messages, not copies).
 */
function refuseSeriesFlags(options: QueryCliOptions, parse: ParseSeriesOptions): void {
  const { series } = options;
  if (series.metric !== undefined) parseIdentifier(series.metric, seriesFlagLabel('metric'));
  if (series.to !== undefined) parseInstant(series.to, { parameter: seriesFlagLabel('to'), now: parse.now, allowRelative: true });
  parseStep(series.step, seriesFlagLabel('step'));
  parseAggregates(series.agg, seriesFlagLabel('agg'));

  const given: [flag: string, value: string][] = LISTING_SERIES_FLAGS.flatMap((parameter) => {
    const value = series[parameter];
    return value === undefined ? [] : [[seriesFlagLabel(parameter), value] as [string, string]];
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
  const parse: ParseSeriesOptions = { now, allowRelative: true, label: seriesFlagLabel };
  if (options.target.kind === 'asset') {
    if (options.series.metric !== undefined) return { kind: 'sensor', query: parseSeriesQuery(options.series, parse) };
    return { kind: 'asset', query: { assetId: parseIdentifier(options.target.assetId, seriesFlagLabel('assetId')), ...parseSeriesRange(options.series, parse) } };
  }

  const lineId = parseIdentifier(options.target.lineId, seriesFlagLabel('lineId'));
  // A line that is not declared would read as a line without assets: an empty answer to a typo.
  if (!targets.lines.includes(lineId)) {
    throw new QueryInputError(seriesFlagLabel('lineId'), `${seriesFlagLabel('lineId')} ${lineId}: ${targets.environment} has no such line; its lines are ${targets.lines.join(', ')} (config/${targets.environment}.yaml plant.lines)`);
  }
  if (options.series.from === undefined) {
    refuseSeriesFlags(options, parse);
    return { kind: 'line-assets', lineId };
  }
  return { kind: 'line-series', lineId, metric: parseIdentifier(options.series.metric, seriesFlagLabel('metric')), range: parseSeriesRange(options.series, parse) };
}
