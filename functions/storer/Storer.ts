import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { METRIC_NAMES } from '../shared/constants';
import { Deadline, type RemainingTime } from '../shared/Deadline';
import { DeadlineExceededError } from '../shared/errors';
import { BatchFailures } from '../shared/BatchFailures';
import { mapWithConcurrency } from '../shared/mapWithConcurrency';
import { parseKinesisRecord } from '../shared/parseKinesisRecord';
import { quarantineAll, type InvalidRecord } from '../shared/quarantineAll';
import type { QuarantineSink } from '../shared/QuarantineWriter';
import type { ParsedRecord, RecordOrigin, TelemetryMessage } from '../shared/types';
import type { BucketSink, BucketWriteResult } from './BucketWriter';
import type { CircuitBreaker } from '../shared/CircuitBreaker';
import { paceRetry } from '../shared/paceRetry';
import { DEFAULT_WRITE_CONCURRENCY } from './constants';
import { groupReadings } from './groupReadings';

export interface StorerDependencies {
  readonly buckets: BucketSink;
  readonly quarantine: QuarantineSink;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** The dependencies' breakers: a failed batch waits for their probe time (see paceRetry). */
  readonly breakers: readonly CircuitBreaker[];
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** Bucket writes in flight at once (DynamoDB scales with parallel requests, not with batching here). */
  readonly writeConcurrency?: number;
}

export interface StorerOutcome {
  readonly response: KinesisStreamBatchResponse;
  readonly stored: number;
  readonly bucketWrites: number;
  readonly quarantined: number;
  readonly presence: number;
  readonly alreadyApplied: number;
  /** Readings a later one of the same sensor and timestamp in the same record replaced. */
  readonly superseded: number;
}

/** A reading record with its place in the batch. */
type TelemetryRecord = { readonly origin: RecordOrigin; readonly message: TelemetryMessage };

/** What a batch's bucket writes did. */
interface BucketTotals {
  readonly stored: number;
  readonly bucketWrites: number;
  readonly overflowed: number;
  readonly alreadyApplied: number;
  readonly superseded: number;
}

/** What a batch did, for its metrics and its log line. */
interface BatchSummary extends BucketTotals {
  readonly quarantined: number;
  readonly presence: number;
  readonly response: KinesisStreamBatchResponse;
}

/**
 * The storer's batch logic. Powertools' BatchProcessor handles records one at a time and reports
 * exactly the failed ones; the storer needs the whole batch to group readings per bucket, and
 * Kinesis needs failures reported from the first failed record on, so it uses the batch types
 * from aws-lambda and computes the response itself.
 */
export class Storer {
  readonly #deps: StorerDependencies;

  constructor(deps: StorerDependencies) {
    this.#deps = deps;
  }

