import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectAsync, type MqttClient } from 'mqtt';
import { CERT_FILES } from '../../scripts/lib/fleet/constants';
import { makeCertificates } from '../../scripts/lib/fleet/makeCertificates';
import { GatewayThread } from '../../scripts/lib/local/GatewayThread';
import { readManifests } from '../../scripts/lib/local/readManifests';
import { sharedCounters } from '../../scripts/lib/local/sharedCounters';
import { startKinesalite, TestStream, type Emulator } from '../helpers/emulators';

const REPOSITORY = resolve(__dirname, '../..');
const THING = 'pump-00001';
const TOPIC = `$aws/rules/iot_telemetry_dev/dt/sp01/line-a/${THING}/telemetry`;
/** How long the test's S3 takes to store an error action: the publish must not be acknowledged before. */
const STORE_MS = 300;

interface StoredObject {
  readonly bucket: string;
  readonly key: string;
  readonly body: string;
}

let kinesalite: Emulator;
let certs: string;
let stream: TestStream;
const manifests = readManifests(join(REPOSITORY, 'manifests', 'dev'), 'dev');
beforeAll(async () => {
  kinesalite = await startKinesalite();
  certs = mkdtempSync(join(tmpdir(), 'gateway-thread-certs-'));
  makeCertificates(certs, [THING]);
  // The rules' stream, which every gateway of this file writes to.
  stream = new TestStream(kinesalite.endpoint, manifests.streams[0]?.name ?? '');
  await stream.create();
});
afterAll(async () => {
  await kinesalite.stop();
  rmSync(certs, { recursive: true, force: true });
});

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The broker's key, certificate and CA, as the pipeline gives them to the gateway. */
const serverTls = (): { key: string; cert: string; ca: string } => ({
  key: readFileSync(join(certs, CERT_FILES.serverKey), 'utf8'),
  cert: readFileSync(join(certs, CERT_FILES.serverCert), 'utf8'),
  ca: readFileSync(join(certs, CERT_FILES.caCert), 'utf8'),
});

/** THING's MQTT/TLS connection to the gateway on `port`. */
const connectDevice = (port: number): Promise<MqttClient> =>
  connectAsync(`mqtts://127.0.0.1:${port}`, {
    clientId: THING,
    key: readFileSync(join(certs, `${THING}${CERT_FILES.keySuffix}`)),
    cert: readFileSync(join(certs, `${THING}${CERT_FILES.certSuffix}`)),
    ca: readFileSync(join(certs, CERT_FILES.caCert)),
    protocolVersion: 4,
    reconnectPeriod: 0,
  });

