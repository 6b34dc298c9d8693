import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { METRIC_NAMES } from '../shared/constants';
import { Deadline, type RemainingTime } from '../shared/Deadline';
import { DeadlineExceededError } from '../shared/errors';
import { BatchFailures } from '../shared/BatchFailures';
import { mapWithConcurrency } from '../shared/mapWithConcurrency';
import { parseKinesisRecord } from '../shared/parseKinesisRecord';
import type { QuarantineSink } from '../shared/QuarantineWriter';
import type { ParsedRecord, RecordOrigin, TelemetryMessage } from '../shared/types';
import type { BucketSink, BucketWriteResult } from './BucketWriter';
import type { CircuitBreaker } from '../shared/CircuitBreaker';
import { paceRetry } from '../shared/paceRetry';
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

const DEFAULT_WRITE_CONCURRENCY = 32;

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
    const { buckets, quarantine, metrics, logger } = this.#deps;
    const now = this.#deps.now ?? Date.now;
    const startedAt = now();
    const deadline = new Deadline(context);
    const records = event.Records;
    const batchFailures = new BatchFailures(records, logger);

    const parsed: ParsedRecord[] = records.map((record, index) => parseKinesisRecord(record, index, startedAt));
    const telemetry: Array<{ origin: RecordOrigin; message: TelemetryMessage }> = [];
    const invalid: Array<Extract<ParsedRecord, { kind: 'invalid' }>> = [];
    let presence = 0;
    for (const record of parsed) {
      if (record.kind === 'telemetry') telemetry.push(record);
      else if (record.kind === 'invalid') invalid.push(record);
      else presence += 1; // Not readings: the processor applies them to asset status.
    }

    let quarantined = 0;
    const quarantineResults = await mapWithConcurrency(invalid, 8, async (record) => {
      if (deadline.isExpired()) throw new DeadlineExceededError('no time left to quarantine');
      await quarantine.write(record, deadline);
      logger.info('record quarantined', { reason: record.reason, detail: record.detail, sequenceNumber: record.origin.sequenceNumber });
    });
    quarantineResults.forEach((result, i) => {
      const record = invalid[i];
      if (record === undefined) return;
      if (result.status === 'fulfilled') quarantined += 1;
      else batchFailures.add(record.origin.index, result.reason, 'quarantine');
    });

    const groups = groupReadings(telemetry);
    const results = await mapWithConcurrency(groups, this.#deps.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY, async (group): Promise<BucketWriteResult> => {
      if (deadline.isExpired()) throw new DeadlineExceededError('no time left to write the bucket');
      return buckets.write(group, deadline);
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

    const response = batchFailures.response();
    if (response.batchItemFailures.length > 0) await paceRetry(this.#deps.breakers, deadline, this.#deps.sleep);
    metrics.addMetric(METRIC_NAMES.readingsProcessed, MetricUnit.Count, stored);
    metrics.addMetric(METRIC_NAMES.readingsStored, MetricUnit.Count, stored);
    metrics.addMetric(METRIC_NAMES.bucketWrites, MetricUnit.Count, bucketWrites);
    metrics.addMetric(METRIC_NAMES.recordsQuarantined, MetricUnit.Count, quarantined);
    metrics.addMetric(METRIC_NAMES.presenceEvents, MetricUnit.Count, presence);
    metrics.addMetric(METRIC_NAMES.readingsOverflowed, MetricUnit.Count, overflowed);
    // Only when a record carried a sensor twice at one timestamp: in normal operation the metric does not exist.
    if (superseded > 0) metrics.addMetric(METRIC_NAMES.readingsSuperseded, MetricUnit.Count, superseded);
    metrics.addMetric(METRIC_NAMES.recordsRetried, MetricUnit.Count, response.batchItemFailures.length);
    metrics.addMetric(METRIC_NAMES.batchDuration, MetricUnit.Milliseconds, now() - startedAt);
    metrics.publishStoredMetrics();
    logger.info('batch stored', {
      records: records.length,
      stored,
      bucketWrites,
      quarantined,
      presence,
      alreadyApplied,
      ...(superseded > 0 ? { superseded } : {}),
      overflowed,
      retried: response.batchItemFailures.length,
      failures: batchFailures.count,
    });
    return { response, stored, bucketWrites, quarantined, presence, alreadyApplied, superseded };
  }
}
