import { base64DecodedLength } from './base64DecodedLength';
import { LIMITS, QUARANTINE_REASONS } from './constants';
import { ValidationError } from './errors';

/** Largest record the functions accept: a contract-sized payload plus what the topic rule adds. */
export const MAX_RECORD_BYTES = LIMITS.maxMessageBytes + LIMITS.enrichmentAllowanceBytes;

/**
 * Decodes a Kinesis record's base64 data into the parsed JSON value. The size is checked before
 * decoding so an oversized record costs nothing to reject.
 */
export function decodeRecordData(data: string): unknown {
  const size = base64DecodedLength(data);
  if (size > MAX_RECORD_BYTES) {
    throw new ValidationError(QUARANTINE_REASONS.oversized, `record is ${size} bytes, more than ${MAX_RECORD_BYTES}`);
  }
  const text = Buffer.from(data, 'base64').toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ValidationError(QUARANTINE_REASONS.invalidJson, `record is not JSON: ${(error as Error).message}`);
  }
}
