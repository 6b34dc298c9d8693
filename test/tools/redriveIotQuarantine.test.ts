import { KinesisClient, type _Record } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { readManifests } from '../../scripts/lib/local/readManifests';
import { TopicRule } from '../../scripts/lib/local/TopicRule';
import { parseRedriveArgs, type QuarantineReplayOptions } from '../../scripts/lib/redriveArgs';
import { redriveIotQuarantine, type IotReplaySettings, type IotReplaySummary } from '../../scripts/lib/redriveIotQuarantine';
import { iotReplayTargets } from '../../scripts/lib/redriveIotRules';
import { redriveTargets } from '../../scripts/lib/redriveTargets';
import { REGION, startKinesalite, TestStream, type Emulator } from '../helpers/emulators';
import { FakeArchiveS3 } from '../helpers/fakeArchiveS3';
import { FaultProxy } from '../helpers/FaultProxy';
import { PolicyEnforcer } from '../helpers/policy/PolicyEnforcer';
import { PutRecordsThrottlingProxy } from '../helpers/putRecordsThrottlingProxy';

/** The environment the tool runs for: names from config/dev.yaml, rules from manifests/dev/. */
const targets = redriveTargets('dev');
const replayTargets = iotReplayTargets(targets);
const BUCKET = targets.archiveBucket;
const TELEMETRY_RULE = 'iot_telemetry_dev';
const PRESENCE_RULE = 'iot_presence_dev';
/** The rendered rules, as the local pipeline builds them: the reference for what the rule puts. */
const renderedRules = readManifests(join(__dirname, '..', '..', 'manifests', 'dev'), 'dev').topicRules.map((spec) => new TopicRule(spec));
/** The tool signs as the redrive operator: every fake authorizes it against the rendered redrive policy. */
const enforcer = new PolicyEnforcer('dev');

const HOUR = 3_600_000;
/** An hour start a few hours ago: inside the 7 days the functions accept. */
const BASE = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;

let kinesalite: Emulator;
const throttling = new PutRecordsThrottlingProxy();
/** In front of the throttling proxy: authorizes the tool's Kinesis calls. */
const kinesisAuthorizer = new FaultProxy();
const s3 = new FakeArchiveS3();
let stream: TestStream;
let clients: { s3: S3Client; kinesis: KinesisClient };
/** Records of the stream read so far: each test looks at the ones its run put. */
let seen = 0;
let delays: number[] = [];

beforeAll(async () => {
  kinesalite = await startKinesalite();
  await throttling.startInFrontOf(kinesalite.endpoint);
  await kinesisAuthorizer.startInFrontOf(throttling.endpoint);
  kinesisAuthorizer.enforce(enforcer, 'kinesis');
  await s3.start();
  s3.enforce(enforcer);
  stream = new TestStream(kinesalite.endpoint, targets.streamName);
  await stream.create();
  const http = { region: REGION, credentials: enforcer.credentials('redrive'), requestHandler: new NodeHttpHandler() };
  clients = {
    s3: new S3Client({ ...http, endpoint: s3.endpoint, forcePathStyle: true }),
    kinesis: new KinesisClient({ ...http, endpoint: kinesisAuthorizer.endpoint }),
  };
});

afterAll(async () => {
  for (const client of Object.values(clients)) client.destroy();
  stream.client.destroy();
  for (const server of [s3, kinesisAuthorizer, throttling]) await server.stop();
  await kinesalite.stop();
});

beforeEach(() => {
  s3.objects.clear();
  s3.pageSize = 1_000;
  s3.listCalls.length = 0;
  throttling.throttleEntries(0);
  throttling.throttled.length = 0;
  throttling.putRecordsSizes.length = 0;
  delays = [];
});

/** The hour folder the rule's error action names after the message's arrival (UTC). */
function hourFolder(arrivalMs: number, subfolder = ''): string {
  const iso = new Date(arrivalMs).toISOString();
  return `quarantine/iot/${subfolder}${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}/`;
}

interface Quarantined {
  readonly key: string;
  readonly ruleName: string;
  readonly topic: string;
  readonly clientId: string;
  readonly payload: Buffer;
}

