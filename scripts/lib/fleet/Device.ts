import { randomBytes } from 'node:crypto';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { ConnectPacer } from './ConnectPacer';
import { FLEET_LIMITS } from './constants';
import type { FleetStats } from './FleetStats';
import { planMessage } from './planMessage';
import { SignalGenerator } from './SignalGenerator';
import type { AckedMessage, DeviceIdentity, FaultSpec } from './types';

/** How every device of the fleet reaches its broker (IoT Core or the local one). */
export interface BrokerConnection {
  readonly host: string;
  readonly port: number;
  /** Trust anchor of the broker's certificate (Amazon Root CA 1, or the local CA). */
  readonly ca: string;
  /** ALPN protocols (IoT Core on port 443 needs x-amzn-mqtt-ca). */
  readonly alpn: readonly string[] | undefined;
  readonly keepaliveSeconds: number;
}

export interface DeviceOptions {
  readonly identity: DeviceIdentity & { readonly seed: number };
  readonly credentials: { readonly cert: string; readonly key: string };
  readonly connection: BrokerConnection;
  readonly topic: string;
  /** Messages per second and whole samples per message. */
  readonly rate: number;
  readonly samplesPerMessage: number;
  readonly faults: readonly FaultSpec[];
  readonly stats: FleetStats;
  readonly onAck: (message: AckedMessage) => void;
  /** The fleet's CONNECT spacing (shared by every device). */
  readonly pacer: ConnectPacer;
  /** Least time from one CONNECT of the device to its next: FLEET_LIMITS.minConnectIntervalMs against IoT Core, 0 unpaced. */
  readonly minConnectIntervalMs: number;
  /**
   * Payload bytes the device keeps waiting for a connection; beyond them its oldest waiting messages are
   * dropped (`overflowed`), as a gateway's store-and-forward buffer does, instead of growing with the outage.
   */
  readonly maxQueuedBytes: number;
}

interface Outgoing {
  readonly payload: Buffer;
  readonly kind: 'contract' | 'garbage' | 'oversized';
  readonly ts: readonly number[];
  sentAt: number;
  /** How its last connection ended while it waited for the PUBACK; undefined while never sent. */
  lost: 'disconnected' | 'refused' | undefined;
}

/**
 * The error recorded for a connection closed before its CONNACK without any error: how a TLS 1.3 broker that
 * refuses the client certificate looks from the device (its alert comes after the client's handshake is done).
 */
export const CLOSED_BEFORE_CONNACK = 'the broker closed the connection before its CONNACK, without an error (a device certificate its CA did not sign?)';

/** The error recorded for a connection closed right after a publish, before any PUBACK (FLEET_LIMITS.closedOnPublishMs). */
export const CLOSED_ON_PUBLISH = 'the broker closed the connection right after a publish, before any PUBACK (a publish the device policy refuses? check --env)';

/**
 * One simulated thing: its own certificate and MQTT connection over TLS (client id = thing name), publishing
 * data contract v1 at QoS 1 to its Basic Ingest topic. Messages are generated on schedule whether or not the
 * connection is up and sent in order when it is, at most FLEET_LIMITS.maxInFlightPerDevice unacknowledged;
 * a message in flight when the connection drops is sent again on the next connection (at least once), except
 * an oversized one, which the broker refused. Reconnects wait until `minConnectIntervalMs` after the last
 * CONNECT (IoT Core's one CONNECT a second per client id, when paced) plus a full-jitter exponential backoff, which starts over only once a
 * connection has proved itself (a PUBACK, or FLEET_LIMITS.connectionProvenMs up), and every CONNECT takes its
 * slot of the fleet's ConnectPacer. Publishes stay under FLEET_LIMITS.maxPublishesPerSecond per connection.
 */