  async handle(event: KinesisStreamEvent, context: RemainingTime): Promise<StorerOutcome> {
    const now = this.#deps.now ?? Date.now;
    const startedAt = now();
    const deadline = new Deadline(context);
    const records = event.Records;
    const batchFailures = new BatchFailures(records, this.#deps.logger);
    const parsed = records.map((record, index) => parseKinesisRecord(record, index, startedAt));
    const { telemetry, invalid, presence } = splitByKind(parsed);
    const quarantined = await quarantineAll(invalid, { sink: this.#deps.quarantine, logger: this.#deps.logger, deadline, batchFailures });
    const totals = await this.#writeBuckets(telemetry, deadline, batchFailures);
    const response = batchFailures.response();
    if (response.batchItemFailures.length > 0) await paceRetry(this.#deps.breakers, deadline, this.#deps.sleep);
    const summary: BatchSummary = { ...totals, quarantined, presence, response };
    this.#publishMetrics(summary, now() - startedAt);
    // A batch comes from one shard: the log line is how an operator finds a range the dead-letter queue never got.
    this.#logBatch(summary, parsed[0]?.origin.shardId ?? '', records.length, batchFailures.count);
    const { stored, bucketWrites, alreadyApplied, superseded } = totals;
    return { response, stored, bucketWrites, quarantined, presence, alreadyApplied, superseded };
  }

  /** Appends the batch's readings to their minute buckets; a group that fails is reported from its first record on. */
  async #writeBuckets(telemetry: TelemetryRecord[], deadline: Deadline, batchFailures: BatchFailures): Promise<BucketTotals> {
    const groups = groupReadings(telemetry);
    const results = await mapWithConcurrency(groups, this.#deps.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY, async (group): Promise<BucketWriteResult> => {
      if (deadline.isExpired()) throw new DeadlineExceededError('no time left to write the bucket');
      return this.#deps.buckets.write(group, deadline);
    });
    let stored = 0;
    let bucketWrites = 0;
    let overflowed = 0;
    let alreadyApplied = 0;
    let superseded = 0;
    results.forEach((result, i) => {
      const group = groups[i];
      if (group === undefined) return;
      if (result.status === 'fulfilled') {
        stored += result.value.stored;
        bucketWrites += result.value.writes;
        overflowed += result.value.overflowed;
        alreadyApplied += result.value.alreadyApplied;
        superseded += result.value.superseded;
      } else {
        batchFailures.add(group.contributions[0]?.origin.index ?? 0, result.reason, `bucket ${group.sensorId}@${group.minute}`);
      }
    });
    return { stored, bucketWrites, overflowed, alreadyApplied, superseded };
  }

  /** The batch's EMF metrics, published with the batch. */
  #publishMetrics(summary: BatchSummary, durationMs: number): void {
    const { metrics } = this.#deps;
    metrics.addMetric(METRIC_NAMES.readingsProcessed, MetricUnit.Count, summary.stored);
    metrics.addMetric(METRIC_NAMES.readingsStored, MetricUnit.Count, summary.stored);
    metrics.addMetric(METRIC_NAMES.bucketWrites, MetricUnit.Count, summary.bucketWrites);
    metrics.addMetric(METRIC_NAMES.recordsQuarantined, MetricUnit.Count, summary.quarantined);
    metrics.addMetric(METRIC_NAMES.presenceEvents, MetricUnit.Count, summary.presence);
    metrics.addMetric(METRIC_NAMES.readingsOverflowed, MetricUnit.Count, summary.overflowed);
    // Only when a record carried a sensor twice at one timestamp: in normal operation the metric does not exist.
    if (summary.superseded > 0) metrics.addMetric(METRIC_NAMES.readingsSuperseded, MetricUnit.Count, summary.superseded);
    metrics.addMetric(METRIC_NAMES.recordsRetried, MetricUnit.Count, summary.response.batchItemFailures.length);
    metrics.addMetric(METRIC_NAMES.batchDuration, MetricUnit.Milliseconds, durationMs);
    metrics.publishStoredMetrics();
  }

  /** One line per batch. */
  #logBatch(summary: BatchSummary, shardId: string, records: number, failures: number): void {
    this.#deps.logger.info('batch stored', {
      shardId,
      records,
      stored: summary.stored,
      bucketWrites: summary.bucketWrites,
      quarantined: summary.quarantined,
      presence: summary.presence,
      alreadyApplied: summary.alreadyApplied,
      ...(summary.superseded > 0 ? { superseded: summary.superseded } : {}),
      overflowed: summary.overflowed,
      retried: summary.response.batchItemFailures.length,
      failures,
    });
  }
}

/** The batch's records by kind: telemetry to store, invalid ones to quarantine, and a count of presence events. */
function splitByKind(parsed: readonly ParsedRecord[]): { telemetry: TelemetryRecord[]; invalid: InvalidRecord[]; presence: number } {
  const telemetry: TelemetryRecord[] = [];
  const invalid: InvalidRecord[] = [];
  let presence = 0;
  for (const record of parsed) {
    if (record.kind === 'telemetry') telemetry.push(record);
    else if (record.kind === 'invalid') invalid.push(record);
    else presence += 1; // Not readings: the processor applies them to asset status.
  }
  return { telemetry, invalid, presence };
}
