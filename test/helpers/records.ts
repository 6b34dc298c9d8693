import type { Context, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { BucketItem } from '../../functions/storer/types';
import type { PresenceEvent, Reading, RecordOrigin, TelemetryMessage } from '../../functions/shared/types';

/** Typed factories of the data contract v1 and of Lambda's Kinesis event (AWS's documented shape). */

export interface DeviceReading {
  metric: string;
  value: unknown;
  unit?: string;
  ts: unknown;
  quality?: string;
}

export interface EnrichedTelemetry {
  schemaVersion: unknown;
  assetId: unknown;
  seq?: unknown;
  readings: unknown;
  plantId: unknown;
  lineId: unknown;
  thingName: unknown;
  clientId: unknown;
  receivedAt: unknown;
}

export interface PresenceRecord {
  recordType: 'presence';
  eventType: string;
  clientId: string;
  thingName: string;
  timestamp: number;
  sessionIdentifier?: string;
  principalIdentifier?: string;
  disconnectReason?: string;
  versionNumber?: number;
  receivedAt?: number;
}

export const NOW = Date.UTC(2025, 10, 29, 12, 0, 30, 0);

/** A device reading as sent: telemetryReading()'s defaults, any field overridable with a value the contract refuses. */
export function deviceReading(overrides: Partial<DeviceReading> = {}): DeviceReading {
  return { ...telemetryReading(), ...overrides };
}

/** A Kinesis record as the topic rule writes it: telemetryMessage()'s defaults, any field overridable with a value the contract refuses. */
export function telemetry(overrides: Partial<EnrichedTelemetry> = {}): EnrichedTelemetry {
  return { ...telemetryMessage(), readings: [deviceReading()], ...overrides };
}

/** One message per asset per second carrying one reading per metric (the gateway pattern). */
export function assetSecond(assetId: string, ts: number, values: Record<string, number>, thingName = 'gw-01'): EnrichedTelemetry {
  return telemetry({
    assetId,
    thingName,
    clientId: thingName,
    receivedAt: ts + 50,
    readings: Object.entries(values).map(([metric, value]) => ({ metric, value, ts, quality: 'GOOD' })),
  });
}

export function presence(overrides: Partial<PresenceRecord> = {}): PresenceRecord {
  return {
    recordType: 'presence',
    eventType: 'disconnected',
    clientId: 'gw-01',
    thingName: 'gw-01',
    timestamp: NOW,
    sessionIdentifier: '00000000-0000-0000-0000-000000000000',
    principalIdentifier: 'principal',
    disconnectReason: 'CONNECTION_LOST',
    versionNumber: 1,
    ...overrides,
  };
}

export interface RecordPosition {
  sequenceNumber?: string;
  shardId?: string;
  partitionKey?: string;
  arrivedAt?: number;
}

export const STREAM_ARN = 'arn:aws:kinesis:sa-east-1:123456789012:stream/kinesis-telemetry-test';
/** Sequence number of a kinesisRecord() that names none. */
const DEFAULT_SEQUENCE_NUMBER = '49590338271490256608559692538361571095921575989136588802';

/** A Lambda Kinesis event record; `data` is JSON-encoded unless it is already a string or bytes. */
export function kinesisRecord(data: unknown, position: RecordPosition = {}): KinesisStreamRecord {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(typeof data === 'string' ? data : JSON.stringify(data));
  const sequenceNumber = position.sequenceNumber ?? DEFAULT_SEQUENCE_NUMBER;
  const shardId = position.shardId ?? 'shardId-000000000000';
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: position.partitionKey ?? 'pump-07',
      sequenceNumber,
      data: bytes.toString('base64'),
      approximateArrivalTimestamp: (position.arrivedAt ?? NOW) / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-processor-test',
    awsRegion: 'sa-east-1',
    eventSourceARN: STREAM_ARN,
  };
}

/** Records of one shard with increasing sequence numbers, arrived at `arrivedAt` (default NOW). */
export function kinesisRecords(payloads: readonly unknown[], firstSequence = 1000n, shardId = 'shardId-000000000000', arrivedAt = NOW): KinesisStreamRecord[] {
  return payloads.map((payload, i) =>
    kinesisRecord(payload, { sequenceNumber: (firstSequence + BigInt(i)).toString(), shardId, arrivedAt }),
  );
}

export function kinesisEvent(records: KinesisStreamRecord[]): KinesisStreamEvent {
  return { Records: records };
}

/** A Lambda context whose remaining time is fixed (or computed by the callback). */
export function lambdaContext(remaining: number | (() => number) = 60_000): Context {
  const getRemaining = typeof remaining === 'number' ? (): number => remaining : remaining;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'lambda-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:sa-east-1:123456789012:function:lambda-test',
    memoryLimitInMB: '512',
    awsRequestId: 'request-1',
    logGroupName: '/aws/lambda/lambda-test',
    logStreamName: 'stream',
    getRemainingTimeInMillis: getRemaining,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A validated presence event, as the processor's status store receives it. */
export function presenceEvent(overrides: Partial<PresenceEvent> = {}): PresenceEvent {
  return {
    recordType: 'presence',
    eventType: 'disconnected',
    clientId: 'gw-01',
    thingName: 'gw-01',
    timestamp: NOW,
    sessionIdentifier: '00000000-0000-0000-0000-000000000000',
    disconnectReason: 'CONNECTION_LOST',
    ...overrides,
  };
}

/** A validated reading (quality filled in), as a TelemetryMessage carries it: deviceReading() after validation. */
export function telemetryReading(overrides: Partial<Reading> = {}): Reading {
  return { metric: 'temperature', value: 71.3, unit: 'Cel', ts: NOW - 1000, quality: 'GOOD', ...overrides };
}

/** A validated telemetry message, as the functions receive it from parseKinesisRecord: telemetry() after validation. */
export function telemetryMessage(overrides: Partial<TelemetryMessage> = {}): TelemetryMessage {
  return {
    schemaVersion: 1,
    assetId: 'pump-07',
    seq: 1,
    readings: [telemetryReading()],
    plantId: 'sp1',
    lineId: 'line-2',
    thingName: 'gw-01',
    clientId: 'gw-01',
    receivedAt: NOW - 500,
    ...overrides,
  };
}

/** Where a record sat in the stream (RecordOrigin): what parseKinesisRecord reports for a kinesisRecord() with its defaults at index 0. */
export function kinesisOrigin(overrides: Partial<RecordOrigin> = {}): RecordOrigin {
  return {
    index: 0,
    shardId: 'shardId-000000000000',
    sequenceNumber: DEFAULT_SEQUENCE_NUMBER,
    partitionKey: 'pump-07',
    arrivedAt: NOW,
    streamArn: STREAM_ARN,
    ...overrides,
  };
}

/** A stored minute bucket of pump-07's temperature with two readings (the storer's item shape); override the readings together with count and the stats. */
export function bucketItem(overrides: Partial<BucketItem> = {}): BucketItem {
  return {
    sensorId: 'pump-07#temperature',
    minute: 1764417600000,
    assetId: 'pump-07',
    metric: 'temperature',
    unit: 'Cel',
    ts: [100, 1_100],
    values: [71.3, -0.000125],
    qualities: ['GOOD', 'UNCERTAIN'],
    count: 2,
    statsCount: 2,
    min: -0.000125,
    max: 71.3,
    shift: 71.3,
    sum: -71.300125,
    sumSquares: 5083.707825015625,
    version: 3,
    expiresAt: 1765627260,
    updatedAt: 1764417630000,
    ...overrides,
  };
}
