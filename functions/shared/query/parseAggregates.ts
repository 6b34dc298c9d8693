import { QueryInputError } from '../errors';
import { AGGREGATES, QUERY_DEFAULTS, type Aggregate } from './constants';

/** A comma-separated list of aggregates (default QUERY_DEFAULTS.aggregates); QueryInputError naming `parameter` otherwise. */
export function parseAggregates(text: string | undefined, parameter: string): readonly Aggregate[] {
  if (text === undefined || text === '') return QUERY_DEFAULTS.aggregates;
  const names = text.split(',').map((name) => name.trim());
  const unknown = names.find((name) => !(AGGREGATES as readonly string[]).includes(name));
  if (unknown !== undefined) throw new QueryInputError(parameter, `${parameter} must be a comma-separated list of ${AGGREGATES.join(', ')}, got ${JSON.stringify(unknown)}`);
  return [...new Set(names)] as Aggregate[];
}
