import { IDENTIFIER_PATTERN, IDENTIFIER_PATTERN_TEXT } from '../constants';
import { QueryInputError, QueryLimitError } from '../errors';
import { AGGREGATES, QUERY_DEFAULTS, QUERY_LIMITS, STEP_NAMES, STEPS, type Aggregate, type Step } from './constants';
import { parseInstant } from './parseInstant';
import { stepPointCount } from './stepPointCount';
import type { SeriesQuery } from './types';

/** The request's parameters as text, as a query string or a command line carries them. */
export interface SeriesParameters {
  readonly assetId?: string;
  readonly metric?: string;
  readonly from?: string;
  readonly to?: string;
  readonly step?: string;
  readonly agg?: string;
}

export interface ParseSeriesOptions {
  readonly now: number;
  /** CLI: `now` and `-6h` offsets are accepted. */
  readonly allowRelative: boolean;
  /** How the caller names each parameter in errors (`--asset` for `assetId` on the command line). */
  readonly label?: (parameter: keyof SeriesParameters) => string;
}

const HOUR_MS = 3_600_000;

/** Checks and normalises one series request; every error is a one-line QueryInputError naming the parameter. */
export function parseSeriesQuery(parameters: SeriesParameters, options: ParseSeriesOptions): SeriesQuery {
  const label = labelOf(options);
  return {
    assetId: parseIdentifier(parameters.assetId, label('assetId')),
    metric: parseIdentifier(parameters.metric, label('metric')),
    ...parseSeriesRange(parameters, options),
  };
}

/** An asset, metric or line id of the data contract; QueryInputError naming `parameter` otherwise. */
export function parseIdentifier(value: string | undefined, parameter: string): string {
  if (value === undefined || value === '') throw new QueryInputError(parameter, `${parameter} is required`);
  if (!IDENTIFIER_PATTERN.test(value)) throw new QueryInputError(parameter, `${parameter} must match ${IDENTIFIER_PATTERN_TEXT}, got ${JSON.stringify(value)}`);
  return value;
}

function labelOf(options: ParseSeriesOptions): (parameter: keyof SeriesParameters) => string {
  return options.label ?? ((parameter: keyof SeriesParameters): string => parameter);
}

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

/** A step name (default QUERY_DEFAULTS.step); QueryInputError naming `parameter` otherwise. */
export function parseStep(text: string | undefined, parameter: string): Step {
  const stepText = text === undefined || text === '' ? QUERY_DEFAULTS.step : text;
  if (!(STEP_NAMES as readonly string[]).includes(stepText)) throw new QueryInputError(parameter, `${parameter} must be one of ${STEP_NAMES.join(', ')}, got ${JSON.stringify(stepText)}`);
  return stepText as Step;
}

/** A comma-separated list of aggregates (default QUERY_DEFAULTS.aggregates); QueryInputError naming `parameter` otherwise. */
export function parseAggregates(text: string | undefined, parameter: string): readonly Aggregate[] {
  if (text === undefined || text === '') return QUERY_DEFAULTS.aggregates;
  const names = text.split(',').map((name) => name.trim());
  const unknown = names.find((name) => !(AGGREGATES as readonly string[]).includes(name));
  if (unknown !== undefined) throw new QueryInputError(parameter, `${parameter} must be a comma-separated list of ${AGGREGATES.join(', ')}, got ${JSON.stringify(unknown)}`);
  return [...new Set(names)] as Aggregate[];
}
