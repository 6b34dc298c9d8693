import { LIMITS } from '../../../functions/shared/constants';
import { ASSET_TYPES, type AssetType } from './constants';

/** Whole samples per message: readings per message rounded to the asset's metric count (at least one sample). */
export function samplesPerMessage(assetType: AssetType, readingsPerMessage: number): number {
  const metrics = ASSET_TYPES[assetType].length;
  return Math.max(1, Math.min(Math.floor(LIMITS.maxReadingsPerMessage / metrics), Math.round(readingsPerMessage / metrics)));
}
