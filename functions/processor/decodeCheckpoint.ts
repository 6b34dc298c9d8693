import type { AssetDetectorState } from '../shared/detector';
import { ASSET_STATUS, ITEM_ATTRIBUTES, TABLE_KEYS } from '../shared/constants';
import { CorruptItemError } from '../shared/errors';
import { CHECKPOINT_OUTBOX_ATTRIBUTE, CHECKPOINT_STATUS_ATTRIBUTES } from './constants';
import type { DetectorCheckpoint, Notice, StatusCheckpoint } from './types';

/** The outbox of an item; one this code did not write is refused (CorruptItemError), not half-read. */
function decodeOutbox(value: unknown, assetId: string): Notice[] | undefined {
  if (value === undefined) return undefined;
  const notices: unknown = typeof value === 'string' ? JSON.parse(value) : undefined;
  const valid = Array.isArray(notices) && notices.every((notice) => typeof notice === 'object' && notice !== null && ('alert' in notice || 'recovery' in notice));
  if (!valid) throw new CorruptItemError(`detector checkpoint of ${assetId} has an outbox that is not a list of alerts and recoveries`);
  return notices as Notice[];
}

/** The status part of a checkpoint item; a field of another type is dropped (unknown: written again). */
function decodeStatus(item: Record<string, unknown>): StatusCheckpoint | undefined {
  const thingName = item[CHECKPOINT_STATUS_ATTRIBUTES.thingName];
  const value = item[CHECKPOINT_STATUS_ATTRIBUTES.value];
  const writtenAt = item[CHECKPOINT_STATUS_ATTRIBUTES.writtenAt];
  const metrics = item[CHECKPOINT_STATUS_ATTRIBUTES.metrics];
  const status: StatusCheckpoint = {
    ...(typeof thingName === 'string' ? { thingName } : {}),
    ...((value === ASSET_STATUS.ok || value === ASSET_STATUS.anomaly) && typeof writtenAt === 'number' ? { value, writtenAt } : {}),
    ...(Array.isArray(metrics) && metrics.every((metric) => typeof metric === 'string') ? { metrics: metrics as string[] } : {}),
  };
  return Object.keys(status).length === 0 ? undefined : status;
}

/** Reads a checkpoint item; CorruptItemError when it is not one this code wrote. */
export function decodeCheckpoint(item: Record<string, unknown>): DetectorCheckpoint {
  const assetId = item[TABLE_KEYS.detectorState.partitionKey];
  const state = item[ITEM_ATTRIBUTES.detectorState];
  const lastTs = item.lastTs;
  const savedAt = item.savedAt;
  if (typeof assetId !== 'string' || typeof state !== 'string' || typeof lastTs !== 'number' || typeof savedAt !== 'number') {
    throw new CorruptItemError(`detector checkpoint of ${String(assetId)} lacks assetId, state, lastTs or savedAt`);
  }
  const lastTsMetrics = item.lastTsMetrics;
  const status = decodeStatus(item);
  const outbox = decodeOutbox(item[CHECKPOINT_OUTBOX_ATTRIBUTE], assetId);
  return {
    assetId,
    state: JSON.parse(state) as AssetDetectorState,
    lastTs,
    savedAt,
    ...(Array.isArray(lastTsMetrics) && lastTsMetrics.every((metric) => typeof metric === 'string') ? { lastTsMetrics: lastTsMetrics as string[] } : {}),
    ...(status === undefined ? {} : { status }),
    ...(outbox === undefined ? {} : { outbox }),
  };
}
