import { ASSET_TYPES, FLEET_LIMITS, type AssetType } from './constants';
import { samplesPerMessage } from './samplesPerMessage';
import { UsageError } from './UsageError';

/**
 * Sample timestamps are whole milliseconds and strictly increasing per asset: beyond FLEET_LIMITS.maxSamplesPerSecond
 * they would run ahead of the clock until the functions quarantine them (more than 5 minutes ahead), which is no
 * fault anyone asked for.
 */
export function refuseSampleRate(rate: number, readingsPerMessage: number): void {
  for (const type of Object.keys(ASSET_TYPES) as AssetType[]) {
    const perSecond = rate * samplesPerMessage(type, readingsPerMessage);
    if (perSecond > FLEET_LIMITS.maxSamplesPerSecond) {
      throw new UsageError(
        `--rate ${rate} with --readings-per-message ${readingsPerMessage}: a ${type} would take ${perSecond} samples a second; timestamps are whole milliseconds, so at most ${FLEET_LIMITS.maxSamplesPerSecond} (lower --rate or --readings-per-message)`,
      );
    }
  }
}
