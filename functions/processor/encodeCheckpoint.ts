import { ITEM_ATTRIBUTES, LIMITS, TABLE_KEYS } from '../shared/constants';
import { CHECKPOINT_OUTBOX_ATTRIBUTE, CHECKPOINT_STATUS_ATTRIBUTES } from './constants';
import type { DetectorCheckpoint } from './types';

/**
 * The item of a checkpoint (without the TTL). Its listed metrics are all the status item can list
 * (LIMITS.maxListedMetricsPerAsset), so a restored container knows how full the item is and never
 * lists more. The usual asset has a few dozen (under 4 KB); the most, 1,000 names of 64 characters,
 * add about 66 KB to an item whose detector state is at most about 70 KB (MAX_MODEL_METRICS).
 */
export function encodeCheckpoint(checkpoint: DetectorCheckpoint): Record<string, unknown> {
  const status = checkpoint.status;
  return {
    [TABLE_KEYS.detectorState.partitionKey]: checkpoint.assetId,
    [ITEM_ATTRIBUTES.detectorState]: JSON.stringify(checkpoint.state),
    lastTs: checkpoint.lastTs,
    ...(checkpoint.lastTsMetrics === undefined ? {} : { lastTsMetrics: [...checkpoint.lastTsMetrics] }),
    savedAt: checkpoint.savedAt,
    ...(status?.thingName === undefined ? {} : { [CHECKPOINT_STATUS_ATTRIBUTES.thingName]: status.thingName }),
    ...(status?.value === undefined ? {} : { [CHECKPOINT_STATUS_ATTRIBUTES.value]: status.value }),
    ...(status?.writtenAt === undefined ? {} : { [CHECKPOINT_STATUS_ATTRIBUTES.writtenAt]: status.writtenAt }),
    ...(checkpoint.outbox === undefined || checkpoint.outbox.length === 0 ? {} : { [CHECKPOINT_OUTBOX_ATTRIBUTE]: JSON.stringify(checkpoint.outbox) }),
    ...(status?.metrics === undefined || status.metrics.length === 0
      ? {}
      : { [CHECKPOINT_STATUS_ATTRIBUTES.metrics]: [...status.metrics].sort().slice(0, LIMITS.maxListedMetricsPerAsset) }),
  };
}
