import type { KinesisStreamRecord } from 'aws-lambda';
import { PRESENCE_RECORD_TYPE, QUARANTINE_REASONS } from './constants';
import { decodeRecordData } from './decodeRecordData';
import { errorSummary } from './errorSummary';
import { ValidationError } from './errors';
import { recordOrigin } from './recordOrigin';
import type { ParsedRecord } from './types';
import { validatePresenceEvent } from './validatePresenceEvent';
import { validateTelemetryMessage } from './validateTelemetryMessage';

/**
 * Decodes, validates and normalises one Kinesis record. Never throws: a record that breaks the
 * contract comes back as `invalid` with its reason, for the caller to quarantine, and so does one
 * whose validation fails in an unforeseen way (`UNREADABLE`).
 */
export function parseKinesisRecord(record: KinesisStreamRecord, index: number, nowMs: number): ParsedRecord {
  const origin = recordOrigin(record, index);
  // Timestamps are judged against the record's arrival on the stream, so a retry, a backlog or a
  // redrive days later gives the same verdict as the first delivery (now only if the arrival is unknown).
  const judgedAt = origin.arrivedAt > 0 ? origin.arrivedAt : nowMs;
  try {
    const value = decodeRecordData(record.kinesis.data);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const object = value as Record<string, unknown>;
      // Only the presence rule's records: the telemetry rule passes the device's payload (which may
      // claim any recordType) and always adds plantId, which the presence rule never does.
      if (object.recordType === PRESENCE_RECORD_TYPE && !Object.hasOwn(object, 'plantId')) {
        return { kind: 'presence', origin, event: validatePresenceEvent(object, judgedAt) };
      }
    }
    return { kind: 'telemetry', origin, message: validateTelemetryMessage(value, judgedAt) };
  } catch (error) {
    if (error instanceof ValidationError) {
      return { kind: 'invalid', origin, reason: error.reason, detail: error.message, data: record.kinesis.data };
    }
    // Decoding and validation are pure: any other error would recur on every retry, so the record
    // is quarantined (kept whole, with the error) instead of failing its batch until the DLQ.
    const detail = `record could not be validated: ${errorSummary(error)}`;
    return { kind: 'invalid', origin, reason: QUARANTINE_REASONS.unreadable, detail, data: record.kinesis.data };
  }
}
