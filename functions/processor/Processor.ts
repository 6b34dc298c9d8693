import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { AssetDetector, MAX_MODEL_METRICS, type AssetDetectorState, type DetectorSettings, type Sample, type Verdict } from '../shared/detector';
import type { CircuitBreaker } from '../shared/CircuitBreaker';
import { ASSET_STATUS, LIMITS, METRIC_NAMES } from '../shared/constants';
import { Deadline, type RemainingTime } from '../shared/Deadline';
import { DeadlineExceededError } from '../shared/errors';
import { BatchFailures } from '../shared/BatchFailures';
import { mapWithConcurrency } from '../shared/mapWithConcurrency';
import { paceRetry } from '../shared/paceRetry';
import { parseKinesisRecord } from '../shared/parseKinesisRecord';
import type { QuarantineSink } from '../shared/QuarantineWriter';
import type { ParsedRecord, PresenceEvent, RecordOrigin, TelemetryMessage } from '../shared/types';
import { episodeIdOf } from './AlertPublisher';
import { metricRecord } from '../shared/metricRecord';
import { buildSamples, type SampleWithUnits } from './buildSamples';
import { decodeCheckpoint, MAX_CHECKPOINT_METRICS } from './DetectorStateStore';
import { groupByThing, presenceWrites, type PresenceRecord } from './planPresence';
import type { AlertPort, AnomalyAlert, AssetStatusUpdate, AssetStatusValue, DetectorCheckpoint, DetectorStatePort, EpisodeOrigin, EpisodeRecovery, Notice, ShardLease, StatusCheckpoint, StatusPort } from './types';

export interface ProcessorDependencies {
  readonly settings: DetectorSettings;
  /** Operators' acknowledgements per asset id (epoch ms; config `detection.acknowledge`), given to every detector created or restored. @default none */
  readonly acknowledgements?: ReadonlyMap<string, number>;
  /** Operators' requests to relearn per asset id (epoch ms; config `detection.relearn`), given to every detector created or restored. @default none */
  readonly relearnRequests?: ReadonlyMap<string, number>;
  readonly states: DetectorStatePort;
  readonly status: StatusPort;
  readonly alerts: AlertPort;
  readonly quarantine: QuarantineSink;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly statusHeartbeatSeconds: number;
  /** Seconds between checkpoints of an asset without episode events (default DEFAULT_CHECKPOINT_INTERVAL_SECONDS). */
  readonly checkpointIntervalSeconds?: number;
  /** The dependencies' breakers: a failed batch waits for their probe time (see paceRetry). */
  readonly breakers: readonly CircuitBreaker[];
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** Assets whose effects (alerts, status) run at once. */
  readonly assetConcurrency?: number;
  /** This container's name in the shard leases. @default a random UUID */
  readonly containerId?: string;
}

/** What the container keeps per asset between invocations. */
interface AssetEntry {
  /** Shard whose records built this state: valid only while this container holds that shard's lease without a gap. */
  shardId: string;
  detector: AssetDetector;
  lastTs: number;
  /** Metrics judged at lastTs (see DetectorCheckpoint.lastTsMetrics). */
  lastTsMetrics: Set<string>;
  /** State before the current batch; a failed batch rolls the asset back to it (undefined: forget the asset). */
  snapshot: { state: AssetDetectorState; lastTs: number; lastTsMetrics: Set<string> } | undefined;
  /** Processing time of the last checkpoint written (-Infinity: none from this container). */
  checkpointedAt: number;
  /** Status last written and when (processing clock); undefined forces the next write. */
  writtenStatus: AssetStatusValue | undefined;
  statusWrittenAt: number;
  /** Thing whose item lists the asset (the link was written, by this container or before its checkpoint); undefined: none known. */
  registeredThing: string | undefined;
  /** Metrics added to the asset's status item, by this container or before its checkpoint (the read path lists an asset's sensors from it). */
  registeredMetrics: Set<string>;
  /** This container wrote that the item's list is incomplete (metrics over LIMITS.maxListedMetricsPerAsset) and warned once. */
  unlistedNoted: boolean;
  /** Status value and thing the last checkpoint vouches for: a change is checkpointed at once, so a cold start knows it. */
  checkpointedStatus: AssetStatusValue | undefined;
  checkpointedThing: string | undefined;
  /** Notices of the checkpointed state not published yet, oldest first: published before anything newer. */
  outbox: Notice[];
  /** The table's checkpoint still lists notices this container has since published (cleared by the next write). */
  outboxCheckpointed: boolean;
}

/** What a batch's commit did, for the batch's metrics. */
interface CommitCounts {
  alertsPublished: number;
  recoveriesPublished: number;
  statusWrites: number;
  /** Metric names the assets' status items could not list, summed over the batch's assets. */
  metricsUnlisted: number;
  /** Assets whose thing's item could not list them. */
  thingAssetsUnlisted: number;
  /** Unpublished notices dropped from outboxes over MAX_OUTBOX_BYTES. */
  noticesDropped: number;
}

/** What a committed asset's writes left in the assetStatus table (applied to its entry once it committed). */
interface PendingStatus {
  readonly value: AssetStatusValue | undefined;
  readonly at: number;
  readonly metrics: readonly string[];
  readonly metricsIncomplete: boolean;
  readonly thingName: string;
}

/** One asset's part of a batch. */
interface AssetWork {
  readonly assetId: string;
  readonly firstIndex: number;
  readonly records: Array<{ origin: RecordOrigin; message: TelemetryMessage }>;
  /** Alerts and recoveries in the order their episodes opened and ended. */
  notices: Notice[];
  /** An episode opened or closed in this batch: checkpoint at once so it survives a cold start. */
  episodeChanged: boolean;
  /** The warm-up completed in this batch: checkpoint at once, so a cold start never puts the asset back into it. */
  warmedUp: boolean;
  opened: number;
  judged: number;
  skipped: number;
  /** Newest device ts of each record judged (for the end-to-end latency). */
  newest: number[];
  lastVerdict: Verdict | undefined;
  lastTs: number;
  lastSeen: number;
  latest: TelemetryMessage | undefined;
}

export interface ProcessorOutcome {
  readonly response: KinesisStreamBatchResponse;
  readonly judged: number;
  readonly skipped: number;
  readonly quarantined: number;
  readonly alertsPublished: number;
  readonly recoveriesPublished: number;
  readonly anomaliesOpened: number;
  readonly statusWrites: number;
  readonly presence: number;
  /** 1 when another container had processed the batch's shard since this one's last batch of it. */
  readonly shardHandoffs: number;
}

