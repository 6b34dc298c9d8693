/**
 * Named limits and defaults of the device fleet simulator (`npm run simulate`) and the asset types it
 * simulates. Signal parameters are in each metric's own unit; `load` is how strongly the metric follows the
 * asset's shared load factor, which is what makes the metrics of one asset correlated.
 */
import { MAX_RECORD_BYTES } from '../../../functions/shared/decodeRecordData';

export interface MetricModel {
  readonly metric: string;
  /** UCUM code, as the data contract v1 expects in `unit`. */
  readonly unit: string;
  readonly mean: number;
  readonly sd: number;
  /** Correlation with the asset's load factor, -1..1. */
  readonly load: number;
  /** Decimals the device reports (sensors have a resolution). */
  readonly decimals: number;
}

export const ASSET_TYPES = {
  pump: [
    { metric: 'temperature', unit: 'Cel', mean: 64, sd: 0.8, load: 0.6, decimals: 2 },
    { metric: 'vibration', unit: 'mm/s', mean: 2.4, sd: 0.12, load: 0.3, decimals: 3 },
    { metric: 'pressure', unit: 'bar', mean: 6.2, sd: 0.09, load: -0.5, decimals: 3 },
    { metric: 'flow', unit: 'm3/h', mean: 42, sd: 0.7, load: 0.85, decimals: 2 },
    { metric: 'current', unit: 'A', mean: 18, sd: 0.3, load: 0.9, decimals: 2 },
  ],
  motor: [
    { metric: 'temperature', unit: 'Cel', mean: 55, sd: 0.7, load: 0.6, decimals: 2 },
    { metric: 'vibration', unit: 'mm/s', mean: 1.8, sd: 0.1, load: 0.35, decimals: 3 },
    { metric: 'current', unit: 'A', mean: 12, sd: 0.2, load: 0.9, decimals: 2 },
    { metric: 'speed', unit: '1/min', mean: 1480, sd: 2.5, load: -0.4, decimals: 1 },
  ],
} as const satisfies Record<string, readonly MetricModel[]>;

export type AssetType = keyof typeof ASSET_TYPES;

