import { QueryInputError, QueryLimitError } from '../errors';
import { QUERY_LIMITS, STEPS } from './constants';
import { labelOf } from './labelOf';
import { parseAggregates } from './parseAggregates';
import { parseInstant } from './parseInstant';
import { parseStep } from './parseStep';
import { stepPointCount } from './stepPointCount';
import type { ParseSeriesOptions, SeriesParameters, SeriesQuery } from './types';

const HOUR_MS = 3_600_000;

/** The range, step and aggregates of a request (one series' limits checked; several series multiply its points). */
export function parseSeriesRange(parameters: SeriesParameters, options: ParseSeriesOptions): Omit<SeriesQuery, 'assetId' | 'metric'> {
  const label = labelOf(options);
  if (parameters.from === undefined || parameters.from === '') throw new QueryInputError(label('from'), `${label('from')} is required`);
  const from = parseInstant(parameters.from, { parameter: label('from'), now: options.now, allowRelative: options.allowRelative });
  const to = parameters.to === undefined || parameters.to === '' ? options.now : parseInstant(parameters.to, { parameter: label('to'), now: options.now, allowRelative: options.allowRelative });
  if (to <= from) {
    throw new QueryInputError(label('to'), `${label('to')} must be after ${label('from')} (the range is [from, to)), got from ${new Date(from).toISOString()} and to ${new Date(to).toISOString()}`);
  }

  const step = parseStep(parameters.step, label('step'));
  // Raw returns the readings themselves: aggregates asked for would be silently ignored.
  if (step === 'raw' && parameters.agg !== undefined && parameters.agg !== '') {
    throw new QueryInputError(label('agg'), `${label('agg')} does not apply to ${label('step')} raw, which returns the readings themselves; leave it out or use a step`);
  }
  const aggregates = parseAggregates(parameters.agg, label('agg'));
  const range = to - from;
  if (step === 'raw' && range > QUERY_LIMITS.maxRawRangeMs) {
    throw new QueryLimitError(label('from'), `${label('step')} raw covers at most ${QUERY_LIMITS.maxRawRangeMs / HOUR_MS} hours (${QUERY_LIMITS.maxRawRangeMs} ms), the range is ${range} ms; narrow ${label('from')}/${label('to')} or use a step`);
  }
  if (step !== 'raw') {
    if (range > QUERY_LIMITS.maxRangeMs) {
      throw new QueryLimitError(label('from'), `${label('from')}/${label('to')} must cover at most ${QUERY_LIMITS.maxRangeMs / (24 * HOUR_MS)} days, got ${(range / (24 * HOUR_MS)).toFixed(1).replace(/\.0$/, '')} days; older history is in the archive (Athena)`);
    }
    const points = stepPointCount(from, to, STEPS[step]);
    if (points > QUERY_LIMITS.maxPoints) {
      throw new QueryLimitError(label('step'), `${label('step')} ${step} over this range makes ${points} points, over the limit of ${QUERY_LIMITS.maxPoints}; use a coarser step or a shorter range`);
    }
  }
  return { from, to, step, aggregates };
}