const DEFAULT_ASSET_CONCURRENCY = 16;
/**
 * Bytes of unpublished notices (alerts and recoveries) a checkpoint keeps. While SNS fails for hours
 * each alerted episode adds two; unbounded, the checkpoint item passed DynamoDB's 400 KB, failed with
 * its whole write chunk on every batch, and never reached the publish step again. 100 KB is a dozen
 * of the largest alerts (50 values) and beside the detector state (70 KB), the listed metrics (66 KB)
 * and the metrics of the last instant (66 KB) keeps the item under 310 KB.
 */
export const MAX_OUTBOX_BYTES = 100_000;
/** Names of unlisted metrics a warning quotes (a device making names up may send hundreds a batch). */
const LOGGED_UNLISTED_NAMES = 5;
const NEVER = -Infinity;
/**
 * An asset's detector state is checkpointed at most every CHECKPOINT_INTERVAL_SECONDS, and at once when an episode opens
 * or closes, an alert goes out or the warm-up completes. A checkpoint per asset per batch would cost one write of a few
 * KB per asset per second (the processor runs without a batching window); a cold start that
 * restores a checkpoint up to this old only misses the statistics of those seconds, while
 * episodes, alerts and a completed warm-up are always durable.
 */
export const DEFAULT_CHECKPOINT_INTERVAL_SECONDS = 60;

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
const MAX_LATENCY_VALUES = 99;

/** Up to `count` values spread over the sorted distribution (keeps min, max and the shape). */
export function quantileSample(values: number[], count: number): number[] {
  if (values.length <= count) return values;
  const sorted = [...values].sort((a, b) => a - b);
  return Array.from({ length: count }, (_, i) => sorted[Math.round((i * (sorted.length - 1)) / (count - 1))] as number);
}

/**
 * The processor's batch logic: validate, detect per asset, alert, write status, checkpoint.
 *
 * Failure semantics (Kinesis resumes from the lowest reported sequence number): an asset whose
 * restore, alert, status write or checkpoint fails is rolled back to its last checkpoint in memory,
 * and the batch reports from that asset's first record on. Assets that did commit keep their
 * state; their redelivered samples are at or before the checkpointed lastTs and are skipped, so
 * the detector never sees a sample twice and an episode is not alerted twice, except when the
 * alert was published and the checkpoint then failed (at-least-once, same episode id).
 *
 * Powertools' BatchProcessor judges records one at a time and reports exactly the failed ones;
 * here a batch is processed per asset and Kinesis needs everything from the first failure on, so
 * only the aws-lambda batch types are used.
 */
export class Processor {
  readonly #deps: ProcessorDependencies;
  readonly #assets = new Map<string, AssetEntry>();
  readonly #containerId: string;
  /** Last sequence number this container claimed per shard (see #holdShard). */
  readonly #claimed = new Map<string, string>();
  /** Shards this container has claimed, and when each last came back to it from another container. */
  readonly #held = new Set<string>();
  readonly #cameBack = new Map<string, number>();

  constructor(deps: ProcessorDependencies) {
    this.#deps = deps;
    this.#containerId = deps.containerId ?? randomUUID();
  }

  /** Assets held in memory (for tests and logs). */
  get assetsInMemory(): number {
    return this.#assets.size;
  }