describe("the broker's thread", () => {
  it('counts in shared memory, acknowledges an error action only once stored, drops connections and reports shard loads', async () => {
    const stored: StoredObject[] = [];
    const gateway = new GatewayThread({
      manifests,
      kinesisEndpoint: kinesalite.endpoint,
      tls: serverTls(),
      s3: {
        putObject: async (bucket, key, body) => {
          await sleep(STORE_MS);
          stored.push({ bucket, key, body });
        },
      },
    });
    let client: MqttClient | undefined;
    try {
      const port = await gateway.start();
      client = await connectDevice(port);
      await until(() => gateway.counters.connected === 1, 'the connection to be counted');

      const reading = { ts: Date.now(), metric: 'temperature', value: 41.5, unit: 'degC', quality: 'GOOD' };
      await client.publishAsync(TOPIC, JSON.stringify({ schemaVersion: 1, assetId: THING, readings: [reading, { ...reading, metric: 'pressure' }] }), { qos: 1 });
      expect({ received: gateway.counters.received, readingsIn: gateway.counters.readingsIn, errorActions: gateway.counters.errorActions }).toEqual({ received: 1, readingsIn: 2, errorActions: 0 });
      // The presence event of the connect and the reading, both in the stream.
      await until(() => gateway.counters.toStream === 2 && gateway.counters.pendingPuts === 0, 'both puts to be acknowledged');

      // No assetId: the partition key is empty, Kinesis would refuse it, and the rule's error action takes the message.
      await client.publishAsync(TOPIC, JSON.stringify({ schemaVersion: 1, readings: [reading] }), { qos: 1 });
      expect(gateway.counters.errorActions).toBe(1);
      expect(stored).toHaveLength(1);
      const [errorAction] = stored;
      expect(errorAction?.bucket).toBe('s3-archive-111122223333-dev');
      expect(errorAction?.key).toMatch(/^quarantine\/iot\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/[0-9a-f-]{36}\.json$/);
      expect(JSON.parse(errorAction?.body ?? '{}')).toMatchObject({
        ruleName: 'iot_telemetry_dev',
        topic: TOPIC,
        clientId: THING,
        failures: [{ failedAction: 'KinesisAction', failedResource: 'kinesis-telemetry-dev', errorMessage: 'partition key "" is empty or longer than 256 characters' }],
      });

      const closed = new Promise<void>((done) => client?.once('close', () => done()));
      await expect(gateway.dropConnections(1)).resolves.toBe(1);
      await closed;
      await until(() => gateway.counters.connected === 0 && gateway.counters.disconnects === 1, 'the drop to be counted');
      expect(gateway.counters.peakConnected).toBe(1);
      expect(gateway.utilization().active).toBeGreaterThan(0);
    } finally {
      client?.end(true);
      await gateway.close();
    }
    // The close let the disconnect's presence event reach the stream; its last report names the shard written.
    expect({ toStream: gateway.counters.toStream, pendingPuts: gateway.counters.pendingPuts }).toEqual({ toStream: 3, pendingPuts: 0 });
    expect(gateway.shardLoads.map(([shard]) => shard)).toEqual(['shardId-000000000000']);
  }, 60_000);

  it('closes while a device is still connected and another connection has not finished its handshake, dropping both; the device\'s disconnect reaches the stream', async () => {
    const gateway = new GatewayThread({ manifests, kinesisEndpoint: kinesalite.endpoint, tls: serverTls(), s3: { putObject: () => undefined } });
    let client: MqttClient | undefined;
    let silent: Socket | undefined;
    // The stream is this file's: what this test's gateway writes comes after what is there now.
    const before = (await stream.read()).at(-1)?.SequenceNumber;
    try {
      const port = await gateway.start();
      client = await connectDevice(port);
      // A TCP connection that never starts TLS: the server counts it until it ends.
      silent = connect(port, '127.0.0.1');
      await once(silent, 'connect');
      await until(() => gateway.counters.connected === 1 && gateway.counters.toStream === 1, 'the connection and its presence event');
      const device = client;
      const deviceClosed = new Promise<void>((done) => device.once('close', () => done()));
      const silentClosed = once(silent, 'close');
      // Before the fix this never resolved (the test timed out): the server's close waited for the connections it was to end.
      await gateway.close();
      await Promise.all([deviceClosed, silentClosed]);
    } finally {
      client?.end(true);
      silent?.destroy();
      await gateway.close();
    }
    // The device's disconnect went through the rules into the stream before the thread ended.
    expect({ connected: gateway.counters.connected, disconnects: gateway.counters.disconnects, toStream: gateway.counters.toStream, pendingPuts: gateway.counters.pendingPuts }).toEqual({
      connected: 0,
      disconnects: 1,
      toStream: 2,
      pendingPuts: 0,
    });
    const events = (await stream.read(before === undefined ? {} : { after: before })).map((record) => JSON.parse(Buffer.from(record.Data ?? new Uint8Array()).toString('utf8')) as Record<string, unknown>);
    expect(events.map(({ recordType, clientId, eventType, disconnectReason }) => ({ recordType, clientId, eventType, disconnectReason }))).toEqual([
      { recordType: 'presence', clientId: THING, eventType: 'connected', disconnectReason: undefined },
      { recordType: 'presence', clientId: THING, eventType: 'disconnected', disconnectReason: 'SERVER_INITIATED_DISCONNECT' },
    ]);
  }, 60_000);
});