export class Device {
  readonly #options: DeviceOptions;
  readonly #signal: SignalGenerator;
  #client: MqttClient | undefined;
  #generation = 0;
  #connected = false;
  #stopping = false;
  /** Publishing ended with PUBACKs still owed (the close is forced). */
  #owesAcks = false;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #provenTimer: NodeJS.Timeout | undefined;
  #pumpTimer: NodeJS.Timeout | undefined;
  /** When the publishes of the last second went out (the per-connection publish limit). */
  readonly #recentPublishes: number[] = [];
  /** The current connection: whether a PUBACK came on it, when its first publish went out (0: none yet). */
  #ackedOnConnection = false;
  #firstPublishAt = 0;
  /** Whether the current connection attempt reported an error (a close without one is recorded as CLOSED_BEFORE_CONNACK). */
  #attemptErrored = false;
  /** When the last CONNECT went out (0: never). */
  #lastConnectAt = 0;
  #messageIndex = 0;
  #sampleIndex = 0;
  #lastTs = 0;
  #seq = 0;
  readonly #queue: Outgoing[] = [];
  /** Payload bytes in #queue (DeviceOptions.maxQueuedBytes bounds them). */
  #queuedBytes = 0;
  readonly #inFlight = new Set<Outgoing>();

  constructor(options: DeviceOptions) {
    this.#options = options;
    this.#signal = new SignalGenerator(options.identity.assetType, options.identity.seed, options.faults, options.rate * options.samplesPerMessage);
  }

  get thingName(): string {
    return this.#options.identity.thingName;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Connects and starts publishing after `phaseMs` (spreads the fleet's messages over the second). */
  start(phaseMs: number): void {
    this.connect();
    this.startPublishing(phaseMs);
  }

  /** Opens the connection in the fleet's next CONNECT slot (and reconnects with backoff whenever it is lost). */
  connect(): void {
    this.#connectIn(0);
  }

  /** Connects after `delayMs`, or later when the fleet's CONNECT rate has no slot free by then. */
  #connectIn(delayMs: number): void {
    const wait = this.#options.pacer.reserve(delayMs);
    if (wait <= 0) this.#connect();
    else this.#reconnectTimer = setTimeout(() => this.#connect(), wait);
  }

  /** Generates the device's next message now (the load test's first message of every device, before its run). */
  publishOne(): void {
    this.#tick();
  }