  async handle(event: KinesisStreamEvent, context: RemainingTime): Promise<ProcessorOutcome> {
    const { metrics, logger } = this.#deps;
    const now = this.#deps.now ?? Date.now;
    const startedAt = now();
    const deadline = new Deadline(context);
    const records = event.Records;
    const batchFailures = new BatchFailures(records, logger);

    const parsed: ParsedRecord[] = records.map((record, index) => parseKinesisRecord(record, index, startedAt));
    const invalid: Array<Extract<ParsedRecord, { kind: 'invalid' }>> = [];
    const presence: Array<{ origin: RecordOrigin; event: PresenceEvent }> = [];
    const work = new Map<string, AssetWork>();
    for (const record of parsed) {
      if (record.kind === 'invalid') invalid.push(record);
      else if (record.kind === 'presence') presence.push(record);
      else {
        const assetId = record.message.assetId;
        let entry = work.get(assetId);
        if (entry === undefined) {
          entry = {
            assetId,
            firstIndex: record.origin.index,
            records: [],
            notices: [],
            episodeChanged: false,
            warmedUp: false,
            opened: 0,
            judged: 0,
            skipped: 0,
            newest: [],
            lastVerdict: undefined,
            lastTs: -Infinity,
            lastSeen: -Infinity,
            latest: undefined,
          };
          work.set(assetId, entry);
        }
        entry.records.push(record);
      }
    }

    // Quarantine runs beside detection: it touches S3 only.
    const quarantined = this.#quarantineAll(invalid, deadline, batchFailures);

    const failedAssets = new Set<string>();
    const shardId = parsed[0]?.origin.shardId ?? '';
    const lease = work.size === 0 ? { handoff: false } : await this.#holdShard(shardId, records[records.length - 1]?.kinesis.sequenceNumber ?? '', startedAt, deadline);
    if (lease.error !== undefined) {
      for (const item of work.values()) {
        failedAssets.add(item.assetId);
        batchFailures.add(item.firstIndex, lease.error, `lease of ${shardId}`);
      }
    }
    const restored = new Set([...work.keys()].filter((id) => !failedAssets.has(id) && this.#assets.get(id)?.shardId !== shardId));
    await this.#restore([...restored], shardId, deadline, (assetId, error) => {
      failedAssets.add(assetId);
      batchFailures.add(work.get(assetId)?.firstIndex ?? 0, error, `restore of ${assetId}`);
    });

    for (const item of work.values()) {
      const entry = this.#assets.get(item.assetId);
      if (entry === undefined || failedAssets.has(item.assetId)) continue;
      if (!restored.has(item.assetId)) {
        // Warm asset: its state may be ahead of its checkpoint, so the rollback point is taken now.
        entry.snapshot = { state: entry.detector.toState(), lastTs: entry.lastTs, lastTsMetrics: new Set(entry.lastTsMetrics) };
      }
      const warmingUp = entry.detector.warmingUp;
      for (const { message } of item.records) {
        let newest = -Infinity;
        for (const built of buildSamples(message)) {
          const { sample, units, readings } = unjudgedPart(built, entry);
          if (readings < built.readings) item.skipped += built.readings - readings;
          if (readings === 0) continue;
          let verdict: Verdict;
          try {
            verdict = entry.detector.observe(sample);
          } catch (error) {
            // Retrying cannot change a deterministic failure: skip the sample so the shard moves on.
            this.#deps.logger.error('detector failed on a sample; skipped', { assetId: item.assetId, ts: sample.ts, error: error as Error });
            markJudged(entry, sample);
            item.skipped += readings;
            continue;
          }
          markJudged(entry, sample);
          item.judged += readings;
          item.lastVerdict = verdict;
          if (verdict.episode.event === 'open') item.opened += 1;
          if (verdict.episode.event === 'open' || verdict.episode.event === 'close') item.episodeChanged = true;
          if (verdict.relearned === true) {
            // Checkpointed with the batch, so a restore does not relearn from a later sample.
            item.episodeChanged = true;
            this.#deps.logger.info('detector relearning the asset on an operator request', { assetId: item.assetId, ts: sample.ts });
          }
          if (verdict.episode.alert) item.notices.push({ alert: this.#alertOf(message, sample.ts, sample.values, units, verdict) });
          if (verdict.episode.event === 'close' && verdict.episode.recovery === true) {
            item.notices.push({ recovery: this.#recoveryOf(message, sample.ts, sample.values, units, verdict) });
          }
          if (sample.ts > newest) newest = sample.ts;
        }
        if (newest > -Infinity) item.newest.push(newest);
        item.lastSeen = Math.max(item.lastSeen, message.receivedAt);
        item.lastTs = entry.lastTs;
        item.latest = message;
      }
      item.warmedUp = warmingUp && !entry.detector.warmingUp;
      const leftOut = entry.detector.metricsLeftOut;
      if (item.warmedUp && leftOut.constant.length + leftOut.tooFewReadings.length > 0) {
        // Operators should know which metrics only their limits watch; relearn the asset once they vary or report.
        this.#deps.logger.warn('detector model leaves out metrics that never changed or had too few readings in the warm-up; they are checked against their limits only', {
          assetId: item.assetId,
          modelMetrics: entry.detector.metrics.length,
          constant: leftOut.constant,
          tooFewReadings: leftOut.tooFewReadings,
        });
      }
      if (item.warmedUp && entry.detector.metrics.length >= MAX_MODEL_METRICS) {
        // Bounded so the checkpoint fits one DynamoDB item; operators should know the rest get limits only.
        this.#deps.logger.warn('detector model holds the most metrics it takes; any further metric of the asset is checked against its limits only', {
          assetId: item.assetId,
          modelMetrics: entry.detector.metrics.length,
        });
      }
    }

    const everyBatch = startedAt - (this.#cameBack.get(shardId) ?? NEVER) < HANDOFF_EXACT_WINDOW_MS;
    const committed = await this.#commit(
      [...work.values()].filter((w) => !failedAssets.has(w.assetId)),
      everyBatch,
      deadline,
      now,
      (assetId, error) => {
        failedAssets.add(assetId);
        batchFailures.add(work.get(assetId)?.firstIndex ?? 0, error, `commit of ${assetId}`);
      },
      // Committed (its notices are in its checkpoint's outbox): not rolled back, only retried to publish the rest.
      (assetId, error) => batchFailures.add(work.get(assetId)?.firstIndex ?? 0, error, `alerts of ${assetId}`),
    );
    for (const assetId of failedAssets) this.#rollBack(assetId);

    // Counted for the assets that committed: a rolled-back asset is judged again on the retry.
    let judged = 0;
    let skipped = 0;
    let anomaliesOpened = 0;
    const latencies: number[] = [];
    let oldestOpenEpisode: { assetId: string; ageSeconds: number } | undefined;
    for (const item of work.values()) {
      if (failedAssets.has(item.assetId)) continue;
      judged += item.judged;
      skipped += item.skipped;
      anomaliesOpened += item.opened;
      latencies.push(...item.newest);
      const ageSeconds = openEpisodeAgeSeconds(item);
      if (ageSeconds !== undefined && ageSeconds > (oldestOpenEpisode?.ageSeconds ?? -1)) oldestOpenEpisode = { assetId: item.assetId, ageSeconds };
    }

    const presenceApplied = await this.#applyPresence(presence, deadline, batchFailures);
    const quarantinedCount = await quarantined;

    const endedAt = now();
    const response = batchFailures.response();
    if (response.batchItemFailures.length > 0) await paceRetry(this.#deps.breakers, deadline, this.#deps.sleep);
    metrics.addMetric(METRIC_NAMES.readingsProcessed, MetricUnit.Count, judged);
    metrics.addMetric(METRIC_NAMES.readingsSkipped, MetricUnit.Count, skipped);
    metrics.addMetric(METRIC_NAMES.recordsQuarantined, MetricUnit.Count, quarantinedCount);
    metrics.addMetric(METRIC_NAMES.anomaliesOpened, MetricUnit.Count, anomaliesOpened);
    metrics.addMetric(METRIC_NAMES.alertsPublished, MetricUnit.Count, committed.alertsPublished);
    metrics.addMetric(METRIC_NAMES.recoveriesPublished, MetricUnit.Count, committed.recoveriesPublished);
    // Only when an episode is open: a batch without one says nothing about the others' episodes.
    if (oldestOpenEpisode !== undefined) metrics.addMetric(METRIC_NAMES.oldestOpenEpisodeAge, MetricUnit.Seconds, oldestOpenEpisode.ageSeconds);
    metrics.addMetric(METRIC_NAMES.statusWrites, MetricUnit.Count, committed.statusWrites);
    // Only when a device went over a listing limit: in normal operation these metrics do not exist (nor cost).
    if (committed.metricsUnlisted > 0) metrics.addMetric(METRIC_NAMES.metricsUnlisted, MetricUnit.Count, committed.metricsUnlisted);
    if (committed.thingAssetsUnlisted > 0) metrics.addMetric(METRIC_NAMES.thingAssetsUnlisted, MetricUnit.Count, committed.thingAssetsUnlisted);
    if (committed.noticesDropped > 0) metrics.addMetric(METRIC_NAMES.noticesDropped, MetricUnit.Count, committed.noticesDropped);
    metrics.addMetric(METRIC_NAMES.presenceEvents, MetricUnit.Count, presenceApplied);
    metrics.addMetric(METRIC_NAMES.shardHandoffs, MetricUnit.Count, lease.handoff ? 1 : 0);
    metrics.addMetric(METRIC_NAMES.recordsRetried, MetricUnit.Count, response.batchItemFailures.length);
    metrics.addMetric(METRIC_NAMES.batchDuration, MetricUnit.Milliseconds, endedAt - startedAt);
    for (const latency of quantileSample(latencies.map((ts) => endedAt - ts), MAX_LATENCY_VALUES)) {
      metrics.addMetric(METRIC_NAMES.endToEndLatency, MetricUnit.Milliseconds, latency);
    }
    metrics.publishStoredMetrics();
    // Per shard and with its restores and duration, so an operator can find the shard a slow batch belonged to and why.
    logger.info('batch processed', {
      shardId,
      durationMs: endedAt - startedAt,
      records: records.length,
      assets: work.size,
      restored: restored.size,
      judged,
      skipped,
      quarantined: quarantinedCount,
      anomaliesOpened,
      alertsPublished: committed.alertsPublished,
      recoveriesPublished: committed.recoveriesPublished,
      statusWrites: committed.statusWrites,
      presence: presenceApplied,
      shardHandoff: lease.handoff,
      retried: response.batchItemFailures.length,
      failures: batchFailures.count,
      ...(oldestOpenEpisode === undefined ? {} : { oldestOpenEpisode }),
      ...(committed.metricsUnlisted > 0 ? { metricsUnlisted: committed.metricsUnlisted } : {}),
      ...(committed.thingAssetsUnlisted > 0 ? { thingAssetsUnlisted: committed.thingAssetsUnlisted } : {}),
    });
    return {
      response,
      judged,
      skipped,
      quarantined: quarantinedCount,
      alertsPublished: committed.alertsPublished,
      recoveriesPublished: committed.recoveriesPublished,
      anomaliesOpened,
      statusWrites: committed.statusWrites,
      presence: presenceApplied,
      shardHandoffs: lease.handoff ? 1 : 0,
    };
  }

  /**
   * Lambda does not keep a shard on one execution environment: a shard's next batch may go to
   * another container, which then holds this container's assets of the shard ahead of what this
   * container has in memory. Each batch claims the shard's lease (this container, the batch's last
   * sequence number); when the lease it replaces is not this container's own previous claim,
   * another container processed the shard in between, and every asset of the shard is dropped
   * from memory, to be restored from its checkpoint as after a cold start. Without the check a
   * container would judge with a stale detector, reopen episodes the other one opened and
   * overwrite newer checkpoints. Assumes one batch per shard at a time (parallelizationFactor 1). A
   * container a shard came back to checkpoints its assets every batch for HANDOFF_EXACT_WINDOW_MS, so
   * while a shard keeps moving each move restores exactly what the last container judged.
   */
  async #holdShard(shardId: string, lastSequenceNumber: string, now: number, deadline: Deadline): Promise<{ handoff: boolean; error?: unknown }> {
    const ownClaim = this.#claimed.get(shardId);
    // Forgotten first: a claim whose outcome is unknown (an error after the write) must not count as ours.
    this.#claimed.delete(shardId);
    let previous: ShardLease | undefined;
    try {
      previous = await this.#deps.states.claimShard({ shardId, owner: this.#containerId, lastSequenceNumber }, deadline);
    } catch (error) {
      return { handoff: false, error };
    }
    this.#claimed.set(shardId, lastSequenceNumber);
    // Ours only when it is the claim of our previous batch. Finding this very claim (a retried write
    // whose first attempt landed, or a retry after a claim that failed) proves only that our write
    // landed, not who held the lease before it: another container may have judged the shard in between,
    // and after a failed claim the assets were rolled back to the snapshot of an earlier batch. Memory
    // is dropped and the assets are restored from their checkpoints.
    if (previous?.owner === this.#containerId && ownClaim !== undefined && previous.lastSequenceNumber === ownClaim) {
      return { handoff: false };
    }
    let dropped = 0;
    for (const [assetId, entry] of this.#assets) {
      if (entry.shardId !== shardId) continue;
      this.#assets.delete(assetId);
      dropped += 1;
    }
    // Our own lease whose last claim we forgot (it failed) is not a handoff, but memory is dropped all the same.
    const handoff = previous !== undefined && previous.owner !== this.#containerId;
    const heldBefore = this.#held.has(shardId);
    this.#held.add(shardId);
    if (handoff) {
      if (heldBefore) this.#cameBack.set(shardId, now);
      this.#deps.logger.info('shard processed by another container since; its assets are restored from checkpoints', { shardId, previousOwner: previous?.owner, dropped });
    }
    return { handoff };
  }

