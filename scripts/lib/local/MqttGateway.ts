import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import { randomUUID } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { LIMITS } from '../../../functions/shared/constants';
import { GATEWAY_COUNTER_NAMES, IOT_LIMITS, KINESIS_LIMITS } from './constants';
import { IotPolicyEvaluator } from './IotPolicyEvaluator';
import type { LocalManifests } from './LocalManifests';
import type { StreamWriter } from './StreamWriter';
import { TopicRule, type RuleContext } from './TopicRule';
import { certificateThingName } from './certificateThingName';

/** Counters of the gateway, read by the live output and the load test (GATEWAY_COUNTER_NAMES says what each counts). */
export type GatewayCounters = Record<(typeof GATEWAY_COUNTER_NAMES)[number], number>;

/** Where a rule's error action writes (the fake S3, or the thread that owns it). Resolves once stored. */
export interface ErrorActionSink {
  putObject(bucket: string, key: string, body: string): void | Promise<void>;
}

export interface GatewayOptions {
  readonly manifests: LocalManifests;
  readonly streams: ReadonlyMap<string, StreamWriter>;
  readonly s3: ErrorActionSink;
  readonly tls: { readonly key: string; readonly cert: string; readonly ca: string };
  /** The object the gateway counts in: `sharedCounters`, which the thread that started it reads. */
  readonly counters: GatewayCounters;
  /** By rule name, why its role may not put to its stream (decided once, at start): its Kinesis action fails, and the error action runs. */
  readonly refusedPuts?: Readonly<Record<string, string>>;
}

const BASIC_INGEST = /^\$aws\/rules\/([^/]+)\/(.+)$/;

/** One MQTT connection as its lifecycle events name it. */
interface ClientSession {
  readonly client: Client;
  readonly thingName: string;
  /** A new UUID per connection, as IoT Core's sessionIdentifier. */
  readonly sessionIdentifier: string;
  /** The client id's connection number: higher for each new connection (IoT Core's versionNumber), the same on its connect and disconnect. */
  readonly versionNumber: number;
}

