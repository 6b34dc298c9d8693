import type { KinesisStreamRecord } from 'aws-lambda';

/** A ReportBatchItemFailures response as a function may really send it: its own JSON, whatever its type says. */
export interface BatchItemFailuresReport {
  readonly batchItemFailures?: ReadonlyArray<{ readonly itemIdentifier?: unknown } | null>;
}

/**
 * Index of the first record Lambda retries after a ReportBatchItemFailures response, `records.length` when
 * none: no response, no list or an empty list is a success; otherwise the lowest reported sequence number
 * (a batch is in sequence order), and an entry that is null, or whose itemIdentifier is missing, empty or
 * not a sequence number of this batch, fails the whole batch, as Lambda treats it.
 */
export function firstToRetry(records: readonly KinesisStreamRecord[], response: BatchItemFailuresReport | undefined): number {
  const failures = response?.batchItemFailures ?? [];
  if (failures.length === 0) return records.length;
  // One lookup per failure: a storer that fails the rest of a 10,000-record batch reports thousands.
  const indexOf = new Map(records.map((record, index) => [record.kinesis.sequenceNumber, index]));
  let lowest = records.length;
  for (const failure of failures) {
    const identifier = failure?.itemIdentifier;
    const index = typeof identifier === 'string' ? indexOf.get(identifier) : undefined;
    if (index === undefined) return 0;
    lowest = Math.min(lowest, index);
  }
  return lowest;
}
