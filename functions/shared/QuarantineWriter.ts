import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CircuitBreaker } from './CircuitBreaker';
import type { Deadline } from './Deadline';
import type { QuarantineReason } from './errors';
import { quarantineKey } from './quarantineKey';
import type { RecordOrigin } from './types';
import { withRetry, type RetryPolicy } from './withRetry';

export type QuarantiningFunction = 'processor' | 'storer';

export interface QuarantineEntry {
  readonly origin: RecordOrigin;
  readonly reason: QuarantineReason;
  readonly detail: string;
  /** The record's data as received (base64), or for a partial quarantine the part set aside. */
  readonly data: string;
  /** Distinguishes several objects from one record (the storer's bucket overflow). */
  readonly part?: string;
}

export interface QuarantineWriterOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly functionName: QuarantiningFunction;
  readonly breaker: CircuitBreaker;
  readonly policy?: RetryPolicy;
  readonly now?: () => number;
}

/** Where records that can never be processed go (QuarantineWriter in production, fakes in tests). */
export interface QuarantineSink {
  write(entry: QuarantineEntry, deadline: Deadline): Promise<string>;
}

/** Writes records that can never be processed to the archive bucket's quarantine prefix, with why. */
export class QuarantineWriter implements QuarantineSink {
  readonly #options: QuarantineWriterOptions;

  constructor(options: QuarantineWriterOptions) {
    this.#options = options;
  }

  async write(entry: QuarantineEntry, deadline: Deadline): Promise<string> {
    const { s3, bucket, functionName, breaker, policy } = this.#options;
    const now = this.#options.now ?? Date.now;
    const key = quarantineKey(functionName, entry);
    const text = Buffer.from(entry.data, 'base64').toString('utf8');
    const body = JSON.stringify({
      reason: entry.reason,
      detail: entry.detail,
      function: functionName,
      streamArn: entry.origin.streamArn,
      shardId: entry.origin.shardId,
      sequenceNumber: entry.origin.sequenceNumber,
      partitionKey: entry.origin.partitionKey,
      arrivedAt: new Date(entry.origin.arrivedAt).toISOString(),
      quarantinedAt: new Date(now()).toISOString(),
      ...(entry.part === undefined ? {} : { part: entry.part }),
      data: entry.data,
      // Readable copy for operators when the bytes are text (U+FFFD marks bytes that were not).
      ...(text.includes('\uFFFD') ? {} : { dataText: text }),
    });
    await withRetry(
      (abortSignal) =>
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }), { abortSignal }),
      { breaker, deadline, ...(policy ? { policy } : {}) },
    );
    return key;
  }
}