describe('lifecycle events', () => {
  it('give each connection its own session and a higher version, and disconnect a connection another one with its client id takes over with DUPLICATE_CLIENTID', async () => {
    const gateway = new GatewayThread({ manifests, kinesisEndpoint: kinesalite.endpoint, tls: serverTls(), s3: { putObject: () => undefined } });
    let first: MqttClient | undefined;
    let second: MqttClient | undefined;
    const before = (await stream.read()).at(-1)?.SequenceNumber;
    try {
      const port = await gateway.start();
      first = await connectDevice(port);
      await until(() => gateway.counters.connected === 1 && gateway.counters.toStream === 1, 'the first connection and its presence event');
      const device = first;
      const firstClosed = new Promise<void>((done) => device.once('close', () => done()));
      // The device reconnects before the broker noticed its old connection die (here, before it died).
      second = await connectDevice(port);
      await firstClosed;
      await until(() => gateway.counters.toStream === 3 && gateway.counters.pendingPuts === 0, 'the takeover\'s presence events');
      expect({ connected: gateway.counters.connected, connects: gateway.counters.connects, disconnects: gateway.counters.disconnects }).toEqual({ connected: 1, connects: 2, disconnects: 1 });
    } finally {
      first?.end(true);
      second?.end(true);
      await gateway.close();
    }
    const events = (await stream.read(before === undefined ? {} : { after: before })).map((record) => JSON.parse(Buffer.from(record.Data ?? new Uint8Array()).toString('utf8')) as Record<string, unknown>);
    const [connected, takenOver, reconnected] = [
      events.find((e) => e.eventType === 'connected' && e.versionNumber === 0),
      events.find((e) => e.disconnectReason === 'DUPLICATE_CLIENTID'),
      events.find((e) => e.eventType === 'connected' && e.versionNumber === 1),
    ];
    expect(connected).toMatchObject({ recordType: 'presence', clientId: THING, principalIdentifier: THING });
    expect(takenOver).toMatchObject({ clientId: THING, eventType: 'disconnected', clientInitiatedDisconnect: false, sessionIdentifier: connected?.sessionIdentifier, versionNumber: 0 });
    expect(reconnected?.sessionIdentifier).toMatch(/^[0-9a-f-]{36}$/);
    expect(reconnected?.sessionIdentifier).not.toBe(connected?.sessionIdentifier);
    // The second connection's own disconnect, at the gateway's close, is of its session.
    expect(events.filter((e) => e.eventType === 'disconnected').map((e) => [e.sessionIdentifier, e.versionNumber, e.disconnectReason])).toEqual([
      [connected?.sessionIdentifier, 0, 'DUPLICATE_CLIENTID'],
      [reconnected?.sessionIdentifier, 1, expect.stringMatching(/^(CONNECTION_LOST|SERVER_INITIATED_DISCONNECT)$/)],
    ]);
  }, 60_000);
});

describe('counters in shared memory', () => {
  it('shows every write through another view of the same buffer, and refuses what a slot cannot hold', () => {
    const names = ['received', 'pendingPuts'] as const;
    const buffer = new SharedArrayBuffer(names.length * BigInt64Array.BYTES_PER_ELEMENT);
    const writer = sharedCounters(names, buffer);
    const reader = sharedCounters(names, buffer);
    writer.received += 3;
    writer.pendingPuts = 2 ** 40;
    writer.pendingPuts -= 1;
    expect({ ...reader }).toEqual({ received: 3, pendingPuts: 2 ** 40 - 1 });
    expect(() => {
      writer.received = 0.5;
    }).toThrow('sharedCounters: received must be a safe integer, got 0.5');
    expect(() => sharedCounters(['a', 'b', 'c'], new SharedArrayBuffer(16))).toThrow('sharedCounters: the buffer holds 16 bytes; 3 counters need 24');
  });
});
