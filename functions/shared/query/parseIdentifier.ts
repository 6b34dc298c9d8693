import { IDENTIFIER_PATTERN, IDENTIFIER_PATTERN_TEXT } from '../constants';
import { QueryInputError } from '../errors';

/** An asset, metric or line id of the data contract; QueryInputError naming `parameter` otherwise. */
export function parseIdentifier(value: string | undefined, parameter: string): string {
  if (value === undefined || value === '') throw new QueryInputError(parameter, `${parameter} is required`);
  if (!IDENTIFIER_PATTERN.test(value)) throw new QueryInputError(parameter, `${parameter} must match ${IDENTIFIER_PATTERN_TEXT}, got ${JSON.stringify(value)}`);
  return value;
}