/**
 * An error-action object as AWS writes it (developer guide, "Error action message format") when the
 * Kinesis action failed: at `arrivalMs` the message arrived, the object is written `writeDelayMs` later.
 */
function quarantine(message: { ruleName?: string; topic: string; clientId: string; payload: unknown }, arrivalMs: number, writeDelayMs = 150, uuid: string = randomUUID()): Quarantined {
  const ruleName = message.ruleName ?? TELEMETRY_RULE;
  const payload = Buffer.isBuffer(message.payload) ? message.payload : Buffer.from(typeof message.payload === 'string' ? message.payload : JSON.stringify(message.payload));
  const key = `${hourFolder(arrivalMs, ruleName === PRESENCE_RULE ? 'presence/' : '')}${uuid}.json`;
  const document = {
    ruleName,
    topic: message.topic,
    cloudwatchTraceId: randomUUID(),
    clientId: message.clientId,
    base64OriginalPayload: payload.toString('base64'),
    failures: [
      {
        failedAction: 'KinesisAction',
        failedResource: targets.streamName,
        errorMessage: `Failed to send message to Kinesis. The error received was Rate exceeded for shard shardId-000000000000 in stream ${targets.streamName} under account 111122223333.`,
      },
    ],
  };
  s3.putWrittenAt(BUCKET, key, JSON.stringify(document), arrivalMs + writeDelayMs);
  return { key, ruleName, topic: message.topic, clientId: message.clientId, payload };
}

/** A device message of data contract v1, published through Basic Ingest on line-a. */
function telemetryMessage(thing: string, assetId: string | undefined, ts: number, extra: Record<string, unknown> = {}): { topic: string; clientId: string; payload: unknown } {
  return {
    topic: `$aws/rules/${TELEMETRY_RULE}/dt/sp01/line-a/${thing}/telemetry`,
    clientId: thing,
    payload: { schemaVersion: 1, ...(assetId === undefined ? {} : { assetId }), readings: [{ sensorId: 'temperature', ts, value: 61.5, unit: 'Cel' }], ...extra },
  };
}

/** What the rendered rule puts for the message, by the local pipeline's TopicRule, at the given arrival. */
function expectedRecord(object: Quarantined, arrivalMs: number): { data: unknown; partitionKey: string } {
  const rule = renderedRules.find((candidate) => candidate.name === object.ruleName);
  if (rule === undefined) throw new Error(`no rendered rule ${object.ruleName}`);
  const context = { topic: object.topic.replace(`$aws/rules/${rule.name}/`, ''), clientId: object.clientId, timestamp: arrivalMs };
  const outcome = rule.evaluate(object.payload, context);
  if (outcome.kind !== 'result') throw new Error(`the rule does not take ${object.key}: ${outcome.kind}`);
  return { data: outcome.result, partitionKey: rule.substitute(rule.spec.kinesis?.partitionKey ?? '', outcome.payload, context) };
}

/** The records put to the stream since the last call. */
async function newRecords(): Promise<Array<{ data: unknown; partitionKey: string }>> {
  const records: _Record[] = await stream.read();
  const fresh = records.slice(seen);
  seen = records.length;
  return fresh.map((record) => ({ data: JSON.parse(Buffer.from(record.Data ?? new Uint8Array()).toString('utf8')) as unknown, partitionKey: record.PartitionKey ?? '' }));
}

interface Run extends IotReplaySummary {
  readonly lines: string[];
}

async function replay(options: Partial<QuarantineReplayOptions> = {}, settings: IotReplaySettings = {}): Promise<Run> {
  const lines: string[] = [];
  const summary = await redriveIotQuarantine(
    clients,
    replayTargets,
    { environment: 'dev', quarantine: 'iot', dryRun: false, fromMs: BASE, toMs: BASE + 2 * HOUR, maxObjects: 5_000, ...options },
    (line) => lines.push(line),
    {
      sleep: async (ms) => {
        delays.push(ms);
      },
      ...settings,
    },
  );
  return { ...summary, lines };
}

