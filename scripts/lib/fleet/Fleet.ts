import { ConnectPacer } from './ConnectPacer';
import { FLEET_LIMITS } from './constants';
import { Device, type BrokerConnection } from './Device';
import type { FleetPlan } from './FleetPlan';
import { FAILURE_REASONS, FleetStats } from './FleetStats';
import type { DeviceCredentials } from './readCertificates';
import { samplesPerMessage } from './samplesPerMessage';
import type { AckedMessage, DeviceIdentity } from './types';

export interface FleetOptions {
  readonly plan: FleetPlan;
  readonly connection: BrokerConnection;
  /** Certificate and key per thing name (readCertificates). */
  readonly credentials: ReadonlyMap<string, DeviceCredentials>;
  readonly topicOf: (device: DeviceIdentity) => string;
  readonly rate: number;
  readonly readingsPerMessage: number;
  readonly onAck?: (message: AckedMessage) => void;
  /** How long start() waits for every device to connect (default FLEET_LIMITS.connectWaitMs), after the last CONNECT slot of a paced fleet. */
  readonly connectWaitMs?: number;
  /**
   * Fleet-wide CONNECTs per second (initial and reconnects), and with it IoT Core's one CONNECT a second per
   * client id (FLEET_LIMITS.minConnectIntervalMs); undefined: unpaced (the local broker, which enforces neither,
   * and whose load test counts on prompt reconnects).
   */
  readonly connectRate?: number;
}

/** Every device of a plan, started in waves (TLS handshakes are CPU work on both ends) and stopped together. */
export class Fleet {
  readonly stats = new FleetStats();
  readonly devices: Device[];
  #lastProgress = { at: Date.now(), acked: 0 };

  constructor(options: FleetOptions) {
    const pacer = new ConnectPacer(options.connectRate);
    const maxQueuedBytes = Math.floor(FLEET_LIMITS.queueBudgetBytes / options.plan.devices.length);
    this.devices = options.plan.devices.map((identity) => {
      const credentials = options.credentials.get(identity.thingName);
      if (!credentials) throw new Error(`no certificate for ${identity.thingName}`);
      return new Device({
        identity,
        credentials,
        connection: options.connection,
        topic: options.topicOf(identity),
        rate: options.rate,
        samplesPerMessage: samplesPerMessage(identity.assetType, options.readingsPerMessage),
        faults: options.plan.faults.filter((fault) => fault.assetId === identity.assetId),
        stats: this.stats,
        onAck: options.onAck ?? (() => undefined),
        pacer,
        minConnectIntervalMs: options.connectRate === undefined ? 0 : FLEET_LIMITS.minConnectIntervalMs,
        maxQueuedBytes,
      });
    });
    this.#rate = options.rate;
    // A paced fleet's last device gets its first CONNECT slot only after devices / rate seconds: the wait starts then.
    this.#connectWaitMs = (options.connectWaitMs ?? FLEET_LIMITS.connectWaitMs) + (options.connectRate === undefined ? 0 : (this.devices.length * 1000) / options.connectRate);
  }

  readonly #rate: number;
  readonly #connectWaitMs: number;

  /**
   * Connects every device (in waves: TLS handshakes are CPU work on both ends), waits until all are connected
   * (at most FLEET_LIMITS.connectWaitMs), then starts every device's clock at a random phase of its period, so
   * the fleet publishes at its full rate from the first second rather than while half of it is still in a
   * handshake (`hold`, when given, is awaited in between). Resolves with how many were connected and how long
   * connecting took; with none connected nothing is held or started (see connectFailure). An aborted `signal`
   * (Ctrl-C) ends the waiting at once, and nothing is held or started either.
   */
  async start(hold?: (connected: number, ms: number) => Promise<void>, signal?: AbortSignal): Promise<{ connected: number; ms: number }> {
    const started = Date.now();
    // A function, not a narrowed field: the signal aborts while start() awaits.
    const aborted = (): boolean => signal?.aborted === true;
    for (let i = 0; i < this.devices.length && !aborted(); i += FLEET_LIMITS.connectConcurrency) {
      for (const device of this.devices.slice(i, i + FLEET_LIMITS.connectConcurrency)) device.connect();
      // Let this wave's handshakes through before the next.
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    while (this.stats.connected < this.devices.length && Date.now() - started < this.#connectWaitMs && !aborted()) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const connected = this.stats.connected;
    const ms = Date.now() - started;
    if (connected === 0 || aborted()) return { connected, ms };
    if (hold) await hold(connected, ms);
    if (aborted()) return { connected, ms };
    const periodMs = 1000 / this.#rate;
    for (const device of this.devices) device.startPublishing(Math.random() * periodMs);
    return { connected, ms };
  }

  /**
   * Every device publishes one message now; resolves once none is in flight or queued, or after `limitMs`,
   * with how many were acknowledged. The load test sends each device's first message before its measured run,
   * so the run measures a pipeline that has met its assets, as a running plant's has.
   */
  async publishFirstMessages(limitMs: number): Promise<{ acked: number; ms: number }> {
    const started = Date.now();
    const ackedBefore = this.stats.acked;
    for (const device of this.devices) device.publishOne();
    while (this.stats.inFlight + this.stats.queued > 0 && Date.now() - started < limitMs) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { acked: this.stats.acked - ackedBefore, ms: Date.now() - started };
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

  /** Why no device connected, after start() resolved with none: the wait and the error that failed the most connects. */
  connectFailure(ms: number): string {
    const error = this.stats.mostFrequentConnectError;
    return (
      `no device of ${this.devices.length} connected in ${(ms / 1000).toFixed(1)} s (${this.stats.attempts} attempts); ` +
      (error ? `most frequent connect error (${error.connecting} of ${this.stats.errorCount} errors): ${error.example}` : 'no connect reported an error')
    );
  }

  /** Stops every device, waiting up to `drainMs` for outstanding acknowledgements (each device counts what failed). */
  async stop(drainMs: number = FLEET_LIMITS.drainMs): Promise<void> {
    await Promise.all(this.devices.map((device) => device.stop(drainMs)));
  }

  /** Stops every device's publishing, waiting up to `drainMs` for outstanding acknowledgements; the connections stay open. */
  async finishPublishing(drainMs: number = FLEET_LIMITS.drainMs): Promise<void> {
    await Promise.all(this.devices.map((device) => device.finishPublishing(drainMs)));
  }

  /** Devices whose connection is open. */
  get connected(): number {
    return this.devices.filter((device) => device.connected).length;
  }

  summary(): string {
    const { stats } = this;
    const failed = FAILURE_REASONS.filter((reason) => stats.failed.has(reason)).map((reason) => `${reason} ${stats.failed.get(reason) ?? 0}`).join(', ');
    const errors = [...stats.errors.values()].sort((a, b) => b.count - a.count).slice(0, 5).map((kind) => `${kind.count}× ${kind.example}`).join('; ');
    return (
      `sent ${stats.sent}${stats.resent > 0 ? ` (resent ${stats.resent})` : ''}, acked ${stats.acked} (${stats.readingsAcked} readings), failed ${stats.failedCount}${failed ? ` (${failed})` : ''}; ` +
      `connects ${stats.connects}, disconnects ${stats.disconnects}; errors ${stats.errorCount}${errors ? ` (${errors})` : ''}`
    );
  }
}
