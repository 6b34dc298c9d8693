import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
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
import { quarantineAll, type InvalidRecord } from '../shared/quarantineAll';
import type { QuarantineSink } from '../shared/QuarantineWriter';
import type { ParsedRecord, RecordOrigin, TelemetryMessage } from '../shared/types';
import { metricRecord } from '../shared/metricRecord';
import { buildSamples, type SampleWithUnits } from './buildSamples';
import { DEFAULT_ASSET_CONCURRENCY, DEFAULT_CHECKPOINT_INTERVAL_SECONDS, HANDOFF_EXACT_WINDOW_MS, LOGGED_UNLISTED_NAMES, MAX_LATENCY_VALUES, MAX_OUTBOX_BYTES } from './constants';
import { decodeCheckpoint } from './decodeCheckpoint';
import { episodeIdOf } from './episodeIdOf';
import { groupByThing } from './groupByThing';
import { presenceWrites } from './presenceWrites';
import { quantileSample } from './quantileSample';
import type { AlertPort, AnomalyAlert, AssetStatusUpdate, AssetStatusValue, DetectorCheckpoint, DetectorStatePort, EpisodeOrigin, EpisodeRecovery, Notice, PresenceRecord, ShardLease, StatusCheckpoint, StatusPort } from './types';

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

/** One invocation: its records, grouped, and what its steps share. */
interface Batch {
  readonly records: readonly KinesisStreamRecord[];
  readonly startedAt: number;
  readonly now: () => number;
  readonly deadline: Deadline;
  readonly failures: BatchFailures;
  /** The shard of the batch's records ('' for an empty batch). */
  readonly shardId: string;
  /** Telemetry per asset, in the order of each asset's first record. */
  readonly work: Map<string, AssetWork>;
  readonly invalid: InvalidRecord[];
  readonly presence: PresenceRecord[];
  /** Assets whose lease, restore or commit failed: rolled back once the batch is done. */
  readonly failedAssets: Set<string>;
}

/** What the assets that committed judged (a rolled-back asset is judged again on the retry). */
interface JudgedTotals {
  readonly judged: number;
  readonly skipped: number;
  readonly anomaliesOpened: number;
  /** Newest device ts of each record judged (for the end-to-end latency). */
  readonly newest: readonly number[];
  readonly oldestOpenEpisode: { readonly assetId: string; readonly ageSeconds: number } | undefined;
}

/** What a batch did, for its metrics, its log line and its outcome. */
interface BatchSummary extends JudgedTotals {
  readonly committed: CommitCounts;
  readonly restored: number;
  readonly quarantined: number;
  readonly presence: number;
  readonly shardHandoff: boolean;
  readonly response: KinesisStreamBatchResponse;
  readonly endedAt: number;
}

/** Identifies an asset and the thing it reports through (the status item's link). */
type AssetLink = Pick<AssetStatusUpdate, 'assetId' | 'plantId' | 'lineId' | 'thingName'>;

