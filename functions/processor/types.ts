import type { AssetDetectorState, FollowedDrift } from '../shared/detector';
import type { Deadline } from '../shared/Deadline';
import type { PresenceEvent, RecordOrigin } from '../shared/types';

/** What the detectorState table holds per asset. */
export interface DetectorCheckpoint {
  readonly assetId: string;
  readonly state: AssetDetectorState;
  /** ts of the newest sample the state has seen; samples before it are skipped (redelivery). */
  readonly lastTs: number;
  /**
   * Metrics already judged at lastTs: a later message of the asset with other metrics at the same
   * instant is still judged, a redelivered one is not. @default every metric of the model
   */
  readonly lastTsMetrics?: readonly string[];
  readonly savedAt: number;
  /** What the asset's writes to the assetStatus table left there, so a restored asset does not write it again. */
  readonly status?: StatusCheckpoint;
  /**
   * Alerts and recoveries the state has raised that may not be published yet (an outbox): written
   * before they are published, so a container that restores the state publishes them, with the
   * same episode ids, instead of judging the samples again into other episodes. @default none
   */
  readonly outbox?: readonly Notice[];
}

/** An alert or a recovery to publish. */
export type Notice = { readonly alert: AnomalyAlert } | { readonly recovery: EpisodeRecovery };

/**
 * The assetStatus writes an asset's checkpoint vouches for. A cold start that restores them writes
 * neither the thing link nor an unchanged status again (each was one UpdateItem per asset). Absent
 * fields (a checkpoint written before they existed, a status write that was superseded) mean
 * unknown: the next batch writes.
 */
export interface StatusCheckpoint {
  /** Thing whose item lists the asset (registerThingAsset succeeded for this pair). */
  readonly thingName?: string;
  /** Status last written from readings. */
  readonly value?: 'OK' | 'ANOMALY';
  /** Processing time of that write (the heartbeat counts from it). */
  readonly writtenAt?: number;
  /** Metrics added to the item's `metrics` set (at most LIMITS.maxListedMetricsPerAsset, all the item lists). */
  readonly metrics?: readonly string[];
}

export type AssetStatusValue = 'OK' | 'ANOMALY' | 'OFFLINE';

/** A status write of one asset (the assetStatus table, queried per line through `byLine`). */
export interface AssetStatusUpdate {
  readonly assetId: string;
  readonly plantId: string;
  readonly lineId: string;
  readonly thingName: string;
  readonly status: 'OK' | 'ANOMALY';
  /** receivedAt of the newest record (IoT Core clock, comparable with presence timestamps). */
  readonly lastSeen: number;
  /** Device ts of the newest sample judged. */
  readonly lastReadingTs: number;
  readonly updatedAt: number;
  readonly score?: number;
  readonly threshold?: number;
  readonly episodeId?: string;
  readonly episodeStartedAt?: number;
  readonly contributors?: readonly string[];
  /** Metrics of the asset not yet added to its item's `metrics` set by this container (the read path lists an asset's sensors from it). */
  readonly metrics?: readonly string[];
  /** The asset has metrics its item cannot list (LIMITS.maxListedMetricsPerAsset): the item says its list is incomplete. */
  readonly metricsIncomplete?: true;
}

/** What identifies an episode and where it happened: shared by its alert and its recovery. */
export interface EpisodeOrigin {
  readonly episodeId: string;
  readonly assetId: string;
  readonly plantId: string;
  readonly lineId: string;
  readonly thingName: string;
  readonly startedAt: number;
  /** The sample's values: the episode's own metrics first, at most LIMITS.maxAlertValues of them. */
  readonly values: Readonly<Record<string, { value: number; quality: string; unit?: string }>>;
  /** Metrics of the sample left out of `values` (present only when some were). */
  readonly valuesOmitted?: number;
}

/** One alert: an anomaly episode opened outside the cooldown, or one still open when the cooldown ended. */
export interface AnomalyAlert extends EpisodeOrigin {
  /** Device ts of the sample that raised the alert: the episode's start, or the first sample after the cooldown. */
  readonly detectedAt: number;
  readonly score: number;
  readonly threshold: number | null;
  readonly limitBreaches: readonly string[];
  readonly contributors: readonly string[];
}

/** The end of an alerted episode: same episode id as its alert, published on the same topic. */
export interface EpisodeRecovery extends EpisodeOrigin {
  /** Device ts of the sample that ended the episode. */
  readonly endedAt: number;
  readonly peakScore: number;
  /** The episode ended by re-baselining on a new operating point (the process settled elsewhere). */
  readonly rebaselined: boolean;
  /** An operator's acknowledgement (config `detection.acknowledge`) ended the episode. */
  readonly acknowledged: boolean;
  /** An operator's request to relearn the asset (config `detection.relearn`) ended the episode. */
  readonly relearned: boolean;
  /**
   * Metrics whose means followed their normal drift during the episode, largest shift first: the
   * episode may have ended because the detector followed the drift. Absent from notices checkpointed
   * before it existed.
   */
  readonly followedDrift?: readonly FollowedDrift[];
}

/** Who last processed a shard: the container and the last sequence number of its batch. */
export interface ShardLease {
  readonly owner: string;
  readonly lastSequenceNumber: string;
}

/** A container's claim of a shard for one batch (the batch's shard and last sequence number). */
export interface ShardClaim extends ShardLease {
  readonly shardId: string;
}

/** The processor's view of the detectorState table (DetectorStateStore). */
export interface DetectorStatePort {
  load(assetIds: readonly string[], deadline: Deadline): Promise<Map<string, Record<string, unknown>>>;
  save(checkpoints: readonly DetectorCheckpoint[], deadline: Deadline): Promise<{ readonly failed: ReadonlySet<string>; readonly error?: unknown }>;
  /** Records the claim as the shard's lease and returns the lease it replaced (undefined: none). */
  claimShard(claim: ShardClaim, deadline: Deadline): Promise<ShardLease | undefined>;
}

/**
 * Why a disconnect marked nothing though it ended a session: 'duplicateClientId' (another connection
 * took the client id over), 'otherSession' (the thing's last event is another session's connect).
 */
export type PresenceIgnoreReason = 'duplicateClientId' | 'otherSession';

/** The processor's view of the assetStatus table (StatusStore). */
export interface StatusPort {
  writeAssetStatus(update: AssetStatusUpdate, deadline: Deadline): Promise<'written' | 'superseded'>;
  /** 'full': the thing's item already lists LIMITS.maxListedAssetsPerThing other assets, so it does not list this one. */
  registerThingAsset(update: Pick<AssetStatusUpdate, 'assetId' | 'plantId' | 'lineId' | 'thingName'>, deadline: Deadline): Promise<'written' | 'full'>;
  /** `ignored`: a disconnect of another session than the thing's current one, which marked nothing (PresenceIgnoreReason). */
  applyPresence(event: PresenceEvent, deadline: Deadline): Promise<{ readonly applied: boolean; readonly offline: readonly string[]; readonly ignored?: PresenceIgnoreReason }>;
}

/** The processor's view of the alert topic (AlertPublisher). */
export interface AlertPort {
  publish(alert: AnomalyAlert, deadline: Deadline): Promise<void>;
  /** Announces the end of an alerted episode (a recovery), same topic, same episode id. */
  publishRecovery(recovery: EpisodeRecovery, deadline: Deadline): Promise<void>;
}

/** A presence event with its place in the batch. */
export interface PresenceRecord {
  readonly origin: RecordOrigin;
  readonly event: PresenceEvent;
}