  async #quarantineAll(
    invalid: Array<Extract<ParsedRecord, { kind: 'invalid' }>>,
    deadline: Deadline,
    batchFailures: BatchFailures,
  ): Promise<number> {
    const results = await mapWithConcurrency(invalid, 8, async (record) => {
      if (deadline.isExpired()) throw new DeadlineExceededError('no time left to quarantine');
      await this.#deps.quarantine.write(record, deadline);
      this.#deps.logger.info('record quarantined', { reason: record.reason, detail: record.detail, sequenceNumber: record.origin.sequenceNumber });
    });
    let count = 0;
    results.forEach((result, i) => {
      const record = invalid[i];
      if (record === undefined) return;
      if (result.status === 'fulfilled') count += 1;
      else batchFailures.add(record.origin.index, result.reason, 'quarantine');
    });
    return count;
  }

  /** Lazily restores assets this container has not seen; a corrupt checkpoint starts a fresh warm-up. */
  async #restore(assetIds: string[], shardId: string, deadline: Deadline, onFailure: (assetId: string, error: unknown) => void): Promise<void> {
    if (assetIds.length === 0) return;
    const { settings, states, logger } = this.#deps;
    let items: Map<string, Record<string, unknown>>;
    try {
      items = await states.load(assetIds, deadline);
    } catch (error) {
      for (const assetId of assetIds) onFailure(assetId, error);
      return;
    }
    for (const assetId of assetIds) {
      const item = items.get(assetId);
      let committed: DetectorCheckpoint | undefined;
      let detector: AssetDetector | undefined;
      if (item !== undefined) {
        try {
          committed = decodeCheckpoint(item);
          detector = this.#withOperatorRequests(assetId, AssetDetector.fromState(committed.state, settings));
        } catch (error) {
          logger.error('detector checkpoint unreadable; the asset starts a new warm-up', { assetId, error: error as Error });
          committed = undefined;
        }
      }
      const restoredDetector = detector ?? this.#withOperatorRequests(assetId, new AssetDetector(settings));
      // A checkpoint without the list (written before it existed) counts every model metric as judged.
      const lastTsMetrics = new Set(committed?.lastTsMetrics ?? restoredDetector.metrics);
      // The checkpoint vouches for the status writes before it: a restored asset writes its link and
      // its status only when they change or the heartbeat is due, as in the container that wrote it.
      const status = committed?.status;
      this.#assets.set(assetId, {
        shardId,
        detector: restoredDetector,
        lastTs: committed?.lastTs ?? -Infinity,
        lastTsMetrics,
        snapshot: committed === undefined ? undefined : { state: committed.state, lastTs: committed.lastTs, lastTsMetrics: new Set(lastTsMetrics) },
        checkpointedAt: committed?.savedAt ?? NEVER,
        writtenStatus: status?.value,
        statusWrittenAt: status?.writtenAt ?? -Infinity,
        registeredThing: status?.thingName,
        registeredMetrics: new Set(status?.metrics ?? []),
        unlistedNoted: false,
        checkpointedStatus: status?.value,
        checkpointedThing: status?.thingName,
        outbox: [...(committed?.outbox ?? [])],
        outboxCheckpointed: (committed?.outbox?.length ?? 0) > 0,
      });
    }
  }

  /** Gives a detector its asset's acknowledgement and relearn request, if the config has them. */
  #withOperatorRequests(assetId: string, detector: AssetDetector): AssetDetector {
    const acknowledgedAt = this.#deps.acknowledgements?.get(assetId);
    if (acknowledgedAt !== undefined) detector.acknowledge(acknowledgedAt);
    const relearnAt = this.#deps.relearnRequests?.get(assetId);
    if (relearnAt !== undefined) detector.relearn(relearnAt);
    return detector;
  }

  #rollBack(assetId: string): void {
    const entry = this.#assets.get(assetId);
    if (entry === undefined) return;
    if (entry.snapshot === undefined) {
      // Nothing known before this batch: restoring again on the retry finds the truth.
      this.#assets.delete(assetId);
      return;
    }
    entry.detector = this.#withOperatorRequests(assetId, AssetDetector.fromState(entry.snapshot.state, this.#deps.settings));
    entry.lastTs = entry.snapshot.lastTs;
    entry.lastTsMetrics = new Set(entry.snapshot.lastTsMetrics);
  }

  #alertOf(
    message: TelemetryMessage,
    ts: number,
    values: Readonly<Record<string, { value: number; quality: string }>>,
    units: Readonly<Record<string, string>>,
    verdict: Verdict,
  ): AnomalyAlert {
    return {
      ...episodeOrigin(message, verdict.episode.startedAt ?? ts, values, units, [...verdict.limitBreaches, ...verdict.contributors]),
      detectedAt: ts,
      score: verdict.score,
      threshold: Number.isFinite(verdict.threshold) ? verdict.threshold : null,
      limitBreaches: verdict.limitBreaches,
      contributors: verdict.contributors,
    };
  }

  #recoveryOf(
    message: TelemetryMessage,
    ts: number,
    values: Readonly<Record<string, { value: number; quality: string }>>,
    units: Readonly<Record<string, string>>,
    verdict: Verdict,
  ): EpisodeRecovery {
    return {
      ...episodeOrigin(message, verdict.episode.startedAt ?? ts, values, units),
      endedAt: ts,
      peakScore: verdict.episode.peakScore ?? verdict.score,
      rebaselined: verdict.episode.rebaselined === true,
      acknowledged: verdict.episode.acknowledged === true,
      relearned: verdict.episode.relearned === true,
      followedDrift: verdict.episode.followedDrift ?? [],
    };
  }

  /**
   * Per asset: status and thing links, then one checkpoint write for the assets that got through
   * (every asset judged when `everyBatch`), then the alerts and recoveries. The notices are in the
   * checkpoint (its outbox) before they are published, so a retry anywhere publishes them with the
   * same episode ids; a publish that fails leaves the asset committed and only reported, for the
   * retry to publish what is left.
   */
  async #commit(
    items: AssetWork[],
    everyBatch: boolean,
    deadline: Deadline,
    now: () => number,
    onFailure: (assetId: string, error: unknown) => void,
    onUnpublished: (assetId: string, error: unknown) => void,
  ): Promise<CommitCounts> {
    const counts = { alertsPublished: 0, recoveriesPublished: 0, statusWrites: 0, metricsUnlisted: 0, thingAssetsUnlisted: 0, noticesDropped: 0 };
    const failed = new Set<string>();
    const fail = (assetId: string, error: unknown): void => {
      failed.add(assetId);
      onFailure(assetId, error);
    };
    const { checkpoints, pendingStatus } = await this.#writeStatus(items, everyBatch, deadline, now, fail, counts);
    await this.#saveCheckpoints(checkpoints, pendingStatus, deadline, fail);
    await this.#publishOutboxes(items.filter((item) => !failed.has(item.assetId)), deadline, now, onUnpublished, counts);
    return counts;
  }

  /** Status and thing links of each judged asset, and the checkpoints due (with their outboxes). */
  async #writeStatus(
    items: AssetWork[],
    everyBatch: boolean,
    deadline: Deadline,
    now: () => number,
    onFailure: (assetId: string, error: unknown) => void,
    counts: CommitCounts,
  ): Promise<{ checkpoints: DetectorCheckpoint[]; pendingStatus: Map<string, PendingStatus> }> {
    const { status, statusHeartbeatSeconds } = this.#deps;
    const checkpointIntervalMs = everyBatch ? 0 : (this.#deps.checkpointIntervalSeconds ?? DEFAULT_CHECKPOINT_INTERVAL_SECONDS) * 1000;
    const checkpoints: DetectorCheckpoint[] = [];
    const pendingStatus = new Map<string, PendingStatus>();
    const results = await mapWithConcurrency(items, this.#deps.assetConcurrency ?? DEFAULT_ASSET_CONCURRENCY, async (item) => {
      const entry = this.#assets.get(item.assetId);
      const message = item.latest;
      if (entry === undefined || message === undefined || item.judged === 0) return;
      if (deadline.isExpired()) throw new DeadlineExceededError(`no time left to commit ${item.assetId}`);
      const verdict = item.lastVerdict;
      // From the episode, not the last sample's flag: a sample without usable readings (all BAD,
      // or only metrics outside the model) is not flagged, yet the episode it falls in is still open.
      const value: AssetStatusValue = verdict !== undefined && episodeOpenAt(verdict) ? ASSET_STATUS.anomaly : ASSET_STATUS.ok;
      const at = now();
      const { listed: newMetrics, unlisted } = unregisteredMetrics(item.records, entry.registeredMetrics);
      counts.metricsUnlisted += unlisted.length;
      // The first names over the limit are noted once per container: the item says its list is incomplete.
      const noteUnlisted = unlisted.length > 0 && !entry.unlistedNoted;
      if (noteUnlisted) {
        this.#deps.logger.warn('asset has more metrics than its status item lists; the others are judged and stored but not listed', {
          assetId: item.assetId,
          limit: LIMITS.maxListedMetricsPerAsset,
          unlisted: unlisted.slice(0, LOGGED_UNLISTED_NAMES),
        });
      }
      const link = { assetId: item.assetId, plantId: message.plantId, lineId: message.lineId, thingName: message.thingName };
      const moved = entry.registeredThing !== link.thingName;
      // A metric the item does not list yet is written at once, so the read path finds the sensor; a move
      // too, since only the thing the item names marks the asset OFFLINE on its disconnect (StatusStore).
      const due = entry.writtenStatus !== value || at - entry.statusWrittenAt >= statusHeartbeatSeconds * 1000 || newMetrics.length > 0 || noteUnlisted || moved;
      // Before the status write: a status item naming a thing implies the thing's item lists the asset (or is full).
      if (moved && (await status.registerThingAsset(link, deadline)) === 'full') {
        counts.thingAssetsUnlisted += 1;
        this.#deps.logger.warn('thing lists the most assets it can; a disconnect of the thing will not mark this asset OFFLINE', {
          assetId: item.assetId,
          thingName: link.thingName,
          limit: LIMITS.maxListedAssetsPerThing,
        });
      }
      let writtenStatus = entry.writtenStatus;
      let writtenAt = entry.statusWrittenAt;
      let registered: readonly string[] = [];
      let incompleteWritten = false;
      if (due) {
        const startedAt = verdict?.episode.startedAt;
        const update: AssetStatusUpdate = {
          ...link,
          status: value,
          lastSeen: item.lastSeen,
          lastReadingTs: item.lastTs,
          updatedAt: at,
          ...(verdict && Number.isFinite(verdict.score) ? { score: verdict.score } : {}),
          ...(verdict && Number.isFinite(verdict.threshold) ? { threshold: verdict.threshold } : {}),
          ...(value === ASSET_STATUS.anomaly && startedAt !== undefined
            ? { episodeId: episodeIdOf(item.assetId, startedAt), episodeStartedAt: startedAt, contributors: verdict?.contributors ?? [] }
            : {}),
          ...(newMetrics.length > 0 ? { metrics: newMetrics } : {}),
          ...(unlisted.length > 0 ? { metricsIncomplete: true as const } : {}),
        };
        const outcome = await status.writeAssetStatus(update, deadline);
        counts.statusWrites += 1;
        // Superseded: the asset went OFFLINE after these readings arrived (or a newer write won);
        // leave the written status unknown so the next batch writes again.
        writtenStatus = outcome === 'written' ? value : undefined;
        writtenAt = at;
        if (outcome === 'written') {
          registered = newMetrics;
          incompleteWritten = unlisted.length > 0;
        }
      }
      const pending: PendingStatus = { value: writtenStatus, at: writtenAt, metrics: registered, metricsIncomplete: incompleteWritten, thingName: link.thingName };
      pendingStatus.set(item.assetId, pending);
      // A status value, thing or listed metric the checkpoint does not vouch for yet (first sight, an episode,
      // a superseded write, a moved asset, a new metric: rare) is checkpointed at once; otherwise a cold start
      // could skip a needed write, or list more metrics than the item takes.
      const statusChanged = statusValueOf(writtenStatus) !== entry.checkpointedStatus || link.thingName !== entry.checkpointedThing || registered.length > 0;
      if (item.episodeChanged || item.warmedUp || item.notices.length > 0 || statusChanged || at - entry.checkpointedAt >= checkpointIntervalMs) {
        // The batch's notices join the outbox, which is durable before anything of it is published.
        const outbox = newestWithin([...entry.outbox, ...item.notices], MAX_OUTBOX_BYTES);
        if (outbox.dropped.length > 0) {
          counts.noticesDropped += outbox.dropped.length;
          this.#deps.logger.error('notices unpublished for too long; the oldest dropped so the checkpoint stays writable', {
            assetId: item.assetId,
            dropped: outbox.dropped.length,
            episodes: outbox.dropped.map(noticeEpisodeId),
          });
        }
        checkpoints.push(checkpointOf(item.assetId, entry, at, statusCheckpointOf(pending, entry.registeredMetrics), outbox.kept));
      } else {
        this.#applyStatus(item.assetId, pendingStatus.get(item.assetId));
      }
    });
    results.forEach((result, i) => {
      const item = items[i];
      if (item !== undefined && result.status === 'rejected') onFailure(item.assetId, result.reason);
    });
    return { checkpoints, pendingStatus };
  }

  /** One write of the checkpoints due; a saved one's status and outbox become what the asset vouches for. */
  async #saveCheckpoints(
    checkpoints: DetectorCheckpoint[],
    pendingStatus: Map<string, PendingStatus>,
    deadline: Deadline,
    onFailure: (assetId: string, error: unknown) => void,
  ): Promise<void> {
    if (checkpoints.length === 0) return;
    if (deadline.isExpired()) {
      for (const checkpoint of checkpoints) onFailure(checkpoint.assetId, new DeadlineExceededError('no time left to checkpoint'));
      return;
    }
    const saved = await this.#deps.states.save(checkpoints, deadline);
    for (const checkpoint of checkpoints) {
      if (saved.failed.has(checkpoint.assetId)) {
        onFailure(checkpoint.assetId, saved.error);
        continue;
      }
      const entry = this.#assets.get(checkpoint.assetId);
      if (entry === undefined) continue;
      entry.checkpointedAt = checkpoint.savedAt;
      entry.checkpointedStatus = checkpoint.status?.value;
      entry.checkpointedThing = checkpoint.status?.thingName;
      entry.outbox = [...(checkpoint.outbox ?? [])];
      entry.outboxCheckpointed = entry.outbox.length > 0;
      this.#applyStatus(checkpoint.assetId, pendingStatus.get(checkpoint.assetId));
    }
  }

  /**
   * Publishes each committed asset's outbox in order, then writes the checkpoints of the assets
   * whose outbox emptied without it; a failed write is reported for the retry to write again (until
   * then a restore would publish those notices again, with the same episode ids).
   */
  async #publishOutboxes(items: AssetWork[], deadline: Deadline, now: () => number, onUnpublished: (assetId: string, error: unknown) => void, counts: CommitCounts): Promise<void> {
    const { alerts, states } = this.#deps;
    const emptied: string[] = [];
    const results = await mapWithConcurrency(items, this.#deps.assetConcurrency ?? DEFAULT_ASSET_CONCURRENCY, async (item) => {
      const entry = this.#assets.get(item.assetId);
      if (entry === undefined || (entry.outbox.length === 0 && !entry.outboxCheckpointed)) return;
      for (let notice = entry.outbox[0]; notice !== undefined; notice = entry.outbox[0]) {
        if (deadline.isExpired()) throw new DeadlineExceededError(`no time left to publish the notices of ${item.assetId}`);
        if ('alert' in notice) {
          await alerts.publish(notice.alert, deadline);
          counts.alertsPublished += 1;
        } else {
          await alerts.publishRecovery(notice.recovery, deadline);
          counts.recoveriesPublished += 1;
        }
        entry.outbox.shift();
      }
      if (entry.outboxCheckpointed) emptied.push(item.assetId);
    });
    results.forEach((result, i) => {
      const item = items[i];
      if (item !== undefined && result.status === 'rejected') onUnpublished(item.assetId, result.reason);
    });
    const clearing = emptied.flatMap((assetId) => {
      const entry = this.#assets.get(assetId);
      return entry === undefined ? [] : [checkpointOf(assetId, entry, now(), checkpointedStatusOf(entry))];
    });
    if (clearing.length === 0) return;
    if (deadline.isExpired()) {
      for (const checkpoint of clearing) onUnpublished(checkpoint.assetId, new DeadlineExceededError('no time left to checkpoint the published notices'));
      return;
    }
    const saved = await states.save(clearing, deadline);
    for (const checkpoint of clearing) {
      const entry = this.#assets.get(checkpoint.assetId);
      if (entry === undefined) continue;
      // Reported, so the retry writes it again; meanwhile a restore would publish those notices again.
      if (saved.failed.has(checkpoint.assetId)) onUnpublished(checkpoint.assetId, saved.error);
      else {
        entry.checkpointedAt = checkpoint.savedAt;
        entry.outboxCheckpointed = false;
      }
    }
  }

  /** Records what a committed asset's status write left in the table. */
  #applyStatus(assetId: string, pending: PendingStatus | undefined): void {
    const entry = this.#assets.get(assetId);
    if (entry === undefined || pending === undefined) return;
    entry.writtenStatus = pending.value;
    entry.statusWrittenAt = pending.at;
    entry.registeredThing = pending.thingName;
    for (const metric of pending.metrics) entry.registeredMetrics.add(metric);
    if (pending.metricsIncomplete) entry.unlistedNoted = true;
  }

  /**
   * Presence events per thing (one or two writes a thing whatever its number of events, see
   * presenceWrites), different things side by side. A thing's events from the first failed record
   * of the batch on are left to the retry, which redelivers them. A failed or unstarted write
   * reports from the thing's first event it has not covered yet (a write covers the thing's events
   * up to it), so an event before the lowest reported one is never left undone.
   */
  async #applyPresence(
    presence: Array<{ origin: RecordOrigin; event: PresenceEvent }>,
    deadline: Deadline,
    batchFailures: BatchFailures,
  ): Promise<number> {
    let applied = 0;
    const concurrency = this.#deps.assetConcurrency ?? DEFAULT_ASSET_CONCURRENCY;
    await mapWithConcurrency(groupByThing(presence), concurrency, async ({ thingName, events }) => {
      const limit = batchFailures.firstFailedIndex;
      const due = events.filter(({ origin }) => origin.index < limit);
      let covered = 0; // events of `due` the writes so far stand for
      let failed = false;
      for (const { origin, event } of presenceWrites(due)) {
        const uncovered = (due[covered] as PresenceRecord).origin.index;
        if (deadline.isExpired()) {
          batchFailures.add(uncovered, new DeadlineExceededError('no time left for presence events'), 'presence');
          failed = true;
          break;
        }
        try {
          const outcome = await this.#deps.status.applyPresence(event, deadline);
          for (const assetId of outcome.offline) {
            const entry = this.#assets.get(assetId);
            // The next reading from it must write its status even if it equals the last one written.
            if (entry !== undefined) entry.writtenStatus = ASSET_STATUS.offline;
          }
        } catch (error) {
          batchFailures.add(uncovered, error, `presence of ${thingName}`);
          failed = true;
          break;
        }
        covered = due.findIndex((record) => record.origin.index === origin.index) + 1;
      }
      // The winner stands for every event of the thing (the ones after it are older: no-ops).
      applied += failed ? covered : due.length;
    });
    return applied;
  }
}

