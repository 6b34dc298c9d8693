import { SERIES_FLAGS } from './queryArgs';

export const seriesFlagLabel = (parameter: keyof typeof SERIES_FLAGS): string => SERIES_FLAGS[parameter];