function refusal(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/**
 * IoT Core on 127.0.0.1: an aedes broker behind a mutual-TLS server (TLS 1.2+, client certificates signed by
 * the local CA; the certificate's CN is the thing it is attached to, as just-in-time provisioning would do).
 * CONNECT and PUBLISH are authorized with the rendered device policy; a publish is acknowledged only after
 * the rules took it (their Kinesis action or error action done), so a PUBACK means what it means in AWS: IoT
 * Core owns the message. Basic Ingest topics (`$aws/rules/<rule>/<topic>`) go to the named rule only, which
 * sees `<topic>`; other topics go to every rule whose filter matches. Connects and disconnects publish
 * lifecycle events to `$aws/events/presence/connected|disconnected/<clientId>` into the same rules, each
 * connection with its own sessionIdentifier and a versionNumber higher than the client id's connection
 * before; a connection that takes over a connected client id disconnects that one with DUPLICATE_CLIENTID.
 */
export class MqttGateway {
  readonly counters: GatewayCounters;
  readonly rules: readonly TopicRule[];
  readonly #options: GatewayOptions;
  readonly #policy: IotPolicyEvaluator | undefined;
  readonly #arnPrefix: string;
  #broker: Aedes | undefined;
  #server: Server | undefined;
  /** Connected clients by client id: the thing of their certificate and their session. */
  readonly #clients = new Map<string, ClientSession>();
  /** Every session, also of a client a takeover has replaced in #clients. */
  readonly #sessions = new WeakMap<Client, ClientSession>();
  /** The last connection number of each client id (they only grow while the gateway runs). */
  readonly #versions = new Map<string, number>();
  /** Per client id, the connection that authenticated and is not ready yet: it takes the connected one over. */
  readonly #connecting = new Map<string, Client>();
  readonly #serverDropped = new WeakSet<Client>();
  /** Every TCP connection the server has open, handshakes included, so that close can end them. */
  readonly #sockets = new Set<Socket>();

  constructor(options: GatewayOptions) {
    this.#options = options;
    this.counters = options.counters;
    this.rules = options.manifests.topicRules.map((spec) => new TopicRule(spec));
    this.#policy = options.manifests.devicePolicy ? new IotPolicyEvaluator(options.manifests.devicePolicy.document) : undefined;
    this.#arnPrefix = `arn:aws:iot:${options.manifests.region}:${options.manifests.accountId}:`;
  }

  async start(port = 0): Promise<number> {
    const broker = await Aedes.createBroker({
      authenticate: (client, _username, _password, done) => this.#authenticate(client, done),
      authorizePublish: (client, packet, done) => {
        if (client === null) return done(null);
        this.#publish(client, packet).then(
          () => done(null),
          (error: Error) => done(error),
        );
      },
      // Devices of this platform only publish; IoT Core's policy would refuse a subscription too.
      authorizeSubscribe: (_client, _subscription, done) => done(new Error('subscriptions are not allowed by the device policy'), null),
      heartbeatInterval: 3_600_000,
      maxClientsIdLength: 128,
      concurrency: 1000,
    });
    broker.on('clientReady', (client) => this.#connected(client));
    broker.on('clientDisconnect', (client) => this.#disconnected(client));
    this.#broker = broker;
    const server = createServer(
      {
        key: this.#options.tls.key,
        cert: this.#options.tls.cert,
        ca: this.#options.tls.ca,
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
      },
      (socket) => broker.handle(socket),
    );
    // A failed handshake (wrong CA, no certificate) is the device's problem, not the broker's.
    server.on('tlsClientError', () => undefined);
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  /** Drops a share of the connections (chosen at random) from the server side (chaos); returns how many. */
  dropConnections(fraction: number): number {
    const all = [...this.#clients.values()];
    for (let i = all.length - 1; i > 0; i -= 1) {
      const j = Math.floor(Math.random() * (i + 1));
      [all[i], all[j]] = [all[j] as (typeof all)[number], all[i] as (typeof all)[number]];
    }
    const clients = all.slice(0, Math.ceil(all.length * fraction));
    for (const { client } of clients) {
      this.#serverDropped.add(client);
      client.conn.destroy();
    }
    return clients.length;
  }

  /** Stops accepting, ends every connection (devices see the server drop them), then closes the broker. */
  async close(): Promise<void> {
    const server = this.#server;
    const broker = this.#broker;
    // The server's close calls back only once every connection has ended: it is started first so no new one
    // comes in, and the connections are ended while it waits, or a connected fleet would hold it forever.
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const { client } of this.#clients.values()) {
      this.#serverDropped.add(client);
      client.conn.destroy();
    }
    // Connections that are no MQTT client yet (TLS handshake or CONNECT under way).
    for (const socket of this.#sockets) socket.destroy();
    await closed;
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
  }

  #thingOf(client: Client): string | undefined {
    return certificateThingName(client.conn);
  }

  #authenticate(client: Client, done: (error: AuthenticateError | null, success: boolean | null) => void): void {
    const thingName = this.#thingOf(client);
    const decision = this.#policy
      ? this.#policy.authorize('iot:Connect', `${this.#arnPrefix}client/${client.id}`, { clientId: client.id, thingName })
      : { allowed: false as const, reason: 'no IoT device policy in the manifests' };
    if (!decision.allowed) {
      this.counters.connectDenied += 1;
      // CONNACK 5, not authorized (IoT Core closes the connection).
      done(refusal(`connect of ${client.id} denied: ${decision.reason}`, 5), false);
      return;
    }
    // aedes closes a connected client with this id (a takeover) only after this, before the new one is ready.
    this.#connecting.set(client.id, client);
    done(null, true);
  }

  #connected(client: Client): void {
    if (this.#connecting.get(client.id) === client) this.#connecting.delete(client.id);
    const versionNumber = (this.#versions.get(client.id) ?? -1) + 1;
    this.#versions.set(client.id, versionNumber);
    const session: ClientSession = { client, thingName: this.#thingOf(client) ?? client.id, sessionIdentifier: randomUUID(), versionNumber };
    this.#sessions.set(client, session);
    this.#clients.set(client.id, session);
    this.counters.connected = this.#clients.size;
    this.counters.peakConnected = Math.max(this.counters.peakConnected, this.#clients.size);
    this.counters.connects += 1;
    void this.#presence(session, 'connected', undefined);
  }

  #disconnected(client: Client): void {
    const session = this.#sessions.get(client);
    if (session === undefined) return; // never ready
    this.counters.disconnects += 1;
    // A takeover: the new connection with this client id is under way, or (had aedes readied it first) has replaced the entry.
    const taker = this.#connecting.get(client.id);
    const replaced = this.#clients.get(client.id) !== session;
    if (!replaced) this.#clients.delete(client.id);
    this.counters.connected = this.#clients.size;
    const takenOver = replaced || (taker !== undefined && taker !== client && !taker.closed);
    const reason = takenOver ? 'DUPLICATE_CLIENTID' : this.#serverDropped.has(client) ? 'SERVER_INITIATED_DISCONNECT' : 'CONNECTION_LOST';
    void this.#presence(session, 'disconnected', reason);
  }

  /** AWS's lifecycle event document, through the rules like any other message. */
  async #presence(session: ClientSession, eventType: 'connected' | 'disconnected', reason: string | undefined): Promise<void> {
    const clientId = session.client.id;
    const timestamp = Date.now();
    const event: Record<string, unknown> = {
      clientId,
      timestamp,
      eventType,
      sessionIdentifier: session.sessionIdentifier,
      principalIdentifier: session.thingName,
      ipAddress: '127.0.0.1',
      versionNumber: session.versionNumber,
      ...(eventType === 'disconnected' ? { clientInitiatedDisconnect: reason === 'CLIENT_INITIATED_DISCONNECT', disconnectReason: reason } : {}),
    };
    this.counters.presenceEvents += 1;
    const topic = `$aws/events/presence/${eventType}/${clientId}`;
    await Promise.all(this.rules.filter((rule) => rule.matches(topic)).map((rule) => this.#apply(rule, Buffer.from(JSON.stringify(event)), { topic, clientId, timestamp }, topic)));
  }

  async #publish(client: Client, packet: PublishPacket): Promise<void> {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    this.counters.received += 1;
    // IoT Core refuses a PUBLISH payload above the contract's 128 KB.
    if (payload.length > LIMITS.maxMessageBytes) {
      this.counters.oversized += 1;
      throw new Error(`payload of ${payload.length} bytes is above IoT Core's ${LIMITS.maxMessageBytes}`);
    }
    const entry = this.#clients.get(client.id);
    const thingName = entry?.thingName ?? this.#thingOf(client);
    const decision = this.#policy
      ? this.#policy.authorize('iot:Publish', `${this.#arnPrefix}topic/${packet.topic}`, { clientId: client.id, thingName })
      : { allowed: false as const, reason: 'no IoT device policy' };
    if (!decision.allowed) {
      this.counters.publishDenied += 1;
      // MQTT 3.1.1 has no negative PUBACK: IoT Core disconnects the client.
      throw new Error(`publish of ${client.id} to ${packet.topic} denied: ${decision.reason}`);
    }
    const timestamp = Date.now();
    const basic = BASIC_INGEST.exec(packet.topic);
    const topic = basic ? (basic[2] ?? '') : packet.topic;
    const rules = basic ? this.rules.filter((rule) => rule.name === basic[1] && rule.matches(topic)) : this.rules.filter((rule) => rule.matches(topic));
    if (rules.length === 0) {
      // Basic Ingest to a rule that does not exist (or whose filter the topic misses): IoT Core drops it.
      this.counters.noRule += 1;
      return;
    }
    await Promise.all(rules.map((rule) => this.#apply(rule, payload, { topic, clientId: client.id, timestamp }, packet.topic)));
  }

  /** The rule's SQL, then its Kinesis action; a failed action runs the error action (S3). */
  async #apply(rule: TopicRule, payload: Buffer, context: RuleContext, originalTopic: string): Promise<void> {
    const outcome = rule.evaluate(payload, context);
    if (outcome.kind === 'no-match') return;
    if (outcome.kind === 'parse-error') {
      // AWS: the rule's ParseError metric, no action and no error action.
      this.counters.parseErrors += 1;
      return;
    }
    const action = rule.spec.kinesis;
    if (!action) return;
    const readings = (outcome.result as { readings?: unknown }).readings;
    if (Array.isArray(readings)) this.counters.readingsIn += readings.length;
    try {
      const partitionKey = rule.substitute(action.partitionKey, outcome.payload, context);
      // Kinesis refuses an empty partition key: the action fails, the error action takes the message.
      if (partitionKey === '' || partitionKey.length > KINESIS_LIMITS.partitionKeyMaxChars) {
        throw new Error(`partition key ${JSON.stringify(partitionKey)} is empty or longer than ${KINESIS_LIMITS.partitionKeyMaxChars} characters`);
      }
      const refused = this.#options.refusedPuts?.[rule.name];
      if (refused !== undefined) throw new Error(refused);
      const writer = this.#options.streams.get(action.streamName);
      if (!writer) throw new Error(`stream ${action.streamName} does not exist`);
      const data = Buffer.from(JSON.stringify(outcome.result));
      if (data.length > IOT_LIMITS.maxRecordBytes) throw new Error(`record of ${data.length} bytes is above Kinesis's 1 MiB`);
      this.counters.pendingPuts += 1;
      try {
        await writer.put(data, partitionKey);
      } finally {
        this.counters.pendingPuts -= 1;
      }
      this.counters.toStream += 1;
    } catch (error) {
      await this.#errorAction(rule, payload, context, originalTopic, (error as Error).message);
    }
  }

  async #errorAction(rule: TopicRule, payload: Buffer, context: RuleContext, originalTopic: string, message: string): Promise<void> {
    const target = rule.spec.errorS3;
    this.counters.errorActions += 1;
    if (!target) return;
    const document = {
      ruleName: rule.name,
      topic: originalTopic,
      cloudwatchTraceId: randomUUID(),
      clientId: context.clientId,
      base64OriginalPayload: payload.toString('base64'),
      failures: [{ failedAction: 'KinesisAction', failedResource: rule.spec.kinesis?.streamName ?? '', errorMessage: message }],
    };
    const key = rule.substitute(target.key, {}, context);
    await this.#options.s3.putObject(target.bucketName, key, JSON.stringify(document));
  }
}