/**
 * The part of a message's sample the asset has not judged yet: nothing older than its last judged
 * instant (a redelivery), and at that instant only the metrics not judged there (another message of
 * the asset may carry other metrics of the same instant).
 */
function unjudgedPart(built: SampleWithUnits, entry: Pick<AssetEntry, 'lastTs' | 'lastTsMetrics'>): SampleWithUnits {
  const { sample } = built;
  if (sample.ts > entry.lastTs) return built;
  if (sample.ts < entry.lastTs) return { ...built, readings: 0 };
  const fresh = Object.entries(sample.values).filter(([metric]) => !entry.lastTsMetrics.has(metric));
  return { sample: { ts: sample.ts, values: Object.fromEntries(fresh) }, units: built.units, readings: fresh.length };
}

/**
 * Metrics of the asset's readings its status item does not list yet, sorted (usually none: a set
 * lookup per reading): those the item has room for (LIMITS.maxListedMetricsPerAsset), and the rest.
 */
function unregisteredMetrics(records: AssetWork['records'], registered: ReadonlySet<string>): { listed: string[]; unlisted: string[] } {
  const fresh = new Set<string>();
  for (const { message } of records) {
    for (const { metric } of message.readings) if (!registered.has(metric)) fresh.add(metric);
  }
  const sorted = [...fresh].sort();
  const room = Math.max(0, LIMITS.maxListedMetricsPerAsset - registered.size);
  return { listed: sorted.slice(0, room), unlisted: sorted.slice(room) };
}