const NEVER = -Infinity;

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
    const batch = this.#startBatch(event, context);
    try {
      return await this.#process(batch);
    } catch (error) {
      // The invocation fails and Lambda delivers these records again, but memory may hold them judged
      // and not committed (no rollback ran): forgotten, the retry restores the assets from their
      // checkpoints and judges the records again instead of skipping them with their alerts and status.
      this.#claimed.delete(batch.shardId);
      this.#dropShard(batch.shardId);
      throw error;
    }
  }

  /** One batch's steps (see handle). */
  async #process(batch: Batch): Promise<ProcessorOutcome> {
    const { deadline, failures } = batch;
    // Quarantine runs beside detection: it touches S3 only.
    const quarantining = quarantineAll(batch.invalid, { sink: this.#deps.quarantine, logger: this.#deps.logger, deadline, batchFailures: failures });
    const lease = await this.#claimLease(batch);
    const restored = await this.#restoreUnheld(batch);
    this.#judgeAll(batch, restored);
    const committed = await this.#commit(batch);
    for (const assetId of batch.failedAssets) this.#rollBack(assetId);
    const totals = committedTotals(batch);
    const presence = await this.#applyPresence(batch.presence, deadline, failures);
    const quarantined = await quarantining;
    const endedAt = batch.now();
    const response = failures.response();
    if (response.batchItemFailures.length > 0) await paceRetry(this.#deps.breakers, deadline, this.#deps.sleep);
    const summary: BatchSummary = { ...totals, committed, restored: restored.size, quarantined, presence, shardHandoff: lease.handoff, response, endedAt };
    this.#publishMetrics(batch, summary);
    this.#logBatch(batch, summary);
    return outcomeOf(summary);
  }

  /** Assets whose effects (alerts, status, presence) run at once. */
  get #assetConcurrency(): number {
    return this.#deps.assetConcurrency ?? DEFAULT_ASSET_CONCURRENCY;
  }

  /** Parses the event's records into a batch: invalid ones, presence events and telemetry per asset. */
  #startBatch(event: KinesisStreamEvent, context: RemainingTime): Batch {
    const now = this.#deps.now ?? Date.now;
    const startedAt = now();
    const deadline = new Deadline(context);
    const records = event.Records;
    const failures = new BatchFailures(records, this.#deps.logger);
    const parsed: ParsedRecord[] = records.map((record, index) => parseKinesisRecord(record, index, startedAt));
    const shardId = parsed[0]?.origin.shardId ?? '';
    return { records, startedAt, now, deadline, failures, shardId, ...groupRecords(parsed), failedAssets: new Set() };
  }

  /** Fails an asset for the batch: rolled back at its end, and reported from its first record on. */
  #failAsset(batch: Batch, assetId: string, error: unknown, what: string): void {
    batch.failedAssets.add(assetId);
    batch.failures.add(batch.work.get(assetId)?.firstIndex ?? 0, error, what);
  }

  /** Claims the shard's lease for a batch with readings (see #holdShard); a failed claim fails every asset of the batch. */
  async #claimLease(batch: Batch): Promise<{ handoff: boolean }> {
    if (batch.work.size === 0) return { handoff: false };
    const lastSequenceNumber = batch.records[batch.records.length - 1]?.kinesis.sequenceNumber ?? '';
    const lease = await this.#holdShard(batch.shardId, lastSequenceNumber, batch.startedAt, batch.deadline);
    if (lease.error !== undefined) {
      for (const item of batch.work.values()) this.#failAsset(batch, item.assetId, lease.error, `lease of ${batch.shardId}`);
    }
    return lease;
  }

  /** Restores the batch's assets this container does not hold for the shard (see #restore); returns their ids. */
  async #restoreUnheld(batch: Batch): Promise<Set<string>> {
    const { work, failedAssets, shardId } = batch;
    const restored = new Set([...work.keys()].filter((id) => !failedAssets.has(id) && this.#assets.get(id)?.shardId !== shardId));
    await this.#restore([...restored], shardId, batch.deadline, (assetId, error) => this.#failAsset(batch, assetId, error, `restore of ${assetId}`));
    return restored;
  }

  /** Runs each asset's unjudged samples through its detector, collecting what the commit writes and publishes. */
  #judgeAll(batch: Batch, restored: ReadonlySet<string>): void {
    for (const item of batch.work.values()) {
      const entry = this.#assets.get(item.assetId);
      if (entry === undefined || batch.failedAssets.has(item.assetId)) continue;
      if (!restored.has(item.assetId)) {
        // Warm asset: its state may be ahead of its checkpoint, so the rollback point is taken now.
        entry.snapshot = { state: entry.detector.toState(), lastTs: entry.lastTs, lastTsMetrics: new Set(entry.lastTsMetrics) };
      }
      const warmingUp = entry.detector.warmingUp;
      for (const { message } of item.records) this.#judgeMessage(item, entry, message);
      item.warmedUp = warmingUp && !entry.detector.warmingUp;
      if (item.warmedUp) this.#warnOfModelLimits(item.assetId, entry.detector);
    }
  }

  /** Judges the samples of one message that the asset has not judged yet. */
  #judgeMessage(item: AssetWork, entry: AssetEntry, message: TelemetryMessage): void {
    let newest = -Infinity;
    for (const built of buildSamples(message)) {
      const { sample, units, readings } = unjudgedPart(built, entry);
      if (readings < built.readings) item.skipped += built.readings - readings;
      if (readings === 0) continue;
      const verdict = this.#observe(item.assetId, entry, sample);
      if (verdict === undefined) {
        item.skipped += readings;
        continue;
      }
      item.judged += readings;
      this.#recordVerdict(item, message, sample, units, verdict);
      if (sample.ts > newest) newest = sample.ts;
    }
    if (newest > -Infinity) item.newest.push(newest);
    item.lastSeen = Math.max(item.lastSeen, message.receivedAt);
    item.lastTs = entry.lastTs;
    item.latest = message;
  }

  /** The detector's verdict on a sample (undefined when the detector failed on it); either way the sample counts as judged. */
  #observe(assetId: string, entry: AssetEntry, sample: Sample): Verdict | undefined {
    let verdict: Verdict | undefined;
    try {
      verdict = entry.detector.observe(sample);
    } catch (error) {
      // Retrying cannot change a deterministic failure: skip the sample so the shard moves on.
      this.#deps.logger.error('detector failed on a sample; skipped', { assetId, ts: sample.ts, error: error as Error });
    }
    markJudged(entry, sample);
    return verdict;
  }

  /** Counts a verdict's episode events and queues the alert or recovery it raises. */
  #recordVerdict(item: AssetWork, message: TelemetryMessage, sample: Sample, units: Readonly<Record<string, string>>, verdict: Verdict): void {
    item.lastVerdict = verdict;
    const { event } = verdict.episode;
    if (event === 'open') item.opened += 1;
    if (event === 'open' || event === 'close') item.episodeChanged = true;
    if (verdict.relearned === true) {
      // Checkpointed with the batch, so a restore does not relearn from a later sample.
      item.episodeChanged = true;
      this.#deps.logger.info('detector relearning the asset on an operator request', { assetId: item.assetId, ts: sample.ts });
    }
    if (verdict.episode.alert) item.notices.push({ alert: this.#alertOf(message, sample.ts, sample.values, units, verdict) });
    if (event === 'close' && verdict.episode.recovery === true) {
      item.notices.push({ recovery: this.#recoveryOf(message, sample.ts, sample.values, units, verdict) });
    }
  }

  /** Once the warm-up completes: the metrics the model leaves to their limits alone. */
  #warnOfModelLimits(assetId: string, detector: AssetDetector): void {
    const leftOut = detector.metricsLeftOut;
    if (leftOut.constant.length + leftOut.tooFewReadings.length > 0) {
      // Operators should know which metrics only their limits watch; relearn the asset once they vary or report.
      this.#deps.logger.warn('detector model leaves out metrics that never changed or had too few readings in the warm-up; they are checked against their limits only', {
        assetId,
        modelMetrics: detector.metrics.length,
        constant: leftOut.constant,
        tooFewReadings: leftOut.tooFewReadings,
      });
    }
    if (detector.metrics.length >= MAX_MODEL_METRICS) {
      // Bounded so the checkpoint fits one DynamoDB item; operators should know the rest get limits only.
      this.#deps.logger.warn('detector model holds the most metrics it takes; any further metric of the asset is checked against its limits only', {
        assetId,
        modelMetrics: detector.metrics.length,
      });
    }
  }

  /** The batch's EMF metrics, published with the batch. */
  #publishMetrics(batch: Batch, summary: BatchSummary): void {
    const { metrics } = this.#deps;
    const { committed, endedAt } = summary;
    metrics.addMetric(METRIC_NAMES.readingsProcessed, MetricUnit.Count, summary.judged);
    metrics.addMetric(METRIC_NAMES.readingsSkipped, MetricUnit.Count, summary.skipped);
    metrics.addMetric(METRIC_NAMES.recordsQuarantined, MetricUnit.Count, summary.quarantined);
    metrics.addMetric(METRIC_NAMES.anomaliesOpened, MetricUnit.Count, summary.anomaliesOpened);
    metrics.addMetric(METRIC_NAMES.alertsPublished, MetricUnit.Count, committed.alertsPublished);
    metrics.addMetric(METRIC_NAMES.recoveriesPublished, MetricUnit.Count, committed.recoveriesPublished);
    // Only when an episode is open: a batch without one says nothing about the others' episodes.
    if (summary.oldestOpenEpisode !== undefined) metrics.addMetric(METRIC_NAMES.oldestOpenEpisodeAge, MetricUnit.Seconds, summary.oldestOpenEpisode.ageSeconds);
    metrics.addMetric(METRIC_NAMES.statusWrites, MetricUnit.Count, committed.statusWrites);
    // Only when a device went over a listing limit: in normal operation these metrics do not exist (nor cost).
    if (committed.metricsUnlisted > 0) metrics.addMetric(METRIC_NAMES.metricsUnlisted, MetricUnit.Count, committed.metricsUnlisted);
    if (committed.thingAssetsUnlisted > 0) metrics.addMetric(METRIC_NAMES.thingAssetsUnlisted, MetricUnit.Count, committed.thingAssetsUnlisted);
    if (committed.noticesDropped > 0) metrics.addMetric(METRIC_NAMES.noticesDropped, MetricUnit.Count, committed.noticesDropped);
    metrics.addMetric(METRIC_NAMES.presenceEvents, MetricUnit.Count, summary.presence);
    metrics.addMetric(METRIC_NAMES.shardHandoffs, MetricUnit.Count, summary.shardHandoff ? 1 : 0);
    metrics.addMetric(METRIC_NAMES.recordsRetried, MetricUnit.Count, summary.response.batchItemFailures.length);
    metrics.addMetric(METRIC_NAMES.batchDuration, MetricUnit.Milliseconds, endedAt - batch.startedAt);
    // A device clock ahead of ours (the contract allows minutes) reads as 0: CloudWatch gives no percentile for
    // a period holding one negative value, so one skewed device would blank the plant's latency graph.
    for (const latency of quantileSample(summary.newest.map((ts) => Math.max(0, endedAt - ts)), MAX_LATENCY_VALUES)) {
      metrics.addMetric(METRIC_NAMES.endToEndLatency, MetricUnit.Milliseconds, latency);
    }
    metrics.publishStoredMetrics();
  }

  /** One line per batch: per shard and with its restores and duration, so an operator can find the shard a slow batch belonged to and why. */
  #logBatch(batch: Batch, summary: BatchSummary): void {
    const { committed } = summary;
    this.#deps.logger.info('batch processed', {
      shardId: batch.shardId,
      durationMs: summary.endedAt - batch.startedAt,
      records: batch.records.length,
      assets: batch.work.size,
      restored: summary.restored,
      judged: summary.judged,
      skipped: summary.skipped,
      quarantined: summary.quarantined,
      anomaliesOpened: summary.anomaliesOpened,
      alertsPublished: committed.alertsPublished,
      recoveriesPublished: committed.recoveriesPublished,
      statusWrites: committed.statusWrites,
      presence: summary.presence,
      shardHandoff: summary.shardHandoff,
      retried: summary.response.batchItemFailures.length,
      failures: batch.failures.count,
      ...(summary.oldestOpenEpisode === undefined ? {} : { oldestOpenEpisode: summary.oldestOpenEpisode }),
      ...(committed.metricsUnlisted > 0 ? { metricsUnlisted: committed.metricsUnlisted } : {}),
      ...(committed.thingAssetsUnlisted > 0 ? { thingAssetsUnlisted: committed.thingAssetsUnlisted } : {}),
    });
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
    const dropped = this.#dropShard(shardId);
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

  /** Drops the shard's assets from memory (restored from their checkpoints when next seen); returns how many. */
  #dropShard(shardId: string): number {
    let dropped = 0;
    for (const [assetId, entry] of this.#assets) {
      if (entry.shardId !== shardId) continue;
      this.#assets.delete(assetId);
      dropped += 1;
    }
    return dropped;
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
   * (every asset judged while the shard is within HANDOFF_EXACT_WINDOW_MS of coming back), then the alerts and recoveries. The notices are in the
   * checkpoint (its outbox) before they are published, so a retry anywhere publishes them with the
   * same episode ids; a publish that fails leaves the asset committed and only reported, for the
   * retry to publish what is left.
   */
  async #commit(batch: Batch): Promise<CommitCounts> {
    const items = [...batch.work.values()].filter((item) => !batch.failedAssets.has(item.assetId));
    const everyBatch = batch.startedAt - (this.#cameBack.get(batch.shardId) ?? NEVER) < HANDOFF_EXACT_WINDOW_MS;
    const counts = { alertsPublished: 0, recoveriesPublished: 0, statusWrites: 0, metricsUnlisted: 0, thingAssetsUnlisted: 0, noticesDropped: 0 };
    const fail = (assetId: string, error: unknown): void => this.#failAsset(batch, assetId, error, `commit of ${assetId}`);
    const { checkpoints, pendingStatus } = await this.#writeStatus(items, everyBatch, batch.deadline, batch.now, fail, counts);
    await this.#saveCheckpoints(checkpoints, pendingStatus, batch.deadline, fail);
    // Committed (its notices are in its checkpoint's outbox): not rolled back, only retried to publish the rest.
    const unpublished = (assetId: string, error: unknown): void => batch.failures.add(batch.work.get(assetId)?.firstIndex ?? 0, error, `alerts of ${assetId}`);
    const committed = items.filter((item) => !batch.failedAssets.has(item.assetId));
    await this.#publishOutboxes(committed, batch.deadline, batch.now, unpublished, counts);
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
    const checkpointIntervalMs = everyBatch ? 0 : (this.#deps.checkpointIntervalSeconds ?? DEFAULT_CHECKPOINT_INTERVAL_SECONDS) * 1000;
    const checkpoints: DetectorCheckpoint[] = [];
    const pendingStatus = new Map<string, PendingStatus>();
    const results = await mapWithConcurrency(items, this.#assetConcurrency, async (item) => {
      const entry = this.#assets.get(item.assetId);
      const message = item.latest;
      if (entry === undefined || message === undefined || item.judged === 0) return;
      if (deadline.isExpired()) throw new DeadlineExceededError(`no time left to commit ${item.assetId}`);
      const at = now();
      const pending = await this.#writeAssetStatus(item, entry, message, at, deadline, counts);
      pendingStatus.set(item.assetId, pending);
      const checkpoint = this.#checkpointIfDue(item, entry, pending, at, checkpointIntervalMs, counts);
      if (checkpoint === undefined) this.#applyStatus(item.assetId, pending);
      else checkpoints.push(checkpoint);
    });
    results.forEach((result, i) => {
      const item = items[i];
      if (item !== undefined && result.status === 'rejected') onFailure(item.assetId, result.reason);
    });
    return { checkpoints, pendingStatus };
  }

  /**
   * Writes the asset's status when due (a new value, the heartbeat, metrics to list, a move), after
   * linking a moved asset to its thing; returns what the writes left in the table.
   */
  async #writeAssetStatus(item: AssetWork, entry: AssetEntry, message: TelemetryMessage, at: number, deadline: Deadline, counts: CommitCounts): Promise<PendingStatus> {
    const verdict = item.lastVerdict;
    // From the episode, not the last sample's flag: a sample without usable readings (all BAD,
    // or only metrics outside the model) is not flagged, yet the episode it falls in is still open.
    const value: AssetStatusValue = verdict !== undefined && episodeOpenAt(verdict) ? ASSET_STATUS.anomaly : ASSET_STATUS.ok;
    const { listed: newMetrics, unlisted } = unregisteredMetrics(item.records, entry.registeredMetrics);
    counts.metricsUnlisted += unlisted.length;
    // The first names over the limit are noted once per container: the item says its list is incomplete.
    const noteUnlisted = unlisted.length > 0 && !entry.unlistedNoted;
    if (noteUnlisted) this.#warnOfUnlisted(item.assetId, unlisted);
    const link: AssetLink = { assetId: item.assetId, plantId: message.plantId, lineId: message.lineId, thingName: message.thingName };
    const moved = entry.registeredThing !== link.thingName;
    // A metric the item does not list yet is written at once, so the read path finds the sensor; a move
    // too, since only the thing the item names marks the asset OFFLINE on its disconnect (StatusStore).
    const due = entry.writtenStatus !== value || at - entry.statusWrittenAt >= this.#deps.statusHeartbeatSeconds * 1000 || newMetrics.length > 0 || noteUnlisted || moved;
    // Before the status write: a status item naming a thing implies the thing's item lists the asset (or is full).
    if (moved) await this.#registerThing(link, deadline, counts);
    if (!due) return { value: entry.writtenStatus, at: entry.statusWrittenAt, metrics: [], metricsIncomplete: false, thingName: link.thingName };
    const outcome = await this.#deps.status.writeAssetStatus(assetStatusUpdate(item, link, value, at, newMetrics, unlisted.length > 0), deadline);
    counts.statusWrites += 1;
    // Superseded: the asset went OFFLINE after these readings arrived (or a newer write won);
    // leave the written status unknown so the next batch writes again.
    const written = outcome === 'written';
    return { value: written ? value : undefined, at, metrics: written ? newMetrics : [], metricsIncomplete: written && unlisted.length > 0, thingName: link.thingName };
  }

  #warnOfUnlisted(assetId: string, unlisted: readonly string[]): void {
    this.#deps.logger.warn('asset has more metrics than its status item lists; the others are judged and stored but not listed', {
      assetId,
      limit: LIMITS.maxListedMetricsPerAsset,
      unlisted: unlisted.slice(0, LOGGED_UNLISTED_NAMES),
    });
  }

  /** Lists the asset in its thing's item, so the thing's disconnect marks it OFFLINE; a full item is counted and warned of. */
  async #registerThing(link: AssetLink, deadline: Deadline, counts: CommitCounts): Promise<void> {
    if ((await this.#deps.status.registerThingAsset(link, deadline)) !== 'full') return;
    counts.thingAssetsUnlisted += 1;
    this.#deps.logger.warn('thing lists the most assets it can; a disconnect of the thing will not mark this asset OFFLINE', {
      assetId: link.assetId,
      thingName: link.thingName,
      limit: LIMITS.maxListedAssetsPerThing,
    });
  }

  /**
   * The asset's checkpoint when one is due, its outbox holding the batch's notices: an episode event,
   * a completed warm-up, notices, a status the last checkpoint does not vouch for, or the interval.
   */
  #checkpointIfDue(item: AssetWork, entry: AssetEntry, pending: PendingStatus, at: number, intervalMs: number, counts: CommitCounts): DetectorCheckpoint | undefined {
    // A status value, thing or listed metric the checkpoint does not vouch for yet (first sight, an episode,
    // a superseded write, a moved asset, a new metric: rare) is checkpointed at once; otherwise a cold start
    // could skip a needed write, or list more metrics than the item takes.
    const statusChanged = statusValueOf(pending.value) !== entry.checkpointedStatus || pending.thingName !== entry.checkpointedThing || pending.metrics.length > 0;
    const due = item.episodeChanged || item.warmedUp || item.notices.length > 0 || statusChanged || at - entry.checkpointedAt >= intervalMs;
    if (!due) return undefined;
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
    return checkpointOf(item.assetId, entry, at, statusCheckpointOf(pending, entry.registeredMetrics), outbox.kept);
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
    const results = await mapWithConcurrency(items, this.#assetConcurrency, async (item) => {
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
   * Presence events per thing (usually one or two writes a thing whatever its number of events, see
   * presenceWrites), different things side by side. A thing's events from the first failed record
   * of the batch on are left to the retry, which redelivers them. A failed or unstarted write
   * reports from the thing's first event it has not covered yet (a write covers the thing's events
   * up to it), so an event before the lowest reported one is never left undone.
   */
  async #applyPresence(
    presence: readonly PresenceRecord[],
    deadline: Deadline,
    batchFailures: BatchFailures,
  ): Promise<number> {
    let applied = 0;
    await mapWithConcurrency(groupByThing(presence), this.#assetConcurrency, async ({ thingName, events }) => {
      const limit = batchFailures.firstFailedIndex;
      const due = events.filter(({ origin }) => origin.index < limit);
      let covered = 0; // events of `due` the writes so far stand for
      let failed = false;
      try {
        for (const { origin, event } of presenceWrites(due)) {
          // All covered: what follows is a DUPLICATE_CLIENTID disconnect, passed on to be reported, which changes nothing.
          const uncovered = due[covered]?.origin.index ?? origin.index;
          if (deadline.isExpired()) {
            batchFailures.add(uncovered, new DeadlineExceededError('no time left for presence events'), 'presence');
            failed = true;
            break;
          }
          try {
            const outcome = await this.#deps.status.applyPresence(event, deadline);
            if (outcome.ignored !== undefined) {
              this.#deps.logger.info('disconnect of another session than the thing\'s current one ignored; its assets are not marked OFFLINE', {
                thingName,
                reason: outcome.ignored,
                sessionIdentifier: event.sessionIdentifier,
                disconnectReason: event.disconnectReason,
                timestamp: event.timestamp,
              });
            }
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
          // A DUPLICATE_CLIENTID disconnect follows the write that covers it, which may stand for later records: never move back.
          covered = Math.max(covered, due.findIndex((record) => record.origin.index === origin.index) + 1);
        }
      } catch (error) {
        // Anything else that fails between the writes (a bug) must not drop the thing's events: they are reported
        // from the first one the writes so far do not stand for, as a failed write's are.
        const first = due[covered];
        if (first !== undefined) batchFailures.add(first.origin.index, error, `presence of ${thingName}`);
        failed = true;
      }
      // The winner stands for every event of the thing (the ones after it are older: no-ops).
      applied += failed ? covered : due.length;
    });
    return applied;
  }
}