/** Fault kinds the simulator injects per asset (`--fault <asset>:<kind>[:<metric>][:<size>][@<seconds>]`). */
export const FAULT_KINDS = ['step', 'drift', 'spike', 'stuck', 'bad', 'garbage', 'oversized', 'skew'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Faults the detector is expected to alert on; the others are data faults the pipeline must route. */
export const DETECTABLE_FAULTS: readonly FaultKind[] = ['step', 'drift', 'spike', 'stuck'];
/** Faults that act on one metric of the asset (default temperature). */
export const METRIC_FAULTS: readonly FaultKind[] = ['step', 'drift', 'spike', 'stuck', 'bad'];
/** Faults with a size (FAULT_DEFAULT_SIZE); stuck, bad, garbage and oversized have nothing to size. */
export const SIZED_FAULTS: readonly FaultKind[] = ['step', 'drift', 'spike', 'skew'];

/** Default size of each fault: standard deviations (step, spike), sd per second (drift), ms (skew). */
export const FAULT_DEFAULT_SIZE: Readonly<Record<FaultKind, number>> = {
  step: 8,
  drift: 2,
  spike: 40,
  stuck: 0,
  bad: 0,
  garbage: 0,
  oversized: 0,
  // 10 minutes ahead: beyond the contract's 5 minutes, so the records are quarantined.
  skew: 600_000,
};

/** Every n-th message of an asset with a garbage or oversized fault is replaced (the rest stay valid). */
export const DATA_FAULT_EVERY = 4;

export const FLEET_LIMITS = {
  maxDevices: 20_000,
  /** Messages per second per device. */
  minRate: 0.01,
  maxRate: 100,
  /**
   * Padding of the oversized fault's messages: a little more than the largest record the functions accept
   * (MAX_RECORD_BYTES, the contract's 128 KB that IoT Core enforces, plus the rule's enrichment), so the fault
   * stays oversized at every step whatever the enrichment allowance.
   */
  oversizedPayloadBytes: MAX_RECORD_BYTES + 1024,
  /**
   * Payload bytes the whole fleet keeps waiting for connections, shared equally by its devices: 20,000
   * devices offline keep some 50 s of their 1 Hz messages each, one device some 3 hours at 100 a second.
   */
  queueBudgetBytes: 512 * 1024 * 1024,
  /** QoS 1 publishes a device keeps unacknowledged before it waits (the broker's receive window). */
  maxInFlightPerDevice: 20,
  /** Reconnect: full-jitter exponential backoff, on top of minConnectIntervalMs. */
  reconnectBaseMs: 200,
  reconnectMaxMs: 10_000,
  /**
   * IoT Core takes at most one CONNECT per second per client id (not adjustable) and throttles the rest, so a
   * paced device (ConnectPacer) waits at least this long from one CONNECT to its next.
   */
  minConnectIntervalMs: 1_000,
  /**
   * IoT Core's publishes per second per connection (not adjustable); a device that catches up after a
   * reconnect (its queue and its in-flight window at once) stays under it.
   */
  maxPublishesPerSecond: 100,
  /**
   * Fleet-wide CONNECTs per second against IoT Core (`--connect-rate`, initial connects and reconnects alike):
   * half of the lowest regional default of the account's quota (100/s), leaving room for the account's other
   * clients; a fleet reconnecting at once after an outage would otherwise be throttled.
   */
  iotConnectRate: 50,
  maxConnectRate: 10_000,
  /** Device sample timestamps are whole, strictly increasing milliseconds: at most this many samples a second. */
  maxSamplesPerSecond: 1_000,
  /**
   * The backoff starts over only once a connection has proved itself: a PUBACK on it, or this long up. A
   * broker that accepts the CONNECT and then closes on every publish (the device policy refusing the topic)
   * would otherwise be hammered at the base delay.
   */
  connectionProvenMs: 10_000,
  /**
   * A connection the broker closes this soon after a publish, before any PUBACK on it, was most likely closed
   * because of that publish (MQTT 3.1.1 has no negative PUBACK: IoT Core disconnects on a publish the policy
   * denies); counted apart so the summary says so.
   */
  closedOnPublishMs: 2_000,
  /** Connections opened at once while the fleet starts (TLS handshakes are CPU work on both ends). */
  connectConcurrency: 64,
  /** The fleet starts publishing once every device is connected, or after this long; with none connected by then it stops. */
  connectWaitMs: 60_000,
  /** Shutdown: time to wait for outstanding acknowledgements before closing (what is still in flight then fails as timeout). */
  drainMs: 10_000,
  progressIntervalMs: 1_000,
} as const;

export const FLEET_DEFAULTS = {
  devices: 10,
  rate: 1,
  readingsPerMessage: 8,
  port: 8883,
  /** Thing names: `<prefix>-<number>`; asset ids `<type>-<number>` (one asset per thing). */
  thingPrefix: 'gw',
  /** MQTT keepalive; IoT Core accepts 30 to 1200 s (KEEPALIVE_BOUNDS). */
  keepaliveSeconds: 60,
} as const;

/** The MQTT keepalive IoT Core accepts, in seconds. */
export const KEEPALIVE_BOUNDS = { min: 30, max: 1200 } as const;

/** ALPN protocol name IoT Core expects for MQTT with client certificates on port 443. */
export const IOT_ALPN_PROTOCOL = 'x-amzn-mqtt-ca' as const;

/** Local certificates made by `--make-certs`. */
export const CERT_FILES = {
  caCert: 'ca.pem',
  caKey: 'ca.key',
  serverCert: 'server.pem',
  serverKey: 'server.key',
  /** Per device: `<thing>.pem`, `<thing>.key`. */
  certSuffix: '.pem',
  keySuffix: '.key',
} as const;

export const CERT_VALIDITY_DAYS = 30;
/** `--make-certs` (and `npm run local`) issue again what expires within this long, so no run fails on it midway. */
export const CERT_RENEW_BEFORE_MS = 86_400_000;