/**
 * The episode's id, its asset's place, and the sample's values with their units: the metrics named
 * in `first` (limit breaches, contributors) and then the others, at most LIMITS.maxAlertValues, so
 * the message fits SNS whatever the sample holds.
 */
function episodeOrigin(
  message: TelemetryMessage,
  startedAt: number,
  values: Readonly<Record<string, { value: number; quality: string }>>,
  units: Readonly<Record<string, string>>,
  first: readonly string[] = [],
): EpisodeOrigin {
  const metrics = [...new Set([...first.filter((metric) => Object.hasOwn(values, metric)), ...Object.keys(values)])];
  const withUnits = metricRecord<{ value: number; quality: string; unit?: string }>();
  for (const metric of metrics.slice(0, LIMITS.maxAlertValues)) {
    const v = values[metric];
    const unit = units[metric];
    withUnits[metric] = unit === undefined ? { value: v.value, quality: v.quality } : { value: v.value, quality: v.quality, unit };
  }
  const omitted = metrics.length - LIMITS.maxAlertValues;
  return {
    episodeId: episodeIdOf(message.assetId, startedAt),
    assetId: message.assetId,
    plantId: message.plantId,
    lineId: message.lineId,
    thingName: message.thingName,
    startedAt,
    values: withUnits,
    ...(omitted > 0 ? { valuesOmitted: omitted } : {}),
  };
}

