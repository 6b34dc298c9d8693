import { QueryInputError } from '../errors';
import { QUERY_DEFAULTS, STEP_NAMES, type Step } from './constants';

/** A step name (default QUERY_DEFAULTS.step); QueryInputError naming `parameter` otherwise. */
export function parseStep(text: string | undefined, parameter: string): Step {
  const stepText = text === undefined || text === '' ? QUERY_DEFAULTS.step : text;
  if (!(STEP_NAMES as readonly string[]).includes(stepText)) throw new QueryInputError(parameter, `${parameter} must be one of ${STEP_NAMES.join(', ')}, got ${JSON.stringify(stepText)}`);
  return stepText as Step;
}
