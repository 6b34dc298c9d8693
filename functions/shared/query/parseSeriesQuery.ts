import { labelOf } from './labelOf';
import { parseIdentifier } from './parseIdentifier';
import { parseSeriesRange } from './parseSeriesRange';
import type { ParseSeriesOptions, SeriesParameters, SeriesQuery } from './types';

/** Checks and normalises one series request; every error is a one-line QueryInputError naming the parameter. */
export function parseSeriesQuery(parameters: SeriesParameters, options: ParseSeriesOptions): SeriesQuery {
  const label = labelOf(options);
  return {
    assetId: parseIdentifier(parameters.assetId, label('assetId')),
    metric: parseIdentifier(parameters.metric, label('metric')),
    ...parseSeriesRange(parameters, options),
  };
}