/** OK and ANOMALY are what readings write; OFFLINE (set by presence) and unknown both force the next write. */
function statusValueOf(value: AssetStatusValue | undefined): 'OK' | 'ANOMALY' | undefined {
  return value === ASSET_STATUS.ok || value === ASSET_STATUS.anomaly ? value : undefined;
}

/** How long (device time, seconds) the asset's episode had lasted at its last judged sample; undefined when none is open. */
function openEpisodeAgeSeconds(item: AssetWork): number | undefined {
  const verdict = item.lastVerdict;
  if (verdict === undefined || !episodeOpenAt(verdict) || verdict.episode.startedAt === undefined) return undefined;
  return Math.max(0, (item.lastTs - verdict.episode.startedAt) / 1000);
}

/** Whether an episode is open after the sample of this verdict (every verdict names the start of an open one). */
function episodeOpenAt(verdict: Verdict): boolean {
  return verdict.episode.startedAt !== undefined && verdict.episode.event !== 'close';
}

/** The newest notices whose JSON fits `maxBytes` (oldest first, as published), and the older ones that did not. */
function newestWithin(notices: readonly Notice[], maxBytes: number): { kept: Notice[]; dropped: Notice[] } {
  let bytes = 0;
  let first = notices.length;
  while (first > 0) {
    const size = Buffer.byteLength(JSON.stringify(notices[first - 1]));
    if (bytes + size > maxBytes) break;
    bytes += size;
    first -= 1;
  }
  return { kept: notices.slice(first), dropped: notices.slice(0, first) };
}

