import type { KinesisStreamRecord } from 'aws-lambda';
import { PRESENCE_RECORD_TYPE } from './constants';
import { decodeRecordData } from './decodeRecordData';
import { ValidationError } from './errors';
import type { ParsedRecord, RecordOrigin } from './types';
import { validatePresenceEvent } from './validatePresenceEvent';
import { validateTelemetryMessage } from './validateTelemetryMessage';

/** The shard id is the part of the event id before the colon (`shardId-000000000000:<sequence>`). */
export function recordOrigin(record: KinesisStreamRecord, index: number): RecordOrigin {
  const colon = record.eventID.indexOf(':');
  return {
    index,
    shardId: colon > 0 ? record.eventID.slice(0, colon) : record.eventID,
    sequenceNumber: record.kinesis.sequenceNumber,
    partitionKey: record.kinesis.partitionKey,
    arrivedAt: Math.round(record.kinesis.approximateArrivalTimestamp * 1000),
    streamArn: record.eventSourceARN,
  };
}

/**
 * Decodes, validates and normalises one Kinesis record. Never throws: a record that breaks the
 * contract comes back as `invalid` with its reason, for the caller to quarantine.
 */
export function parseKinesisRecord(record: KinesisStreamRecord, index: number, nowMs: number): ParsedRecord {
  const origin = recordOrigin(record, index);
  try {
    const value = decodeRecordData(record.kinesis.data);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const object = value as Record<string, unknown>;
      if (object.recordType === PRESENCE_RECORD_TYPE) {
        return { kind: 'presence', origin, event: validatePresenceEvent(object, nowMs) };
      }
    }
    return { kind: 'telemetry', origin, message: validateTelemetryMessage(value, nowMs) };
  } catch (error) {
    if (error instanceof ValidationError) {
      return { kind: 'invalid', origin, reason: error.reason, detail: error.message, data: record.kinesis.data };
    }
    throw error;
  }
}
