import type { Logger } from '@aws-lambda-powertools/logger';
import type { KinesisStreamBatchResponse, KinesisStreamRecord } from 'aws-lambda';
import { failuresFrom } from './failuresFrom';

/** Failures logged in full per batch; the batch summary counts them all. */
const MAX_LOGGED_FAILURES = 3;

/**
 * The failed records of one Kinesis batch. Lambda resumes a shard from the lowest reported sequence
 * number, so only the first failed index matters for the response; the count feeds the batch summary.
 */
export class BatchFailures {
  readonly #records: readonly KinesisStreamRecord[];
  readonly #logger: Pick<Logger, 'warn'>;
  #firstFailed: number;
  #count = 0;

  constructor(records: readonly KinesisStreamRecord[], logger: Pick<Logger, 'warn'>) {
    this.#records = records;
    this.#logger = logger;
    this.#firstFailed = records.length;
  }

  /** Records that `what` failed for the record at `index` (and so for every record after it). */
  add(index: number, error: unknown, what: string): void {
    if (index < this.#firstFailed) this.#firstFailed = index;
    this.#count += 1;
    // A dependency outage fails every group at once: log a few in full, count the rest.
    if (this.#count <= MAX_LOGGED_FAILURES) this.#logger.warn(`${what} failed; reporting from record ${index} on for retry`, { error: error as Error });
  }

  get count(): number {
    return this.#count;
  }

  /** Index of the first failed record (the batch's length while none failed): records from it on are retried anyway. */
  get firstFailedIndex(): number {
    return this.#firstFailed;
  }

  /** `batchItemFailures` from the first failed record on, in shard order. */
  response(): KinesisStreamBatchResponse {
    return failuresFrom(this.#records, this.#firstFailed);
  }
}
