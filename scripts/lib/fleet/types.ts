import type { AssetType, FaultKind } from './constants';

/** One fault injected into one asset from `atSeconds` after the fleet started. */
export interface FaultSpec {
  readonly assetId: string;
  readonly kind: FaultKind;
  /** Metric the fault acts on (signal and quality faults); undefined for message-level faults. */
  readonly metric: string | undefined;
  readonly size: number;
  readonly atSeconds: number;
}

/** One simulated device: a thing with its own certificate, reporting for one asset. */
export interface DeviceIdentity {
  readonly thingName: string;
  readonly assetId: string;
  readonly assetType: AssetType;
  readonly lineId: string;
}

export interface ContractReading {
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  readonly ts: number;
  readonly quality?: 'GOOD' | 'UNCERTAIN' | 'BAD';
}

/** Data contract v1 device payload. */
export interface ContractMessage {
  readonly schemaVersion: 1;
  readonly assetId: string;
  readonly seq: number;
  readonly readings: readonly ContractReading[];
}

/**
 * Why a message did not get its PUBACK by the end of the run: `overflowed` was dropped, oldest first, from a
 * device's queue that held more than its share of FLEET_LIMITS.queueBudgetBytes while it could not send; `unsent` never went out (the device was not
 * connected, or its in-flight window was full); `disconnected` went out, its connection was lost, and no later
 * connection sent it again; `timeout` was in flight when the drain wait (FLEET_LIMITS.drainMs) ended; `refused`
 * the broker closed the connection on it (an oversized payload, not sent again, or a connection closed right
 * after a publish before any PUBACK: a publish the device policy denies).
 */
export type FailureReason = 'overflowed' | 'unsent' | 'disconnected' | 'timeout' | 'refused';

/** An acknowledged message, as the ledger records it for the load test's accounting. */
export interface AckedMessage {
  readonly thingName: string;
  readonly assetId: string;
  /** What the message carried: 'contract' (readings), 'garbage' (not JSON), 'oversized' never acks. */
  readonly kind: 'contract' | 'garbage';
  /** Distinct sample timestamps of the message and the metrics of each (all metrics of the asset). */
  readonly ts: readonly number[];
  readonly metrics: readonly string[];
  /** Newest reading ts (device clock) and the publish/ack times, for latency. */
  readonly publishedAt: number;
  readonly ackedAt: number;
}
