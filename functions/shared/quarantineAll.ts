import type { Logger } from '@aws-lambda-powertools/logger';
import type { BatchFailures } from './BatchFailures';
import type { Deadline } from './Deadline';
import { DeadlineExceededError } from './errors';
import { mapWithConcurrency } from './mapWithConcurrency';
import type { QuarantineSink } from './QuarantineWriter';
import type { ParsedRecord } from './types';

/** Quarantine writes in flight at once: invalid records are rare, and each is one small S3 put. */
const QUARANTINE_CONCURRENCY = 8;

/** A record that can never be processed, as parseKinesisRecord reports it. */
export type InvalidRecord = Extract<ParsedRecord, { kind: 'invalid' }>;

export interface QuarantineStep {
  readonly sink: QuarantineSink;
  readonly logger: Pick<Logger, 'info'>;
  readonly deadline: Deadline;
  readonly batchFailures: BatchFailures;
}

/**
 * Writes a batch's invalid records to the quarantine; a record that could not be written is
 * reported in `batchFailures` for the retry. Returns how many were quarantined.
 */
export async function quarantineAll(invalid: readonly InvalidRecord[], step: QuarantineStep): Promise<number> {
  const { sink, logger, deadline, batchFailures } = step;
  const results = await mapWithConcurrency(invalid, QUARANTINE_CONCURRENCY, async (record) => {
    if (deadline.isExpired()) throw new DeadlineExceededError('no time left to quarantine');
    await sink.write(record, deadline);
    logger.info('record quarantined', { reason: record.reason, detail: record.detail, sequenceNumber: record.origin.sequenceNumber });
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