function noticeEpisodeId(notice: Notice): string {
  return 'alert' in notice ? notice.alert.episodeId : notice.recovery.episodeId;
}

/**
 * Metrics judged at the last instant, for the checkpoint: the model's first (a restore that lacks one
 * judges that metric's reading of the instant again), at most MAX_CHECKPOINT_METRICS in all, since an
 * instant split over many messages of made-up names could otherwise fill the item.
 */
function checkpointedLastTsMetrics(entry: AssetEntry): string[] {
  const model = entry.detector.metrics.filter((metric) => entry.lastTsMetrics.has(metric));
  const modelSet = new Set(model);
  const others = [...entry.lastTsMetrics].filter((metric) => !modelSet.has(metric)).sort();
  return [...model.sort(), ...others].slice(0, MAX_CHECKPOINT_METRICS);
}

/** A checkpoint of an asset's state as its entry stands, with the status it vouches for and the notices not yet published. */
function checkpointOf(assetId: string, entry: AssetEntry, at: number, status: StatusCheckpoint, outbox: readonly Notice[] = []): DetectorCheckpoint {
  return {
    assetId,
    state: entry.detector.toState(),
    lastTs: entry.lastTs,
    lastTsMetrics: checkpointedLastTsMetrics(entry),
    savedAt: at,
    status,
    ...(outbox.length > 0 ? { outbox } : {}),
  };
}

/** The status part the asset's last checkpoint vouched for (its writes since are all in it). */
function checkpointedStatusOf(entry: AssetEntry): StatusCheckpoint {
  const value = statusValueOf(entry.checkpointedStatus);
  return {
    ...(entry.checkpointedThing === undefined ? {} : { thingName: entry.checkpointedThing }),
    ...(value === undefined ? {} : { value, writtenAt: entry.statusWrittenAt }),
    ...(entry.registeredMetrics.size === 0 ? {} : { metrics: [...entry.registeredMetrics] }),
  };
}

/** The status part of a checkpoint written after this batch's status writes. */
function statusCheckpointOf(pending: PendingStatus, registeredMetrics: ReadonlySet<string>): StatusCheckpoint {
  const value = statusValueOf(pending.value);
  const metrics = [...new Set([...registeredMetrics, ...pending.metrics])];
  return {
    thingName: pending.thingName,
    ...(value === undefined ? {} : { value, writtenAt: pending.at }),
    ...(metrics.length === 0 ? {} : { metrics }),
  };
}

function markJudged(entry: Pick<AssetEntry, 'lastTs' | 'lastTsMetrics'>, sample: Sample): void {
  if (sample.ts > entry.lastTs) {
    entry.lastTs = sample.ts;
    entry.lastTsMetrics.clear(); // reused: this runs once per sample
  }
  for (const metric in sample.values) entry.lastTsMetrics.add(metric);
}
