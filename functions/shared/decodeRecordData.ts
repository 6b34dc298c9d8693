import { LIMITS, QUARANTINE_REASONS } from './constants';
import { ValidationError } from './errors';

/** Largest record the functions accept: a contract-sized payload plus what the topic rule adds. */
export const MAX_RECORD_BYTES = LIMITS.maxMessageBytes + LIMITS.enrichmentAllowanceBytes;

/** Decoded size of a base64 string, without decoding it. */
export function base64DecodedLength(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.floor((data.length * 3) / 4) - padding;
}

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
