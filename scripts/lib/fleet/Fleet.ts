import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CERT_FILES, FLEET_LIMITS } from './constants';
import { Device, type BrokerConnection } from './Device';
import type { FleetPlan } from './FleetPlan';
import { FleetStats } from './FleetStats';
import { samplesPerMessage } from './samplesPerMessage';
import type { AckedMessage, DeviceIdentity } from './types';

export interface FleetOptions {
  readonly plan: FleetPlan;
  readonly connection: BrokerConnection;
  readonly certsDirectory: string;
  readonly topicOf: (device: DeviceIdentity) => string;
  readonly rate: number;
  readonly readingsPerMessage: number;
  readonly onAck?: (message: AckedMessage) => void;
}

/** Every device of a plan, started in waves (TLS handshakes are CPU work on both ends) and stopped together. */
export class Fleet {
  readonly stats = new FleetStats();
  readonly devices: Device[];
  #lastProgress = { at: Date.now(), acked: 0 };

  constructor(options: FleetOptions) {
    this.devices = options.plan.devices.map((identity) => {
      const read = (suffix: string): string => {
        const file = join(options.certsDirectory, `${identity.thingName}${suffix}`);
        try {
          return readFileSync(file, 'utf8');
        } catch {
          throw new Error(`simulate: --certs ${options.certsDirectory}: no ${identity.thingName}${suffix} (make them with --make-certs ${options.certsDirectory} --devices N)`);
        }
      };
      return new Device({
        identity,
        credentials: { cert: read(CERT_FILES.certSuffix), key: read(CERT_FILES.keySuffix) },
        connection: options.connection,
        topic: options.topicOf(identity),
        rate: options.rate,
        samplesPerMessage: samplesPerMessage(identity.assetType, options.readingsPerMessage),
        faults: options.plan.faults.filter((fault) => fault.assetId === identity.assetId),
        stats: this.stats,
        onAck: options.onAck ?? (() => undefined),
      });
    });
    this.#rate = options.rate;
  }

  readonly #rate: number;

  /**
   * Connects every device (in waves: TLS handshakes are CPU work on both ends), waits until all are connected
   * (at most FLEET_LIMITS.connectWaitMs), then starts every device's clock at a random phase of its period, so
   * the fleet publishes at its full rate from the first second rather than while half of it is still in a
   * handshake (`hold`, when given, is awaited in between). Resolves with how many were connected and how long
   * connecting took.
   */
  async start(hold?: (connected: number, ms: number) => Promise<void>): Promise<{ connected: number; ms: number }> {
    const started = Date.now();
    for (let i = 0; i < this.devices.length; i += FLEET_LIMITS.connectConcurrency) {
      for (const device of this.devices.slice(i, i + FLEET_LIMITS.connectConcurrency)) device.connect();
      // Let this wave's handshakes through before the next.
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    while (this.stats.connected < this.devices.length && Date.now() - started < FLEET_LIMITS.connectWaitMs) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const connected = this.stats.connected;
    const ms = Date.now() - started;
    if (hold) await hold(connected, ms);
    const periodMs = 1000 / this.#rate;
    for (const device of this.devices) device.startPublishing(Math.random() * periodMs);
    return { connected, ms };
  }

  /** `connected 1998/2000 | 1,985 msg/s | in flight 12 | queued 0 | errors 3 | failed 0` */
  progressLine(): string {
    const now = Date.now();
    const { stats } = this;
    const rate = ((stats.acked - this.#lastProgress.acked) * 1000) / Math.max(1, now - this.#lastProgress.at);
    this.#lastProgress = { at: now, acked: stats.acked };
    const ackTimes = stats.ackTimes.sort((a, b) => a - b);
    const p99 = ackTimes.length > 0 ? ackTimes[Math.min(ackTimes.length - 1, Math.floor(ackTimes.length * 0.99))] : undefined;
    stats.ackTimes = [];
    return (
      `connected ${stats.connected}/${this.devices.length} | ${Math.round(rate).toLocaleString('en-US')} msg/s | ` +
      `in flight ${stats.inFlight} | queued ${stats.queued} | PUBACK p99 ${p99 === undefined ? '-' : `${p99} ms`} | errors ${stats.errorCount} | failed ${stats.failedCount}`
    );
  }

  /** Stops every device, waiting up to FLEET_LIMITS.drainMs for outstanding acknowledgements. */
  async stop(): Promise<void> {
    const unacked = await Promise.all(this.devices.map((device) => device.stop(FLEET_LIMITS.drainMs)));
    const total = unacked.reduce((a, b) => a + b, 0);
    if (total > 0) this.stats.fail('shutdown', total);
  }

  summary(): string {
    const { stats } = this;
    const failed = [...stats.failed.entries()].map(([reason, count]) => `${reason} ${count}`).join(', ');
    const errors = [...stats.errors.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([message, count]) => `${count}× ${message}`).join('; ');
    return (
      `sent ${stats.sent}, acked ${stats.acked} (${stats.readingsAcked} readings), failed ${stats.failedCount}${failed ? ` (${failed})` : ''}; ` +
      `connects ${stats.connects}, disconnects ${stats.disconnects}; errors ${stats.errorCount}${errors ? ` (${errors})` : ''}`
    );
  }
}