  /** Starts generating messages after `phaseMs`, one every 1/rate s, whether or not the connection is up. */
  startPublishing(phaseMs: number): void {
    this.#timer = setTimeout(() => {
      this.#tick();
      this.#timer = setInterval(() => this.#tick(), 1000 / this.#options.rate);
    }, phaseMs);
  }

  /**
   * Stops generating; waits up to `drainMs` for what is in flight, then closes. What stayed unacknowledged is
   * counted as failed by why (FailureReason); returns how many.
   */
  async stop(drainMs: number): Promise<number> {
    const unacked = await this.finishPublishing(drainMs);
    await this.disconnect();
    return unacked;
  }

  /**
   * Stops generating and waits up to `drainMs` for what is in flight, keeping the connection (the load test
   * lets the pipeline catch up before the fleet's disconnects reach it). What stayed unacknowledged is counted
   * as failed by why (FailureReason); returns how many.
   */
  async finishPublishing(drainMs: number): Promise<number> {
    this.#stopping = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    if (this.#provenTimer) clearTimeout(this.#provenTimer);
    const until = Date.now() + drainMs;
    while (this.#connected && (this.#inFlight.size > 0 || this.#queue.length > 0) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const { stats } = this.#options;
    const unacked = this.#inFlight.size + this.#queue.length;
    if (this.#inFlight.size > 0) stats.fail('timeout', this.#inFlight.size);
    for (const message of this.#queue) stats.fail(message.lost ?? 'unsent');
    stats.inFlight -= this.#inFlight.size;
    stats.queued -= this.#queue.length;
    this.#inFlight.clear();
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    if (this.#pumpTimer) clearTimeout(this.#pumpTimer);
    this.#pumpTimer = undefined;
    this.#owesAcks ||= unacked > 0;
    return unacked;
  }

  /** Closes the connection; forced when PUBACKs were still owed: mqtt.js would otherwise wait for them before closing, for ever. */
  async disconnect(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client) await new Promise<void>((resolve) => client.end(this.#owesAcks, {}, () => resolve()));
  }

  #connect(): void {
    const { identity, credentials, connection, stats } = this.#options;
    const generation = (this.#generation += 1);
    this.#attemptErrored = false;
    this.#lastConnectAt = Date.now();
    stats.attempts += 1;
    const options: IClientOptions = {
      host: connection.host,
      port: connection.port,
      protocol: 'mqtts',
      protocolVersion: 4,
      clientId: identity.thingName,
      clean: true,
      keepalive: connection.keepaliveSeconds,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
      key: credentials.key,
      cert: credentials.cert,
      ca: connection.ca,
      rejectUnauthorized: true,
      ...(connection.alpn ? { ALPNProtocols: [...connection.alpn] } : {}),
      // The device resends its own messages after a reconnect (see #onClose); mqtt.js must not as well.
      queueQoSZero: false,
    };
    const client = connect(options);
    this.#client = client;
    client.on('connect', () => {
      if (generation !== this.#generation) return;
      this.#connected = true;
      this.#ackedOnConnection = false;
      this.#firstPublishAt = 0;
      // A CONNACK alone does not reset the backoff: a broker may accept the connection and close it on the first publish.
      this.#provenTimer = setTimeout(() => (this.#attempt = 0), FLEET_LIMITS.connectionProvenMs);
      stats.connected += 1;
      stats.connects += 1;
      this.#pump();
    });
    let lastError: Error | undefined;
    client.on('error', (error) => {
      // mqtt.js emits a TLS socket's error twice (its TLS wrapper and its stream handler): count it once.
      if (generation !== this.#generation || error === lastError) return;
      lastError = error;
      this.#attemptErrored = true;
      stats.error(error.message, identity.thingName, !this.#connected);
    });
    client.on('close', () => {
      if (generation === this.#generation) this.#onClose(client);
    });
  }

  #onClose(client: MqttClient): void {
    const { stats, identity } = this.#options;
    if (this.#provenTimer) clearTimeout(this.#provenTimer);
    // MQTT 3.1.1 has no negative PUBACK: a broker refusing a publish closes the connection, and this is all the device sees of it.
    const oversized = [...this.#inFlight].some((message) => message.kind === 'oversized');
    const closedOnPublish =
      this.#connected && !oversized && !this.#ackedOnConnection && this.#inFlight.size > 0 && Date.now() - this.#firstPublishAt <= FLEET_LIMITS.closedOnPublishMs;
    if (closedOnPublish) stats.error(CLOSED_ON_PUBLISH, identity.thingName, false);
    if (!this.#connected && !this.#attemptErrored && !this.#stopping) stats.error(CLOSED_BEFORE_CONNACK, identity.thingName, true);
    if (this.#connected) {
      stats.connected -= 1;
      stats.disconnects += 1;
    }
    this.#connected = false;
    client.removeAllListeners();
    client.end(true);
    // Messages in flight on the lost connection go first on the next one; an oversized one is not retried.
    const retry: Outgoing[] = [];
    for (const message of this.#inFlight) {
      if (message.kind === 'oversized') stats.fail('refused');
      else {
        message.lost = closedOnPublish ? 'refused' : 'disconnected';
        retry.push(message);
      }
    }
    stats.inFlight -= this.#inFlight.size;
    stats.queued += retry.length;
    this.#inFlight.clear();
    this.#queue.unshift(...retry);
    for (const message of retry) this.#queuedBytes += message.payload.length;
    this.#shedOldest();
    if (this.#stopping) return;
    const ceiling = Math.min(FLEET_LIMITS.reconnectMaxMs, FLEET_LIMITS.reconnectBaseMs * 2 ** this.#attempt);
    this.#attempt += 1;
    // IoT Core's one CONNECT a second per client id counts from the last CONNECT, not from the loss of its connection.
    const floor = Math.max(0, this.#lastConnectAt + this.#options.minConnectIntervalMs - Date.now());
    this.#connectIn(floor + Math.random() * ceiling);
  }

  #tick(): void {
    const { identity, samplesPerMessage, rate, faults, stats } = this.#options;
    const index = this.#messageIndex;
    this.#messageIndex += 1;
    const now = Date.now();
    const periodMs = 1000 / (rate * samplesPerMessage);
    const readings = [];
    const ts: number[] = [];
    for (let j = 0; j < samplesPerMessage; j += 1) {
      // The newest sample is taken now; timestamps of one asset are strictly increasing.
      const sampleTs = Math.max(Math.round(now - (samplesPerMessage - 1 - j) * periodMs), this.#lastTs + 1);
      this.#lastTs = sampleTs;
      const sample = this.#signal.sample(this.#sampleIndex, sampleTs);
      // The ledger keeps the device clock's timestamps: those are what the records and the buckets carry.
      ts.push(sample[0]?.ts ?? sampleTs);
      readings.push(...sample);
      this.#sampleIndex += 1;
    }
    const fault = planMessage(index, faults, rate);
    this.#seq += 1;
    let payload: Buffer;
    if (fault === 'garbage') payload = randomBytes(64 + Math.floor(Math.random() * 64));
    else {
      const message = { schemaVersion: 1, assetId: identity.assetId, seq: this.#seq, readings };
      payload = Buffer.from(JSON.stringify(fault === 'oversized' ? { ...message, padding: 'x'.repeat(FLEET_LIMITS.oversizedPayloadBytes) } : message));
    }
    this.#queue.push({ payload, kind: fault ?? 'contract', ts, sentAt: 0, lost: undefined });
    this.#queuedBytes += payload.length;
    stats.queued += 1;
    this.#shedOldest();
    this.#pump();
  }

  /**
   * Drops the oldest waiting messages while the queue holds more than `maxQueuedBytes` (the newest always
   * stays): a long outage of a big fleet would otherwise hold every message generated meanwhile in memory.
   */
  #shedOldest(): void {
    const { stats, maxQueuedBytes } = this.#options;
    while (this.#queuedBytes > maxQueuedBytes && this.#queue.length > 1) {
      const dropped = this.#queue.shift() as Outgoing;
      this.#queuedBytes -= dropped.payload.length;
      stats.queued -= 1;
      stats.fail('overflowed');
    }
  }

  /**
   * Sends queued messages while the connection is up, the in-flight window has room and the last second has
   * fewer than FLEET_LIMITS.maxPublishesPerSecond publishes (IoT Core throttles beyond it; a device catching up
   * after a reconnect would reach it); when that limit stops it, it goes on once the oldest publish is a second old.
   */
  #pump(): void {
    const client = this.#client;
    const { stats, topic } = this.#options;
    while (client && this.#connected && this.#queue.length > 0 && this.#inFlight.size < FLEET_LIMITS.maxInFlightPerDevice) {
      const now = Date.now();
      while (this.#recentPublishes.length > 0 && (this.#recentPublishes[0] ?? 0) <= now - 1000) this.#recentPublishes.shift();
      if (this.#recentPublishes.length >= FLEET_LIMITS.maxPublishesPerSecond) {
        if (!this.#pumpTimer) {
          this.#pumpTimer = setTimeout(() => {
            this.#pumpTimer = undefined;
            this.#pump();
          }, (this.#recentPublishes[0] ?? now) + 1000 - now);
        }
        return;
      }
      this.#recentPublishes.push(now);
      const message = this.#queue.shift() as Outgoing;
      this.#queuedBytes -= message.payload.length;
      stats.queued -= 1;
      stats.inFlight += 1;
      stats.sent += 1;
      // Sent before, on a connection lost before its PUBACK (it may have arrived: at least once, stored once by its seq).
      if (message.sentAt !== 0) stats.resent += 1;
      this.#inFlight.add(message);
      message.sentAt = now;
      if (this.#firstPublishAt === 0) this.#firstPublishAt = message.sentAt;
      const generation = this.#generation;
      client.publish(topic, message.payload, { qos: 1 }, (error) => {
        if (error || generation !== this.#generation || !this.#inFlight.has(message)) return;
        this.#acked(message);
      });
    }
  }

  #acked(message: Outgoing): void {
    const { stats, identity, onAck } = this.#options;
    this.#inFlight.delete(message);
    this.#ackedOnConnection = true;
    // The connection has proved itself: the next loss of it starts the backoff over.
    this.#attempt = 0;
    stats.inFlight -= 1;
    stats.acked += 1;
    const ackedAt = Date.now();
    stats.ackTimes.push(ackedAt - message.sentAt);
    if (message.kind === 'contract') {
      const metrics = this.#signal.metrics.map((m) => m.metric);
      stats.readingsAcked += message.ts.length * metrics.length;
      onAck({ thingName: identity.thingName, assetId: identity.assetId, kind: 'contract', ts: message.ts, metrics, publishedAt: message.sentAt, ackedAt });
    } else if (message.kind === 'garbage') {
      onAck({ thingName: identity.thingName, assetId: identity.assetId, kind: 'garbage', ts: [], metrics: [], publishedAt: message.sentAt, ackedAt });
    }
    this.#pump();
  }
}
