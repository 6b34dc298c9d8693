/** The processor's limits and defaults (the data contract's are LIMITS in functions/shared/constants.ts). */

/** Assets whose effects (alerts, status, presence) run at once. */
export const DEFAULT_ASSET_CONCURRENCY = 16;

/**
 * Bytes of unpublished notices (alerts and recoveries) a checkpoint keeps. While SNS fails for hours
 * each alerted episode adds two; unbounded, the checkpoint item passed DynamoDB's 400 KB, failed with
 * its whole write chunk on every batch, and never reached the publish step again. 100 KB is a dozen
 * of the largest alerts (50 values) and beside the detector state (70 KB), the listed metrics (66 KB)
 * and the metrics of the last instant (66 KB) keeps the item under 310 KB.
 */
export const MAX_OUTBOX_BYTES = 100_000;

/** Names of unlisted metrics a warning quotes (a device making names up may send hundreds a batch). */
export const LOGGED_UNLISTED_NAMES = 5;

/**
 * An asset's detector state is checkpointed at most every CHECKPOINT_INTERVAL_SECONDS, and at once when an episode opens
 * or closes, an alert goes out or the warm-up completes. A checkpoint per asset per batch would cost one write of a few
 * KB per asset per second (the processor runs without a batching window); a cold start that
 * restores a checkpoint up to this old only misses the statistics of those seconds, while
 * episodes, alerts and a completed warm-up are always durable.
 */
export const DEFAULT_CHECKPOINT_INTERVAL_SECONDS = 60;

/** Bounds of CHECKPOINT_INTERVAL_SECONDS: 0 checkpoints every batch. */
export const CHECKPOINT_INTERVAL_BOUNDS = { min: 0, max: 3_600 } as const;

/**
 * When a shard comes back to a container that held it before (it moves between containers, not a
 * one-time take-over after a cold start), the container checkpoints the shard's assets every batch
 * for this long, so the container the shard moves to next restores exactly what this one judged. The
 * interval's saving only holds while a shard stays put; ShardHandoffs shows how often it does not.
 */
export const HANDOFF_EXACT_WINDOW_MS = 15 * 60_000;

/**
 * EMF keeps at most 100 values of a metric per document and Powertools flushes on the 100th;
 * 99 keeps a batch in one document. More latencies are sampled by quantile.
 */
export const MAX_LATENCY_VALUES = 99;

/** Days a checkpoint outlives its last write: an asset silent longer starts a new warm-up. */
export const DETECTOR_STATE_TTL_DAYS = 30;

/** Days a lease outlives its last claim (a shard closed by resharding is no longer claimed). */
export const SHARD_LEASE_TTL_DAYS = 7;

/** BatchGetItem or BatchWriteItem calls of one load or save in flight at once. */
export const CHECKPOINT_BATCH_CONCURRENCY = 4;

/** OFFLINE writes (and their clearing) of one presence event's assets in flight at once (a gateway may serve dozens). */
export const ASSET_WRITE_CONCURRENCY = 8;

/** Attributes of the status part of a checkpoint item (see StatusCheckpoint). */
export const CHECKPOINT_STATUS_ATTRIBUTES = { thingName: 'statusThing', value: 'statusValue', writtenAt: 'statusWrittenAt', metrics: 'statusMetrics' } as const;

/** Attribute of the notices a checkpoint holds until they are published (JSON of Notice[]). */
export const CHECKPOINT_OUTBOX_ATTRIBUTE = 'outbox';

/** Value of the `eventType` message attribute: subscribers filter or route on it. */
export const ALERT_EVENT_TYPES = { anomaly: 'anomaly', recovery: 'recovery' } as const;

/**
 * IoT Core's disconnectReason when a client connects with the client id of a connected one: the
 * connected one is disconnected with it, so it ends a session another session of the thing replaced.
 */
export const SUPERSEDED_SESSION_REASON = 'DUPLICATE_CLIENTID';