describe('redrive --quarantine iot against kinesalite and a fake S3, under the rendered redrive policy', () => {
  test('telemetry and presence messages are put as the rendered rules put them, arrival from LastModified, oldest first; the objects stay', async () => {
    const first = quarantine(telemetryMessage('gw-00001', 'pump-00001', BASE + 9 * 60_000), BASE + 10 * 60_000 + 400);
    const presence = quarantine(
      {
        ruleName: PRESENCE_RULE,
        topic: '$aws/events/presence/disconnected/gw-00002',
        clientId: 'gw-00002',
        payload: { clientId: 'gw-00002', timestamp: BASE + 11 * 60_000, eventType: 'disconnected', clientInitiatedDisconnect: false, disconnectReason: 'CONNECTION_LOST', versionNumber: 3 },
      },
      BASE + 11 * 60_000,
    );
    // A later message of the same asset, in the next hour's folder.
    const second = quarantine(telemetryMessage('gw-00001', 'pump-00001', BASE + 70 * 60_000, { sequence: 2 }), BASE + 70 * 60_000);

    const run = await replay();

    const arrivals = [first, presence, second].map((object) => s3.lastModified(BUCKET, object.key));
    expect(await newRecords()).toEqual([expectedRecord(first, arrivals[0] ?? 0), expectedRecord(presence, arrivals[1] ?? 0), expectedRecord(second, arrivals[2] ?? 0)]);
    // Independently of TopicRule: the enrichment the rule adds, the arrival in whole seconds, the asset as partition key.
    expect(expectedRecord(first, arrivals[0] ?? 0)).toEqual({
      partitionKey: 'pump-00001',
      data: expect.objectContaining({ plantId: 'sp01', lineId: 'line-a', thingName: 'gw-00001', clientId: 'gw-00001', receivedAt: BASE + 10 * 60_000 }),
    });
    expect(run.lines[0]).toBe(
      `range ${new Date(BASE).toISOString()} to ${new Date(BASE + 2 * HOUR).toISOString()}: 6 folders of s3://${BUCKET}/ listed, 3 objects written in the range`,
    );
    expect(run.lines[1]).toMatch(
      new RegExp(`^object ${first.key} \\| iot_telemetry_dev \\| gw-00001 \\| arrived ${new Date(BASE + 10 * 60_000).toISOString()} \\| replayed: \\d+ bytes, partition key pump-00001$`),
    );
    expect(run.lines[2]).toMatch(/ \| iot_presence_dev \| gw-00002 \| .* \| replayed: \d+ bytes, partition key gw-00002$/);
    expect(run.line).toBe('redrive quarantine/iot: 3 objects, 3 replayed, 0 left');
    expect(run.lines.at(-1)).toBe(run.line);
    expect(run.exitCode).toBe(0);
    // Left in place: the functions take a second replay as a duplicate.
    expect([...s3.objects.keys()].sort()).toEqual([first, presence, second].map((object) => `${BUCKET}/${object.key}`).sort());
    // The hour before the range (an object written just after an hour began sits in the folder before), telemetry and presence.
    expect([...s3.listCalls].sort()).toEqual(
      [BASE - HOUR, BASE, BASE + HOUR].flatMap((hour) => [hourFolder(hour), hourFolder(hour, 'presence/')]).sort(),
    );
  });

  test('payloads the rule would not take, unknown rules, other documents and unreadable objects are reported and left; exit 1', async () => {
    const good = quarantine(telemetryMessage('gw-00003', 'motor-00003', BASE + 60_000), BASE + 60_000);
    const notJson = quarantine({ topic: `$aws/rules/${TELEMETRY_RULE}/dt/sp01/line-b/gw-00004/telemetry`, clientId: 'gw-00004', payload: Buffer.from([0xa1, 0x61, 0x61, 0x01]) }, BASE + 2 * 60_000);
    const noAsset = quarantine(telemetryMessage('gw-00005', undefined, BASE + 3 * 60_000), BASE + 3 * 60_000);
    const otherRule = quarantine({ ...telemetryMessage('gw-00006', 'pump-00006', BASE + 4 * 60_000), ruleName: 'iot_telemetry_prod' }, BASE + 4 * 60_000);
    const otherDocument = `${hourFolder(BASE + 5 * 60_000)}${randomUUID()}.json`;
    s3.putWrittenAt(BUCKET, otherDocument, '{"message":"not an error action"}', BASE + 5 * 60_000);
    const unreadable = quarantine(telemetryMessage('gw-00007', 'pump-00007', BASE + 6 * 60_000), BASE + 6 * 60_000);
    s3.failReads(unreadable.key);

    const run = await replay();

    expect(await newRecords()).toEqual([expectedRecord(good, s3.lastModified(BUCKET, good.key))]);
    const lineOf = (key: string): string | undefined => run.lines.find((line) => line.startsWith(`object ${key} `));
    const at = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString();
    expect(lineOf(notJson.key)).toBe(
      `object ${notJson.key} | iot_telemetry_dev | gw-00004 | arrived ${at(BASE + 2 * 60_000 + 150)} | left: not JSON: the payload is not a JSON object (${notJsonDetail(notJson.payload)}): the rule cannot evaluate it`,
    );
    expect(lineOf(noAsset.key)).toBe(
      `object ${noAsset.key} | iot_telemetry_dev | gw-00005 | arrived ${at(BASE + 3 * 60_000 + 150)} | left: no partition key: the partition key \${assetId} is empty for this payload: Kinesis refuses it, as it refused the rule`,
    );
    expect(lineOf(otherRule.key)).toBe(
      `object ${otherRule.key} | iot_telemetry_prod | gw-00006 | arrived ${at(BASE + 4 * 60_000 + 150)} | left: unknown rule: rule iot_telemetry_prod is not one of iot_telemetry_dev, iot_presence_dev`,
    );
    expect(lineOf(otherDocument)).toBe(`object ${otherDocument} | - | - | arrived ${at(BASE + 5 * 60_000)} | left: malformed: not an IoT error-action document: no ruleName string`);
    expect(lineOf(unreadable.key)).toMatch(new RegExp(`^object ${unreadable.key} \\| - \\| - \\| arrived .* \\| left: read error: GetObject failed: InternalError: injected$`));
    expect(run.line).toBe('redrive quarantine/iot: 6 objects, 1 replayed, 5 left: 1 read error, 1 malformed, 1 unknown rule, 1 not JSON, 1 no partition key');
    expect(run.exitCode).toBe(1);
    expect(s3.objects.size).toBe(6);
  });

  test('only objects written in [--from, --to) are read, the oldest first up to --max-objects, across listing pages and the hour before', async () => {
    s3.pageSize = 2;
    const from = BASE + HOUR;
    const to = BASE + 2 * HOUR;
    const before = quarantine(telemetryMessage('gw-00010', 'pump-00010', from - 2_000), from - 2_000, 100);
    // Arrived in the hour before --from (its folder), written after --from: in the range.
    const straddling = quarantine(telemetryMessage('gw-00011', 'pump-00011', from - 300), from - 300, 1_300);
    const inside = [1, 2, 3].map((minute) => quarantine(telemetryMessage('gw-00012', 'pump-00012', from + minute * 60_000), from + minute * 60_000));
    // Written at --to exactly, in a folder that is listed: out of the range.
    const atTo = quarantine(telemetryMessage('gw-00013', 'pump-00013', to - 500), to - 500, 500);

    const run = await replay({ fromMs: from, toMs: to, maxObjects: 3 });

    const replayedKeys = run.outcomes.map((outcome) => outcome.key);
    expect(replayedKeys).toEqual([straddling.key, inside[0]?.key, inside[1]?.key]);
    expect(replayedKeys).not.toContain(before.key);
    expect(replayedKeys).not.toContain(atTo.key);
    expect((await newRecords()).map((record) => record.partitionKey)).toEqual(['pump-00011', 'pump-00012', 'pump-00012']);
    expect(run.lines[0]).toContain(': 4 folders of s3://');
    expect(run.lines[0]).toMatch(/4 objects written in the range, the oldest 3 taken \(--max-objects, whole seconds\)$/);
    expect(run.line).toBe(
      `redrive quarantine/iot: 3 objects, 3 replayed, 0 left; 1 more in the range not read (--max-objects 3, whole seconds): replay them with --from ${new Date(from + 180_000).toISOString()}`,
    );
    // Every object of the range was replayed but one was not read: it is still missing from the stream.
    expect(run.exitCode).toBe(1);
  });

  test('objects of the same LastModified second go back in device-time order, whatever their keys; --max-objects never splits a second', async () => {
    // Two messages of one asset arriving 0.5 s apart, written in the same second; the later one's key sorts first.
    const earlier = quarantine(telemetryMessage('gw-00014', 'pump-00014', BASE + 1_000, { seq: 1 }), BASE + 1_100, 150, 'f0000000-0000-4000-8000-000000000000');
    const later = quarantine(telemetryMessage('gw-00014', 'pump-00014', BASE + 1_500, { seq: 2 }), BASE + 1_600, 150, '0a000000-0000-4000-8000-000000000000');
    // Presence events of one client: ordered by their timestamp, not by key.
    const presence = (eventType: string, timestamp: number, uuid: string): Quarantined =>
      quarantine(
        { ruleName: PRESENCE_RULE, topic: `$aws/events/presence/${eventType}/gw-00015`, clientId: 'gw-00015', payload: { clientId: 'gw-00015', timestamp, eventType, versionNumber: 1 } },
        timestamp + 100,
        150,
        uuid,
      );
    const disconnected = presence('disconnected', BASE + 2_100, 'ff000000-0000-4000-8000-000000000000');
    const connected = presence('connected', BASE + 2_600, '00000000-0000-4000-8000-000000000000');
    expect(s3.lastModified(BUCKET, earlier.key)).toBe(s3.lastModified(BUCKET, later.key));
    expect(s3.lastModified(BUCKET, disconnected.key)).toBe(s3.lastModified(BUCKET, connected.key));

    // One object fewer than the range holds, the oldest second has two: none of it is taken half.
    const bounded = await replay({ maxObjects: 1 });
    expect(bounded.outcomes).toEqual([]);
    expect(bounded.line).toBe(
      `redrive quarantine/iot: 0 objects, 0 replayed, 0 left; 4 more in the range not read (--max-objects 1: the oldest second, ${new Date(BASE + 1_000).toISOString()}, holds 2 objects, read together; raise --max-objects to at least 2)`,
    );
    expect(bounded.exitCode).toBe(1);
    expect(await newRecords()).toEqual([]);

    const run = await replay({ maxObjects: 3 });
    expect(run.outcomes.map((outcome) => outcome.key)).toEqual([earlier.key, later.key]);
    expect(run.exitCode).toBe(1);
    expect(((await newRecords()).map((record) => record.data) as Array<{ seq?: number }>).map((data) => data.seq)).toEqual([1, 2]);

    const all = await replay();
    expect(all.outcomes.map((outcome) => outcome.key)).toEqual([earlier.key, later.key, disconnected.key, connected.key]);
    expect(all.exitCode).toBe(0);
    // Kinesis keeps the order per partition key.
    const records = await newRecords();
    const ofKey = (key: string): unknown[] => (records.filter((record) => record.partitionKey === key).map((record) => record.data) as Array<{ seq?: number; eventType?: string }>).map((data) => data.seq ?? data.eventType);
    expect(ofKey('pump-00014')).toEqual([1, 2]);
    expect(ofKey('gw-00015')).toEqual(['disconnected', 'connected']);
  });

  test('a throttled PutRecords entry is retried with backoff until it is put; one throttled past the attempts is left, exit 1', async () => {
    const objects = [1, 2, 3].map((n) => quarantine(telemetryMessage(`gw-0002${n}`, `pump-0002${n}`, BASE + n * 1_000), BASE + n * 1_000));
    throttling.throttleEntries(2);

    const retried = await replay();

    expect(throttling.throttled).toEqual(['pump-00021', 'pump-00022']);
    expect(throttling.putRecordsSizes).toEqual([3, 2]);
    expect(delays).toHaveLength(1);
    expect((await newRecords()).map((record) => record.partitionKey).sort()).toEqual(['pump-00021', 'pump-00022', 'pump-00023']);
    expect(retried.line).toBe('redrive quarantine/iot: 3 objects, 3 replayed, 0 left');

    s3.objects.clear();
    const stuck = quarantine(telemetryMessage('gw-00024', 'pump-00024', BASE + 5_000), BASE + 5_000);
    throttling.throttleEntries(Infinity);
    const exhausted = await replay({}, { maxPutAttempts: 3 });
    expect(exhausted.lines).toContain(
      `object ${stuck.key} | iot_telemetry_dev | gw-00024 | arrived ${new Date(s3.lastModified(BUCKET, stuck.key)).toISOString()} | left: put failed: ProvisionedThroughputExceededException: Rate exceeded for shard shardId-000000000000 in stream. (attempt 3)`,
    );
    expect(exhausted.line).toBe('redrive quarantine/iot: 1 object, 0 replayed, 1 left: 1 put failed');
    expect(exhausted.exitCode).toBe(1);
    expect(await newRecords()).toEqual([]);
    expect(s3.objects.has(`${BUCKET}/${stuck.key}`)).toBe(true);
    expect(objects).toHaveLength(3);
  });

  test('a PutRecords request holds one record per partition key: a throttled record goes before the next of its key; one that fails holds the rest of its key back', async () => {
    const first = quarantine(telemetryMessage('gw-00025', 'pump-00025', BASE + 1_000, { seq: 1 }), BASE + 1_000);
    const second = quarantine(telemetryMessage('gw-00025', 'pump-00025', BASE + 2_000, { seq: 2 }), BASE + 2_000);
    const other = quarantine(telemetryMessage('gw-00026', 'pump-00026', BASE + 3_000, { seq: 3 }), BASE + 3_000);
    throttling.throttleEntries(1);

    const run = await replay();

    expect(throttling.throttled).toEqual(['pump-00025']);
    // pump-00025's first record and pump-00026's, then the first again, then the second.
    expect(throttling.putRecordsSizes).toEqual([2, 1, 1]);
    const records = (await newRecords()).filter((record) => record.partitionKey === 'pump-00025');
    expect((records.map((record) => record.data) as Array<{ seq?: number }>).map((data) => data.seq)).toEqual([1, 2]);
    expect(run.line).toBe('redrive quarantine/iot: 3 objects, 3 replayed, 0 left');
    expect([first, second, other].map((object) => run.lines.some((line) => line.startsWith(`object ${object.key} `) && line.includes('| replayed: ')))).toEqual([true, true, true]);

    s3.objects.clear();
    throttling.putRecordsSizes.length = 0;
    const stuck = quarantine(telemetryMessage('gw-00027', 'pump-00027', BASE + 4_000), BASE + 4_000);
    const behind = quarantine(telemetryMessage('gw-00027', 'pump-00027', BASE + 5_000), BASE + 5_000);
    throttling.throttleEntries(Infinity);
    const held = await replay({}, { maxPutAttempts: 2 });
    expect(throttling.putRecordsSizes).toEqual([1, 1]);
    const failure = 'ProvisionedThroughputExceededException: Rate exceeded for shard shardId-000000000000 in stream. (attempt 2)';
    expect(held.lines.find((line) => line.startsWith(`object ${stuck.key} `))).toMatch(new RegExp(`\\| left: put failed: ${escapeRegExp(failure)}$`));
    expect(held.lines.find((line) => line.startsWith(`object ${behind.key} `))).toMatch(
      new RegExp(`\\| left: put failed: ${escapeRegExp(`not put after an earlier record of partition key pump-00027 (its put failed: ${failure})`)}$`),
    );
    expect(held.line).toBe('redrive quarantine/iot: 2 objects, 0 replayed, 2 left: 2 put failed');
    expect(held.exitCode).toBe(1);
    expect(await newRecords()).toEqual([]);
  });

  test('requests stay within Kinesis limits: 500 records, and 5 MiB with the partition keys', async () => {
    const many = Array.from({ length: 501 }, (_, n) => quarantine(telemetryMessage('gw-00030', `pump-${String(n).padStart(5, '0')}`, BASE + n), BASE + n));
    const byCount = await replay();
    expect(byCount.line).toBe('redrive quarantine/iot: 501 objects, 501 replayed, 0 left');
    expect(throttling.putRecordsSizes).toEqual([500, 1]);
    expect(await newRecords()).toHaveLength(many.length);

    s3.objects.clear();
    throttling.putRecordsSizes.length = 0;
    // 45 messages near IoT Core's 128 KB: 5.6 MB in all, so two requests.
    const large = Array.from({ length: 45 }, (_, n) => quarantine(telemetryMessage('gw-00031', `motor-${String(n).padStart(5, '0')}`, BASE + n, { note: 'x'.repeat(125_000) }), BASE + n));
    const bySize = await replay();
    expect(bySize.line).toBe('redrive quarantine/iot: 45 objects, 45 replayed, 0 left');
    expect(throttling.putRecordsSizes).toEqual([41, 4]);
    expect(await newRecords()).toHaveLength(large.length);
  });

  test('--dry-run reads and reports what it would put, puts nothing, and exits 0', async () => {
    const object = quarantine(telemetryMessage('gw-00040', 'pump-00040', BASE + 1_000), BASE + 1_000);
    const run = await replay({ dryRun: true });
    expect(run.lines[1]).toMatch(new RegExp(`^object ${object.key} \\| iot_telemetry_dev \\| gw-00040 \\| .* \\| dry run: would put \\d+ bytes, partition key pump-00040$`));
    expect(run.line).toBe('redrive quarantine/iot: 1 object, 0 replayed, 1 left: 1 dry run');
    expect(run.exitCode).toBe(0);
    expect(throttling.putRecordsSizes).toEqual([]);
    expect(await newRecords()).toEqual([]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** JSON.parse's message for the payload, as the rule engine reports it. */
function notJsonDetail(payload: Buffer): string {
  try {
    JSON.parse(payload.toString('utf8'));
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('redrive --quarantine iot: command line and setup', () => {
  const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
  const error = (args: string[]): string => {
    try {
      parseRedriveArgs(args, NOW);
      return 'no error';
    } catch (e) {
      return (e as Error).message;
    }
  };
  const usage = 'usage: redrive --env <env> --quarantine iot [--from <ISO|epoch ms|-6h>] [--to <ISO|epoch ms|-6h|now>] [--dry-run] [--max-objects N]';

  test('flags: defaults, relative and absolute times, and exact one-line errors', () => {
    expect(parseRedriveArgs(['--env', 'prod', '--quarantine', 'iot'], NOW)).toEqual({
      environment: 'prod',
      quarantine: 'iot',
      dryRun: false,
      fromMs: NOW - 24 * HOUR,
      toMs: NOW,
      maxObjects: 5_000,
    });
    expect(parseRedriveArgs(['--env=dev', '--quarantine=iot', '--from', '-6h', '--to', '2026-12-03T11:00:00Z', '--dry-run', '--max-objects', '20'], NOW)).toEqual({
      environment: 'dev',
      quarantine: 'iot',
      dryRun: true,
      fromMs: NOW - 6 * HOUR,
      toMs: NOW - HOUR,
      maxObjects: 20,
    });
    expect(parseRedriveArgs(['--env', 'dev', '--quarantine', 'iot', '--from', String(NOW - HOUR), '--to=-30m'], NOW)).toMatchObject({ fromMs: NOW - HOUR, toMs: NOW - 30 * 60_000 });
    expect(error(['--env', 'dev', '--quarantine', 's3'])).toBe('--quarantine must be iot (the IoT rules\' error actions under quarantine/iot/), got "s3"');
    expect(error(['--env', 'dev', '--quarantine'])).toBe(`--quarantine needs a value; ${usage}`);
    expect(error(['--quarantine', 'iot'])).toBe(`missing --env; ${usage}`);
    expect(error(['--env', 'dev', '--quarantine', 'iot', '--from', 'yesterday'])).toBe(
      '--from must be ISO 8601 with a zone (2026-01-01T00:00:00Z), epoch ms, now, or -<n><s|m|h|d> (-6h), got "yesterday"',
    );
    expect(error(['--env', 'dev', '--quarantine', 'iot', '--to', '2026-12-03T11:00'])).toBe(
      '--to must be ISO 8601 with a zone (2026-01-01T00:00:00Z), epoch ms, now, or -<n><s|m|h|d> (-6h), got "2026-12-03T11:00"',
    );
    expect(error(['--env', 'dev', '--quarantine', 'iot', '--from', '-1h', '--to', '-2h'])).toBe(
      '--from must be before --to, got --from "-1h" (2026-12-03T11:00:00.000Z) and --to "-2h" (2026-12-03T10:00:00.000Z)',
    );
    expect(error(['--env', 'dev', '--quarantine', 'iot', '--from', '-8d'])).toBe(
      '--from must be within the last 7 days (the functions reject readings more than 7 days older than their arrival in the stream), got "-8d" (2026-11-25T12:00:00.000Z)',
    );
    // A refusal names the flags the operator typed, and a default as the default.
    expect(error(['--env', 'dev', '--quarantine', 'iot', '--to', '-8d'])).toBe(
      '--to must be within the last 7 days (the functions reject readings more than 7 days older than their arrival in the stream), got "-8d" (2026-11-25T12:00:00.000Z)',
    );
    expect(error(['--env', 'dev', '--quarantine', 'iot', '--to', '-30h'])).toBe(
      '--to must be after the default --from of -24h (2026-12-02T12:00:00.000Z), got "-30h" (2026-12-02T06:00:00.000Z); give an earlier --from',
    );
    expect(error(['--env', 'dev', '--quarantine', 'iot', '--from', '2026-12-04T00:00:00Z'])).toBe(
      '--from must be before the default --to of now (2026-12-03T12:00:00.000Z), got "2026-12-04T00:00:00Z" (2026-12-04T00:00:00.000Z)',
    );
    expect(error(['--env', 'dev', '--quarantine', 'iot', '--max-objects', '0'])).toBe('--max-objects must be a whole number from 1 to 100000, got "0"');
    expect(error(['--env', 'dev', '--quarantine', 'iot', '--max-objects=1e3'])).toBe('--max-objects must be a whole number from 1 to 100000, got "1e3"');
    expect(error(['--env', 'dev', '--quarantine', 'iot', '--max-messages', '5'])).toBe(`--max-messages is a flag of the dead-letter redrive, not of --quarantine; ${usage}`);
    expect(error(['--env', 'dev', '--quarantine', 'iot', '--function', 'storer'])).toBe(`--function is a flag of the dead-letter redrive, not of --quarantine; ${usage}`);
    expect(error(['--env', 'dev', '--from', '-6h'])).toBe('--from needs --quarantine iot or --shard <shardId> (redrive --help shows both)');
    expect(error(['--env', 'dev', '--max-objects', '5'])).toBe(`--max-objects needs --quarantine iot; ${usage}`);
    expect(error(['--env', 'dev', '--quarantine', 'iot', 'extra'])).toBe(`unknown argument "extra"; ${usage}`);
  });

  test('the CLI exits 2 with one line for a wrong flag value, before any AWS call', () => {
    const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(__dirname, '..', '..', 'scripts', 'redrive.ts'), '--env', 'dev', '--quarantine', 'iot', '--max-objects', 'all'], {
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('redrive: --max-objects must be a whole number from 1 to 100000, got "all"\n');
    expect(result.stdout).toBe('');
    expect(result.status).toBe(2);
  });

  test('the rules come from the rendered manifests; none there is a setup error naming the folder', () => {
    expect(replayTargets.rules.map((rule) => [rule.rule.name, rule.partitionKeyTemplate, rule.folderTemplate])).toEqual([
      [TELEMETRY_RULE, '${assetId}', 'quarantine/iot/${parse_time("yyyy/MM/dd/HH", timestamp())}/'],
      [PRESENCE_RULE, '${clientId}', 'quarantine/iot/presence/${parse_time("yyyy/MM/dd/HH", timestamp())}/'],
    ]);
    expect(() => iotReplayTargets(targets, '/no/such/manifests/dev')).toThrow(
      new Error('--env dev: no rendered manifests in /no/such/manifests/dev; rendered environments: none (npm run synth renders config/<env>.yaml)'),
    );
  });
});

describe('the AWS calls of the replay under the rendered redrive policy', () => {
  test('were all allowed, and each is a required call of the policy proof', () => {
    expect(enforcer.errors).toEqual([]);
    expect(enforcer.deniedCalls()).toEqual([]);
    expect(enforcer.uncataloguedCalls()).toEqual([]);
    expect([...new Set(enforcer.calls.map((call) => call.action))].sort()).toEqual(['kinesis:PutRecords', 's3:GetObject', 's3:ListBucket']);
  });
});
