import type { QUALITIES } from './constants';
import type { QuarantineReason } from './errors';

export type Quality = (typeof QUALITIES)[number];

/**
 * What a minute bucket keeps of its readings that are not BAD (functions/shared/bucketStats.ts):
 * their count, min and max (absent while there is none), and the sum and sum of squares of their
 * differences from `shift`, one of them (0 in items written before shifted sums: raw sums).
 */
export interface BucketStats {
  readonly statsCount: number;
  readonly min?: number;
  readonly max?: number;
  readonly shift: number;
  readonly sum: number;
  readonly sumSquares: number;
}

/** One reading of the data contract v1, normalised (quality filled in). */
export interface Reading {
  readonly metric: string;
  readonly value: number;
  readonly unit?: string;
  /** Epoch milliseconds (device clock). */
  readonly ts: number;
  readonly quality: Quality;
}

/** A device message (data contract v1) with the fields the topic rule adds. */
export interface TelemetryMessage {
  readonly schemaVersion: 1;
  readonly assetId: string;
  readonly seq?: number;
  readonly readings: readonly Reading[];
  readonly plantId: string;
  readonly lineId: string;
  readonly thingName: string;
  readonly clientId: string;
  /** Epoch ms at which IoT Core received the message (IoT Core clock). */
  readonly receivedAt: number;
}

export type PresenceEventType = 'connected' | 'disconnected';

/**
 * An AWS IoT lifecycle event as the presence rule writes it
 * (`SELECT *, topic(5) AS thingName, 'presence' AS recordType FROM '$aws/events/presence/+/+'`).
 */
export interface PresenceEvent {
  readonly recordType: 'presence';
  readonly eventType: PresenceEventType;
  /** MQTT client id; the IoT policy pins it to the thing name. */
  readonly clientId: string;
  readonly thingName: string;
  /** Epoch ms (IoT Core clock, accurate to ±2 minutes as AWS documents it): orders a thing's events. */
  readonly timestamp: number;
  /**
   * Epoch ms the presence rule handled the event (`timestamp()`): the rules engine's clock, which also
   * stamps telemetry's receivedAt and so an asset's lastSeen. The OFFLINE mark and its clearing compare
   * with readings in it; absent (a record without it) they use `timestamp`.
   */
  readonly receivedAt?: number;
  /** Identifies one MQTT connection (session) of the client: its connect and its disconnect carry the same. */
  readonly sessionIdentifier?: string;
  readonly principalIdentifier?: string;
  readonly disconnectReason?: string;
  /** Higher for each new connection of the client id; a connection's connect and disconnect carry the same. */
  readonly versionNumber?: number;
  /**
   * Never from IoT Core: the processor's presence plan (presenceWrites) sets it on a disconnect whose
   * session's connect came earlier in the same batch, to that connect's timestamp, and writes the
   * disconnect in the connect's stead.
   */
  readonly sessionConnectedAt?: number;
}

/** Where a record came from in the stream; enough to quarantine it or report it failed. */
export interface RecordOrigin {
  /** Position in the event's Records (shard order). */
  readonly index: number;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  /** Epoch ms the stream received the record. */
  readonly arrivedAt: number;
  /** ARN of the stream the record came from (quoted in quarantined records). */
  readonly streamArn?: string;
}

export type ParsedRecord =
  | { readonly kind: 'telemetry'; readonly origin: RecordOrigin; readonly message: TelemetryMessage }
  | { readonly kind: 'presence'; readonly origin: RecordOrigin; readonly event: PresenceEvent }
  | {
      readonly kind: 'invalid';
      readonly origin: RecordOrigin;
      readonly reason: QuarantineReason;
      readonly detail: string;
      /** The record's data exactly as received (base64). */
      readonly data: string;
    };