/** The batch's records by kind: invalid ones, presence events, and telemetry per asset. */
function groupRecords(parsed: readonly ParsedRecord[]): Pick<Batch, 'work' | 'invalid' | 'presence'> {
  const invalid: InvalidRecord[] = [];
  const presence: PresenceRecord[] = [];
  const work = new Map<string, AssetWork>();
  for (const record of parsed) {
    if (record.kind === 'invalid') invalid.push(record);
    else if (record.kind === 'presence') presence.push(record);
    else {
      const assetId = record.message.assetId;
      let item = work.get(assetId);
      if (item === undefined) {
        item = newAssetWork(assetId, record.origin.index);
        work.set(assetId, item);
      }
      item.records.push(record);
    }
  }
  return { work, invalid, presence };
}

/** An asset's part of a batch before anything of it is judged. */
function newAssetWork(assetId: string, firstIndex: number): AssetWork {
  return {
    assetId,
    firstIndex,
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
}

/** Counted for the assets that committed: a rolled-back asset is judged again on the retry. */
function committedTotals(batch: Batch): JudgedTotals {
  let judged = 0;
  let skipped = 0;
  let anomaliesOpened = 0;
  const newest: number[] = [];
  let oldestOpenEpisode: { assetId: string; ageSeconds: number } | undefined;
  for (const item of batch.work.values()) {
    if (batch.failedAssets.has(item.assetId)) continue;
    judged += item.judged;
    skipped += item.skipped;
    anomaliesOpened += item.opened;
    newest.push(...item.newest);
    const ageSeconds = openEpisodeAgeSeconds(item);
    if (ageSeconds !== undefined && ageSeconds > (oldestOpenEpisode?.ageSeconds ?? -1)) oldestOpenEpisode = { assetId: item.assetId, ageSeconds };
  }
  return { judged, skipped, anomaliesOpened, newest, oldestOpenEpisode };
}

function outcomeOf(summary: BatchSummary): ProcessorOutcome {
  return {
    response: summary.response,
    judged: summary.judged,
    skipped: summary.skipped,
    quarantined: summary.quarantined,
    alertsPublished: summary.committed.alertsPublished,
    recoveriesPublished: summary.committed.recoveriesPublished,
    anomaliesOpened: summary.anomaliesOpened,
    statusWrites: summary.committed.statusWrites,
    presence: summary.presence,
    shardHandoffs: summary.shardHandoff ? 1 : 0,
  };
}

/** The status write of a judged asset: its link, status and scores, its open episode, the metrics to list. */
function assetStatusUpdate(item: AssetWork, link: AssetLink, value: AssetStatusUpdate['status'], at: number, newMetrics: readonly string[], metricsIncomplete: boolean): AssetStatusUpdate {
  const verdict = item.lastVerdict;
  const startedAt = verdict?.episode.startedAt;
  return {
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
    ...(metricsIncomplete ? { metricsIncomplete: true as const } : {}),
  };
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
 * judges that metric's reading of the instant again), at most LIMITS.maxListedMetricsPerAsset in all,
 * since an instant split over many messages of made-up names could otherwise fill the item.
 */
function checkpointedLastTsMetrics(entry: AssetEntry): string[] {
  const model = entry.detector.metrics.filter((metric) => entry.lastTsMetrics.has(metric));
  const modelSet = new Set(model);
  const others = [...entry.lastTsMetrics].filter((metric) => !modelSet.has(metric)).sort();
  return [...model.sort(), ...others].slice(0, LIMITS.maxListedMetricsPerAsset);
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
