import { LIMITS, QUARANTINE_REASONS } from './constants';
import { describeValue } from './describeValue';
import { ValidationError } from './errors';

/**
 * Accepted device timestamps: from the stream's retention before the record's arrival to a little
 * after it (a device clock slightly ahead).
 */
export function checkTimestamp(ts: unknown, arrivedAtMs: number, where: string): number {
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts)) {
    throw new ValidationError(QUARANTINE_REASONS.invalidTimestamp, `${where} must be an integer of epoch milliseconds, got ${describeValue(ts)}`);
  }
  if (ts < arrivedAtMs - LIMITS.maxTimestampAgeMs || ts > arrivedAtMs + LIMITS.maxTimestampAheadMs) {
    throw new ValidationError(
      QUARANTINE_REASONS.timestampOutOfRange,
      `${where} ${ts} is outside [arrival - 7 d, arrival + 5 min] (arrival ${arrivedAtMs})`,
    );
  }
  return ts;
}
