import type { ParseSeriesOptions, SeriesParameters } from './types';

export function labelOf(options: ParseSeriesOptions): (parameter: keyof SeriesParameters) => string {
  return options.label ?? ((parameter: keyof SeriesParameters): string => parameter);
}
