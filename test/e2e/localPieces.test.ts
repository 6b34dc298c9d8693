import { X509Certificate } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createZip } from '../../charts/lib/createZip';
import { buildFleetPlan } from '../../scripts/lib/fleet/buildFleetPlan';
import { makeCertificates } from '../../scripts/lib/fleet/makeCertificates';
import { parseFault } from '../../scripts/lib/fleet/parseFault';
import { readFleetTopics } from '../../scripts/lib/fleet/readFleetTopics';
import { SignalGenerator } from '../../scripts/lib/fleet/SignalGenerator';
import { tableGroups } from '../../scripts/lib/local/tableGroups';
import { IotPolicyEvaluator } from '../../scripts/lib/local/IotPolicyEvaluator';
import { readManifests } from '../../scripts/lib/local/readManifests';
import { renderProcessorFanOut } from '../../scripts/lib/local/renderProcessorFanOut';
import { registeredConsumerArn } from '../../scripts/lib/local/registeredConsumerArn';
import { kinesisSource } from '../../scripts/lib/local/kinesisSource';
import { mappingSource } from '../../scripts/lib/local/mappingSource';
import { alertCounts } from '../../scripts/lib/local/alertCounts';
import type { PublishedMessage } from '../../scripts/lib/local/FakeAwsServer';
import type { FunctionSpec, LocalManifests, MappingSpec, PolicyStatement } from '../../scripts/lib/local/LocalManifests';
import { renderedDetectorSettings } from '../../scripts/lib/local/renderedDetectorSettings';
import { AssetDetector, DETECTOR_SETTING_NAMES, DetectorSettingsError, type DetectorSettings } from '../../functions/shared/detector';
import { TopicRule, topicMatches } from '../../scripts/lib/local/TopicRule';
import { unzipSingleEntry } from '../../scripts/lib/local/unzipSingleEntry';
import { parseLoadtestArgs } from '../../scripts/lib/local/parseLoadtestArgs';
import { parseLocalArgs } from '../../scripts/lib/local/parseLocalArgs';
import { BACKGROUND_NICE, LOWER_OWN_PRIORITY_SOURCE } from '../../scripts/lib/local/threadPriority';
import { Worker } from 'node:worker_threads';
import { certificateThingName } from '../../scripts/lib/local/certificateThingName';
import { publishLatencies } from '../../scripts/lib/local/publishLatencies';
import { LocalPipeline, type RecordDelivery } from '../../scripts/lib/local/LocalPipeline';
import { refuseUnrunnableMappings } from '../../scripts/lib/local/refuseUnrunnableMappings';
import { slowestStages } from '../../scripts/lib/local/slowestStages';
import { recordKey } from '../../scripts/lib/local/recordKey';
import { ReservedShardReads } from '../../scripts/lib/local/ReservedShardReads';
import { ShardReadLimiter } from '../../scripts/lib/local/ShardReadLimiter';
import type { AckedMessage } from '../../scripts/lib/fleet/types';

const REPOSITORY = resolve(__dirname, '../..');
const manifests = readManifests(join(REPOSITORY, 'manifests', 'dev'), 'dev');
const ruleNamed = (pattern: RegExp): TopicRule => new TopicRule(manifests.topicRules.find((r) => pattern.test(r.name)) ?? manifests.topicRules[0]!);

describe('the local pipeline reads the rendered dev manifests', () => {
  it('finds what it emulates and lists the rest as not emulated', () => {
    expect(manifests.devicePolicy?.name).toBe('iot-device-dev');
    expect(manifests.topicRules.map((r) => r.name).sort()).toEqual(['iot_presence_dev', 'iot_telemetry_dev']);
    expect(manifests.streams).toEqual([{ name: 'kinesis-telemetry-dev', shardCount: 1 }]);
    expect(manifests.mappings.map((m) => [m.functionObjectName, m.batchSize, m.batchingWindowSeconds, m.reportBatchItemFailures, m.bisectOnError])).toEqual(
      expect.arrayContaining([
        ['lambda-processor-dev', 250, 0, true, true],
        ['lambda-storer-dev', 10000, 60, true, true],
      ]),
    );
    expect(manifests.ignored).toEqual(expect.arrayContaining([expect.stringMatching(/^MetricAlarm /), expect.stringMatching(/^DeliveryStream /)]));
    // Firehose is not emulated, but it reads the stream: its reads count against each shard's limit.
    expect(manifests.archiveSources).toEqual(['kinesis-telemetry-dev']);
  });

  it('unzips each function package to an index.js that exports handler', () => {
    for (const fn of manifests.functions) {
      const code = unzipSingleEntry(fn.zip, 'index.js').toString('utf8');
      expect(code).toMatch(/handler/);
    }
    const zip = createZip([{ name: 'index.js', data: Buffer.from('exports.handler = 1;') }]);
    expect(unzipSingleEntry(zip, 'index.js').toString('utf8')).toBe('exports.handler = 1;');
    expect(() => unzipSingleEntry(zip, 'other.js')).toThrow('zip: no entry other.js in the package');
  });

  it('derives the Basic Ingest topic, plant and lines the simulator publishes to', () => {
    expect(readFleetTopics(manifests)).toEqual({ ruleName: 'iot_telemetry_dev', plantId: 'sp01', lines: ['line-a', 'line-b'], devicePolicy: 'iot-device-dev' });
  });
});

describe('IoT device policy evaluation', () => {
  const policy = new IotPolicyEvaluator(manifests.devicePolicy!.document);
  const arn = 'arn:aws:iot:sa-east-1:111122223333:';
  const thing = { clientId: 'gw-00001', thingName: 'gw-00001' };

  it('lets a thing connect with its own name as client id, and only when its certificate is attached', () => {
    expect(policy.authorize('iot:Connect', `${arn}client/gw-00001`, thing)).toEqual({ allowed: true });
    expect(policy.authorize('iot:Connect', `${arn}client/gw-00002`, { clientId: 'gw-00002', thingName: 'gw-00001' }).allowed).toBe(false);
    expect(policy.authorize('iot:Connect', `${arn}client/gw-00001`, { clientId: 'gw-00001', thingName: undefined }).allowed).toBe(false);
  });

  it('lets it publish only its own telemetry on a configured line, through Basic Ingest', () => {
    const own = `${arn}topic/$aws/rules/iot_telemetry_dev/dt/sp01/line-a/gw-00001/telemetry`;
    expect(policy.authorize('iot:Publish', own, thing)).toEqual({ allowed: true });
    expect(policy.authorize('iot:Publish', own.replace('gw-00001/', 'gw-00002/'), thing).allowed).toBe(false);
    expect(policy.authorize('iot:Publish', own.replace('line-a', 'line-z'), thing).allowed).toBe(false);
    expect(policy.authorize('iot:Publish', `${arn}topic/dt/sp01/line-a/gw-00001/telemetry`, thing).allowed).toBe(false);
    expect(policy.authorize('iot:Subscribe', `${arn}topicfilter/#`, thing)).toEqual({ allowed: false, reason: expect.stringContaining('no statement allows') });
  });

  it('applies a Deny whose condition key or operator it does not model, unless a condition it models fails', () => {
    const everyTopic = { Effect: 'Allow', Action: 'iot:Publish', Resource: `${arn}topic/*` } as const;
    const withDeny = (condition: NonNullable<PolicyStatement['Condition']>): IotPolicyEvaluator =>
      new IotPolicyEvaluator({ Statement: [everyTopic, { Sid: 'NoGateways', Effect: 'Deny', Action: 'iot:Publish', Resource: `${arn}topic/*`, Condition: condition }] });
    const topic = `${arn}topic/dt/sp01/line-a/gw-00001/telemetry`;
    expect(withDeny({ StringEquals: { 'iot:Connection.Thing.ThingTypeName': 'gateway' } }).authorize('iot:Publish', topic, thing)).toEqual({
      allowed: false,
      reason: 'explicitly denied by statement NoGateways: its condition StringEquals on iot:Connection.Thing.ThingTypeName is not modelled locally, so the Deny applies (fail closed)',
    });
    expect(withDeny({ DateGreaterThan: { 'aws:CurrentTime': '2000-01-01T00:00:00Z' } }).authorize('iot:Publish', topic, thing)).toEqual({
      allowed: false,
      reason: 'explicitly denied by statement NoGateways: its condition DateGreaterThan on aws:CurrentTime is not modelled locally, so the Deny applies (fail closed)',
    });
    // Conditions are ANDed: one that is judged false keeps the Deny from matching, whatever the other would say.
    expect(withDeny({ DateGreaterThan: { 'aws:CurrentTime': '2000-01-01T00:00:00Z' }, StringEquals: { 'iot:ClientId': 'gw-00002' } }).authorize('iot:Publish', topic, thing)).toEqual({ allowed: true });
  });

  it('holds a negated condition on a key the connection lacks, as IAM does: a Deny of unattached certificates applies', () => {
    const everyTopic = { Effect: 'Allow', Action: 'iot:Publish', Resource: `${arn}topic/*` } as const;
    const policy = new IotPolicyEvaluator({
      Statement: [everyTopic, { Sid: 'OnlyOwnThing', Effect: 'Deny', Action: 'iot:Publish', Resource: `${arn}topic/*`, Condition: { StringNotEquals: { 'iot:Connection.Thing.ThingName': 'gw-00001' } } }],
    });
    const topic = `${arn}topic/dt/sp01/line-a/gw-00001/telemetry`;
    expect(policy.authorize('iot:Publish', topic, thing)).toEqual({ allowed: true });
    // No thing attached: the key is absent, StringNotEquals holds, the Deny applies (before, it was skipped).
    expect(policy.authorize('iot:Publish', topic, { clientId: 'gw-00001', thingName: undefined })).toMatchObject({ allowed: false });
    // A positive operator on an absent key does not hold.
    const allowOwn = new IotPolicyEvaluator({ Statement: [{ Effect: 'Allow', Action: 'iot:Publish', Resource: `${arn}topic/*`, Condition: { StringEquals: { 'iot:Connection.Thing.ThingName': 'gw-00001' } } }] });
    expect(allowOwn.authorize('iot:Publish', topic, { clientId: 'gw-00001', thingName: undefined })).toMatchObject({ allowed: false });
  });

  it('lets no Allow through on a condition key or operator it does not model', () => {
    const allowOnly = (condition: NonNullable<PolicyStatement['Condition']>): IotPolicyEvaluator =>
      new IotPolicyEvaluator({ Statement: [{ Effect: 'Allow', Action: 'iot:Publish', Resource: `${arn}topic/*`, Condition: condition }] });
    const topic = `${arn}topic/dt/sp01/line-a/gw-00001/telemetry`;
    const refused = { allowed: false, reason: `no statement allows iot:Publish on ${topic}` };
    expect(allowOnly({ StringEquals: { 'iot:Connection.Thing.ThingTypeName': 'gateway' } }).authorize('iot:Publish', topic, thing)).toEqual(refused);
    expect(allowOnly({ DateGreaterThan: { 'aws:CurrentTime': '2000-01-01T00:00:00Z' } }).authorize('iot:Publish', topic, thing)).toEqual(refused);
    expect(allowOnly({ StringEquals: { 'iot:ClientId': 'gw-00001' } }).authorize('iot:Publish', topic, thing)).toEqual({ allowed: true });
  });
});

describe('the broker reads the thing name from the device certificate', () => {
  it('takes the subject CN, and nothing from a socket the device already closed', () => {
    expect(certificateThingName({ getPeerCertificate: () => ({ subject: { CN: 'gw-00001' } }) })).toBe('gw-00001');
    expect(certificateThingName({ getPeerCertificate: () => ({ subject: { CN: ['gw-00002', 'other'] } }) })).toBe('gw-00002');
    // Node returns null for a destroyed TLS socket: a device that closed while its CONNECT was handled.
    expect(certificateThingName({ getPeerCertificate: () => null })).toBeUndefined();
    expect(certificateThingName({})).toBeUndefined();
  });
});

describe('the rendered topic rules', () => {
  const telemetry = ruleNamed(/telemetry/);
  const presence = ruleNamed(/presence/);
  const context = { topic: 'dt/sp01/line-a/gw-00001/telemetry', clientId: 'gw-00001', timestamp: 1_764_441_600_000 };

  it('enrich a message with topic levels, client id and receive time, partitioned by asset', () => {
    const payload = { schemaVersion: 1, assetId: 'pump-07', readings: [] };
    const outcome = telemetry.evaluate(Buffer.from(JSON.stringify(payload)), context);
    expect(outcome).toEqual({
      kind: 'result',
      result: { schemaVersion: 1, assetId: 'pump-07', readings: [], plantId: 'sp01', lineId: 'line-a', thingName: 'gw-00001', clientId: 'gw-00001', receivedAt: 1_764_441_600_000 },
      payload,
    });
    if (outcome.kind !== 'result') throw new Error('no result');
    expect(telemetry.substitute(telemetry.spec.kinesis!.partitionKey, outcome.payload, context)).toBe('pump-07');
    expect(telemetry.substitute(telemetry.spec.errorS3!.key, outcome.payload, context)).toMatch(/^quarantine\/iot\/2025\/11\/29\/18\/[0-9a-f-]{36}\.json$/);
  });

  it('evaluate substitution templates against the published payload, not the AS names of the SQL, as AWS does', () => {
    const outcome = telemetry.evaluate(Buffer.from(JSON.stringify({ schemaVersion: 1, assetId: 'pump-07', readings: [] })), context);
    if (outcome.kind !== 'result') throw new Error('no result');
    // thingName is an AS name of the SQL: a template naming it finds nothing in the payload (an empty partition key).
    expect(telemetry.substitute('${thingName}', outcome.payload, context)).toBe('');
    expect(telemetry.substitute('${assetId}/${topic(4)}', outcome.payload, context)).toBe('pump-07/gw-00001');
  });

  it('drop a payload that is not JSON as a ParseError (no action, no error action), like IoT Core', () => {
    expect(telemetry.evaluate(Buffer.from([0xde, 0xad, 0xbe, 0xef]), context).kind).toBe('parse-error');
    expect(telemetry.evaluate(Buffer.from('{}'), { ...context, topic: 'dt/other-plant/line-a/gw-00001/telemetry' }).kind).toBe('no-match');
  });

  it('take lifecycle events as the presence rule renders them', () => {
    const event = { clientId: 'gw-00001', timestamp: 1, eventType: 'disconnected', disconnectReason: 'CONNECTION_LOST' };
    const outcome = presence.evaluate(Buffer.from(JSON.stringify(event)), { ...context, topic: '$aws/events/presence/disconnected/gw-00001' });
    expect(outcome).toEqual({ kind: 'result', result: { ...event, recordType: 'presence', thingName: 'gw-00001', receivedAt: context.timestamp }, payload: event });
  });

  it('refuse SQL the local engine cannot run, naming the rule', () => {
    expect(() => new TopicRule({ ...telemetry.spec, name: 'r1', sql: "SELECT * FROM 'a/#' WHERE x > 1" })).toThrow('rule r1: the local rule engine does not support "WHERE x > 1" after FROM');
    expect(() => new TopicRule({ ...telemetry.spec, name: 'r2', sql: "SELECT upper(x) AS y FROM 'a/#'" })).toThrow('rule r2: the local rule engine does not support the expression "upper(x)"');
  });

  it('match MQTT filters with + and #', () => {
    expect(topicMatches('dt/sp01/+/+/telemetry', 'dt/sp01/line-a/gw-1/telemetry')).toBe(true);
    expect(topicMatches('dt/sp01/+/+/telemetry', 'dt/sp01/line-a/gw-1/status')).toBe(false);
    expect(topicMatches('$aws/events/presence/#', '$aws/events/presence/connected/gw-1')).toBe(true);
  });
});

describe('event source mappings the local pipeline cannot run', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'mapping-refused-'));
  });
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  /** A copy of manifests/dev whose storer mapping `edit` changed, read as the pipeline reads it, and the file edited. */
  function devWithStorerMapping(edit: (spec: Record<string, unknown>) => void): { manifests: LocalManifests; file: string } {
    const directory = join(mkdtempSync(join(scratch, 'copy-')), 'dev');
    cpSync(join(REPOSITORY, 'manifests', 'dev'), directory, { recursive: true });
    const file = join(directory, 'processing.k8s.yaml');
    const objects = parseAllDocuments(readFileSync(file, 'utf8')).map((document) => document.toJS({ maxAliasCount: -1 }) as { kind?: string; metadata?: { name?: string }; spec: Record<string, unknown> });
    for (const object of objects) if (object.kind === 'EventSourceMapping' && object.metadata?.name === 'esm-storer-dev') edit(object.spec);
    writeFileSync(file, objects.map((object) => stringify(object)).join('---\n'));
    return { manifests: readManifests(directory, 'dev'), file };
  }

  /** Starts a pipeline of `manifests`: a refusal comes before any emulator or thread starts. */
  const start = (manifests: LocalManifests): Promise<void> =>
    new LocalPipeline({ manifests, repositoryRoot: REPOSITORY, certsDirectory: join(scratch, 'certs'), logDirectory: join(scratch, 'logs'), port: 0 }).start();

  it('lets the rendered dev and prod mappings start: a destination each, parallelization factor 1, no tumbling window, no filter', () => {
    const prod = readManifests(join(REPOSITORY, 'manifests', 'prod'), 'prod');
    for (const rendered of [manifests, prod]) {
      expect(() => refuseUnrunnableMappings(rendered)).not.toThrow();
      expect(rendered.mappings).toHaveLength(2);
      for (const mapping of rendered.mappings) {
        expect(mapping).toMatchObject({ file: 'processing.k8s.yaml', parallelizationFactor: 1, tumblingWindowSeconds: 0, filterCriteria: undefined, onFailureDestination: expect.stringMatching(/^arn:aws:sqs:/) });
      }
    }
  });

  it('refuses to start a mapping without an on-failure destination, naming its file, object and the missing field', async () => {
    const { manifests: stripped, file } = devWithStorerMapping((spec) => {
      delete spec.destinationConfig;
    });
    await expect(start(stripped)).rejects.toThrow(
      `mapping esm-storer-dev (${file}): spec.destinationConfig.onFailure.destination is missing; a deploy fails without it (ACK sends an empty destination, which AWS rejects), and the records the mapping gives up on would be lost`,
    );
  });

  it('refuses to start a parallelization factor other than 1, a tumbling window or filter criteria, naming the mapping, field and value', async () => {
    const parallel = devWithStorerMapping((spec) => {
      spec.parallelizationFactor = 2;
    });
    await expect(start(parallel.manifests)).rejects.toThrow(
      `mapping esm-storer-dev (${parallel.file}): spec.parallelizationFactor 2 cannot run locally (it reads each shard with one poller, one batch at a time); the local pipeline runs only what it can model`,
    );
    const tumbling = devWithStorerMapping((spec) => {
      spec.tumblingWindowInSeconds = 30;
    });
    await expect(start(tumbling.manifests)).rejects.toThrow(
      `mapping esm-storer-dev (${tumbling.file}): spec.tumblingWindowInSeconds 30 cannot run locally (it keeps no window state between invocations); the local pipeline runs only what it can model`,
    );
    const criteria = { filters: [{ pattern: '{"partitionKey":["pump-00001"]}' }] };
    const filtered = devWithStorerMapping((spec) => {
      spec.filterCriteria = criteria;
    });
    await expect(start(filtered.manifests)).rejects.toThrow(
      `mapping esm-storer-dev (${filtered.file}): spec.filterCriteria ${JSON.stringify(criteria)} cannot run locally (it does not filter records); the local pipeline runs only what it can model`,
    );
    // An empty list of filters filters nothing.
    const unfiltered = devWithStorerMapping((spec) => {
      spec.filterCriteria = { filters: [] };
    });
    expect(() => refuseUnrunnableMappings(unfiltered.manifests)).not.toThrow();
  });
});

describe('DynamoDB tables of the local pipeline', () => {
  it('go one dynalite per group: the tables one running function names together, the rest with the first', () => {
    const tables = manifests.tables.map((t) => t.tableName);
    const running = new Set(manifests.mappings.filter((m) => m.enabled).map((m) => m.functionObjectName));
    const named = manifests.functions.filter((f) => running.has(f.objectName)).map((f) => Object.entries(f.variables).filter(([k]) => k.endsWith('_TABLE')).map(([, v]) => v));
    expect(tableGroups(tables, named).map((g) => [...g].sort())).toEqual([['dynamodb-asset-status-dev', 'dynamodb-detector-state-dev'], ['dynamodb-readings-dev']]);
    // A function naming tables of two groups merges them; a table nobody names joins the first group.
    expect(tableGroups(['a', 'b', 'c', 'd'], [['a'], ['b'], ['a', 'b']])).toEqual([['a', 'b', 'c', 'd']]);
    expect(tableGroups(['a', 'b'], [])).toEqual([['a', 'b']]);
  });
});

describe('the fleet', () => {
  it('makes EC P-256 device certificates a TLS stack accepts, CN = thing name', () => {
    const folder = mkdtempSync(join(tmpdir(), 'certs-'));
    try {
      expect(makeCertificates(folder, ['gw-00001', 'gw-00002']).created).toBe(2);
      const ca = new X509Certificate(readFileSync(join(folder, 'ca.pem')));
      const device = new X509Certificate(readFileSync(join(folder, 'gw-00001.pem')));
      expect(device.subject).toContain('CN=gw-00001');
      expect(device.verify(ca.publicKey)).toBe(true);
      expect(device.checkIssued(ca)).toBe(true);
      expect(device.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
      expect(new X509Certificate(readFileSync(join(folder, 'server.pem'))).checkIP('127.0.0.1')).toBe('127.0.0.1');
      // A second run keeps what exists.
      expect(makeCertificates(folder, ['gw-00001', 'gw-00003']).created).toBe(1);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('parses faults and refuses bad ones with one line naming the flag value', () => {
    expect(parseFault('pump-00003:step:pressure:5@20', 0)).toEqual({ assetId: 'pump-00003', kind: 'step', metric: 'pressure', size: 5, atSeconds: 20 });
    expect(parseFault('motor-00002:garbage', 7)).toEqual({ assetId: 'motor-00002', kind: 'garbage', metric: undefined, size: 0, atSeconds: 7 });
    expect(() => parseFault('pump-00003:melt', 0)).toThrow('--fault pump-00003:melt: kind "melt" is not one of step, drift, spike, stuck, bad, garbage, oversized, skew');
    expect(() => buildFleetPlan(2, ['line-a'], [parseFault('pump-00009:spike', 0)], 1, 'gw')).toThrow('--fault pump-00009: no such asset in a fleet of 2');
  });

  it('send every device\'s first message before the run unless told the run is the go-live', () => {
    expect(parseLoadtestArgs(['--devices', '10', '--seconds', '5'])).toMatchObject({ goLive: false });
    expect(parseLoadtestArgs(['--devices', '10', '--seconds', '5', '--go-live'])).toMatchObject({ goLive: true });
  });

  it("screen the fleet with the rendered detector settings, leaving out operators' requests for the plant's assets", () => {
    const dev = readManifests(join(REPOSITORY, 'manifests', 'dev'), 'dev');
    expect(renderedDetectorSettings(dev)).toMatchObject({ warmupSamples: 400, cooldownSeconds: 900 });
    const processor = dev.functions.find((fn) => fn.variables.DETECTOR_CONFIG !== undefined) as FunctionSpec;
    const requests = { acknowledge: { 'pump-07': '2026-12-02T14:00:00Z' }, relearn: { 'pump-09': '2026-12-03T06:00:00Z' } };
    const rendered = { ...(JSON.parse(processor.variables.DETECTOR_CONFIG as string) as object), ...requests };
    const settings = renderedDetectorSettings({ functions: [{ ...processor, variables: { ...processor.variables, DETECTOR_CONFIG: JSON.stringify(rendered) } }] });
    expect(settings).toEqual(renderedDetectorSettings(dev));
    // The detector's constructor takes them as they are (it refuses the processor's per-asset requests).
    expect(() => new AssetDetector(settings)).not.toThrow();
    expect(() => new AssetDetector(rendered as DetectorSettings)).toThrow(new DetectorSettingsError('acknowledge', requests.acknowledge, { known: DETECTOR_SETTING_NAMES }));
  });

  it('read the processor\'s shards as rendered unless told to render the move to its enhanced fan-out consumer', () => {
    expect(parseLoadtestArgs(['--devices', '10', '--seconds', '5'])).toMatchObject({ fanOut: false });
    expect(parseLoadtestArgs(['--devices', '10', '--seconds', '5', '--fan-out'])).toMatchObject({ fanOut: true });
    const prod = readManifests(join(REPOSITORY, 'manifests', 'prod'), 'prod');
    const stage = mkdtempSync(join(tmpdir(), 'fan-out-'));
    try {
      const registeredAt = Date.UTC(2026, 11, 1, 9);
      const moved = readManifests(renderProcessorFanOut('prod', registeredAt, stage), 'prod');
      const consumerArn = 'arn:aws:kinesis:sa-east-1:444455556666:stream/kinesis-telemetry-prod/consumer/kinesis-processor-prod:1796115600';
      expect(registeredConsumerArn('prod', registeredAt)).toBe(consumerArn);
      const processorMapping = (m: LocalManifests): MappingSpec | undefined => m.mappings.find((mapping) => mapping.functionObjectName === 'lambda-processor-prod');
      expect(processorMapping(prod)).toMatchObject({ objectName: 'esm-processor-prod', eventSourceArn: 'arn:aws:kinesis:sa-east-1:444455556666:stream/kinesis-telemetry-prod', startingPosition: 'TRIM_HORIZON' });
      // A new mapping (AWS cannot move one to another source) through the registered consumer, from the time of the change.
      expect(processorMapping(moved)).toMatchObject({ objectName: 'esm-processor-fanout-prod', eventSourceArn: consumerArn, startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: registeredAt });
      expect(moved.consumers).toEqual([{ name: 'kinesis-processor-prod', streamName: 'kinesis-telemetry-prod' }]);
      expect(mappingSource(moved, processorMapping(moved) as MappingSpec).consumer).toBe('kinesis-processor-prod');
      // The storer's mapping is as rendered; the stream needs 2 fewer shards once only two readers share each shard's reads.
      const storerMapping = (m: LocalManifests): MappingSpec | undefined => m.mappings.find((mapping) => mapping.functionObjectName === 'lambda-storer-prod');
      expect(storerMapping(moved)).toEqual(storerMapping(prod));
      expect(prod.streams).toEqual([{ name: 'kinesis-telemetry-prod', shardCount: 5 }]);
      expect(moved.streams).toEqual([{ name: 'kinesis-telemetry-prod', shardCount: 3 }]);
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
  });

  it('refuse a mapping through a consumer no StreamConsumer registers on its stream, as AWS refuses to create it', () => {
    const mapping = { objectName: 'esm-processor-fanout-prod', eventSourceArn: 'arn:aws:kinesis:sa-east-1:444455556666:stream/kinesis-telemetry-prod/consumer/kinesis-processor-prod:1796115600' };
    const refused = new Error('esm-processor-fanout-prod: reads through consumer kinesis-processor-prod of stream kinesis-telemetry-prod, which no StreamConsumer in manifests/prod registers');
    expect(() => mappingSource({ directory: 'manifests/prod', consumers: [] }, mapping)).toThrow(refused);
    expect(() => mappingSource({ directory: 'manifests/prod', consumers: [{ name: 'kinesis-processor-prod', streamName: 'kinesis-telemetry-dev' }] }, mapping)).toThrow(refused);
    expect(mappingSource({ directory: 'manifests/prod', consumers: [{ name: 'kinesis-processor-prod', streamName: 'kinesis-telemetry-prod' }] }, mapping).streamName).toBe('kinesis-telemetry-prod');
  });

  it('tell a stream consumer\'s ARN from its stream\'s, as a mapping names either', () => {
    expect(kinesisSource('arn:aws:kinesis:sa-east-1:444455556666:stream/kinesis-telemetry-prod/consumer/kinesis-processor-prod:1796115600')).toEqual({
      streamArn: 'arn:aws:kinesis:sa-east-1:444455556666:stream/kinesis-telemetry-prod',
      streamName: 'kinesis-telemetry-prod',
      consumer: 'kinesis-processor-prod',
    });
    expect(kinesisSource('arn:aws:kinesis:sa-east-1:444455556666:stream/kinesis-telemetry-dev')).toEqual({
      streamArn: 'arn:aws:kinesis:sa-east-1:444455556666:stream/kinesis-telemetry-dev',
      streamName: 'kinesis-telemetry-dev',
      consumer: undefined,
    });
  });

  it('place invocations at random among idle environments unless told to keep a shard on its environment', () => {
    expect(parseLoadtestArgs(['--devices', '10', '--seconds', '5'])).toMatchObject({ placement: 'random' });
    expect(parseLocalArgs(['--placement', 'sticky'])).toMatchObject({ placement: 'sticky' });
    expect(() => parseLoadtestArgs(['--devices', '10', '--seconds', '5', '--placement', 'affine'])).toThrow(new Error('--placement must be one of random, sticky, got "affine"'));
  });

  it('refuse a rate and message size whose samples whole-millisecond timestamps cannot carry before anything starts, as simulate does', () => {
    expect(() => parseLoadtestArgs(['--devices', '10', '--seconds', '5', '--rate', '100', '--readings-per-message', '500'])).toThrow(
      new Error('--rate 100 with --readings-per-message 500: a pump would take 10000 samples a second; timestamps are whole milliseconds, so at most 1000 (lower --rate or --readings-per-message)'),
    );
    expect(parseLoadtestArgs(['--devices', '10', '--seconds', '5', '--rate', '100', '--readings-per-message', '8'])).toMatchObject({ rate: 100, readingsPerMessage: 8 });
  });

  it('take numbers in decimal notation only', () => {
    expect(parseLoadtestArgs(['--devices', '1e1', '--seconds', '5'])).toMatchObject({ devices: 10 });
    expect(() => parseLoadtestArgs(['--devices', '0x10', '--seconds', '5'])).toThrow(new Error('--devices must be a whole number from 1 to 20000, got "0x10"'));
  });

  it('lower the priority of a latency-tolerant worker thread only, not of the process', async () => {
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');\n${LOWER_OWN_PRIORITY_SOURCE}\nparentPort.postMessage(require('node:fs').readlinkSync('/proc/thread-self'));`,
      { eval: true, workerData: { nice: BACKGROUND_NICE } },
    );
    const self = await new Promise<string>((done) => worker.once('message', (message: string) => done(message)));
    const tid = self.split('/').pop() ?? '';
    // Field 19 of /proc/<pid>/task/<tid>/stat is the nice value (the 17th after the command's closing parenthesis).
    const nice = Number(readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]);
    await worker.terminate();
    expect(nice).toBe(BACKGROUND_NICE);
    expect(Number(readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16])).toBe(0);
  });

  it('generates reproducible correlated signals, with a step fault from its start sample', () => {
    const step = [{ assetId: 'pump-00001', kind: 'step' as const, metric: 'temperature', size: 8, atSeconds: 5 }];
    const a = new SignalGenerator('pump', 42, step, 2);
    const b = new SignalGenerator('pump', 42, step, 2);
    const rows = Array.from({ length: 20 }, (_, i) => a.sample(i, 1000 + i));
    expect(Array.from({ length: 20 }, (_, i) => b.sample(i, 1000 + i))).toEqual(rows);
    const temperature = rows.map((r) => r.find((x) => x.metric === 'temperature')!.value);
    const before = temperature.slice(0, 10).reduce((s, v) => s + v, 0) / 10;
    const after = temperature.slice(10).reduce((s, v) => s + v, 0) / 10;
    expect(after - before).toBeGreaterThan(4);
    // Current and flow follow the shared load factor: strongly correlated.
    const series = (metric: string, n = 400): number[] => {
      const g = new SignalGenerator('pump', 7, [], 1);
      return Array.from({ length: n }, (_, i) => g.sample(i, i).find((x) => x.metric === metric)!.value);
    };
    const x = series('current');
    const y = series('flow');
    const mean = (v: number[]): number => v.reduce((s, e) => s + e, 0) / v.length;
    const [mx, my] = [mean(x), mean(y)];
    const cov = mean(x.map((v, i) => (v - mx) * ((y[i] ?? 0) - my)));
    const r = cov / Math.sqrt(mean(x.map((v) => (v - mx) ** 2)) * mean(y.map((v) => (v - my) ** 2)));
    expect(r).toBeGreaterThan(0.5);
  });
});

describe('the load test\'s end-to-end latency', () => {
  const message = (assetId: string, ts: number[], publishedAt: number): AckedMessage => ({
    thingName: `gw-${assetId}`,
    assetId,
    kind: 'contract',
    ts,
    metrics: ['temperature'],
    publishedAt,
    ackedAt: publishedAt + 5,
  });

  it('runs from the first acknowledged publish of a record to the end of the processor batch that first held it', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'latency-'));
    try {
      const ledger = join(folder, 'ledger.jsonl');
      const lines = [
        message('pump-1', [1_000, 1_500], 2_000),
        // Queued on its device while the connection was down: the wait before the publish is the device's.
        message('pump-1', [2_000, 2_500], 9_000),
        // Acknowledged twice (a lost PUBACK): the first acknowledged publish counts.
        message('pump-2', [1_000], 3_000),
        message('pump-2', [1_000], 3_400),
        // Taken by the processor from an earlier publish whose PUBACK was lost, and one never processed.
        message('pump-3', [1_000], 6_000),
        message('pump-4', [1_000], 2_000),
        { thingName: 'gw-5', assetId: 'pump-5', kind: 'garbage', ts: [], metrics: [], publishedAt: 1, ackedAt: 2 } satisfies AckedMessage,
      ];
      writeFileSync(ledger, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
      // Each record arrived in the stream 20 ms after its publish and was invoked 100 ms before its batch ended.
      const delivered = (publishedAt: number, doneAt: number): RecordDelivery => ({ arrivedAt: publishedAt + 20, invokedAt: doneAt - 100, doneAt });
      const deliveries = new Map([
        [recordKey('pump-1', 1_500), delivered(2_000, 2_150)],
        [recordKey('pump-1', 2_500), delivered(9_000, 9_300)],
        [recordKey('pump-2', 1_000), delivered(3_000, 3_250)],
        [recordKey('pump-3', 1_000), delivered(4_800, 5_000)],
      ]);
      const { series, unmatched, stages } = await publishLatencies(ledger, deliveries);
      expect(unmatched).toBe(2);
      expect(series.count).toBe(3);
      expect([series.percentileBetween(0, -Infinity, Infinity), series.percentileBetween(100, -Infinity, Infinity)]).toEqual([150, 300]);
      expect(series.percentileBetween(100, 0, 5_000)).toBe(250);
      expect(stages).toEqual([
        { publishedAt: 2_000, toStream: 20, inStream: 30, inInvocation: 100 },
        { publishedAt: 9_000, toStream: 20, inStream: 180, inInvocation: 100 },
        { publishedAt: 3_000, toStream: 20, inStream: 130, inInvocation: 100 },
      ]);
      expect(await publishLatencies(join(folder, 'none.jsonl'), deliveries)).toMatchObject({ unmatched: 0, stages: [] });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('the load test\'s detection account', () => {
  const alert = (eventType: string, assetId: string, episodeId: string): PublishedMessage => ({
    topicArn: 'arn:aws:sns:sa-east-1:444455556666:sns-alerts-dev',
    subject: undefined,
    message: '{}',
    messageStructure: undefined,
    attributes: { eventType, assetId, episodeId },
    messageGroupId: undefined,
    messageDeduplicationId: undefined,
  });
  const plan = {
    faultyAssets: new Set(['pump-00001', 'motor-00002', 'pump-00003']),
    fleet: {
      devices: [],
      faults: [
        { assetId: 'pump-00001', kind: 'step', metric: 'temperature', size: 3, atSeconds: 30 },
        { assetId: 'motor-00002', kind: 'spike', metric: 'temperature', size: 8, atSeconds: 30 },
        { assetId: 'pump-00003', kind: 'stuck', metric: undefined, size: 0, atSeconds: 30 },
        { assetId: 'motor-00004', kind: 'garbage', metric: undefined, size: 0, atSeconds: 30 },
      ],
    },
  } satisfies Parameters<typeof alertCounts>[1];

  it('counts one alert per episode, tells faulty from healthy assets, and names each faulty asset left without an alert with its fault', () => {
    const counts = alertCounts(
      [
        alert('anomaly', 'pump-00001', 'pump-00001:1'),
        // The same episode published again (a retried batch) counts once; a recovery is no alert.
        alert('anomaly', 'pump-00001', 'pump-00001:1'),
        alert('recovery', 'pump-00001', 'pump-00001:1'),
        alert('anomaly', 'pump-00003', 'pump-00003:7'),
        // A garbage-fault asset must not alert: it counts as healthy.
        alert('anomaly', 'motor-00004', 'motor-00004:2'),
      ],
      plan,
    );
    expect(counts).toEqual({ onFaulty: 2, onHealthy: 1, detected: 2, healthyAssets: ['motor-00004'], missed: ['motor-00002 (spike)'] });
  });
});

describe('the stages of the slowest messages', () => {
  const stage = (publishedAt: number, toStream: number, inStream: number, inInvocation: number) => ({ publishedAt, toStream, inStream, inInvocation });

  it('gives the median of each stage over the slowest share of the messages published in the window', () => {
    const stages = [
      ...Array.from({ length: 96 }, (_, i) => stage(1_000 + i, 10, 50, 20)),
      // The tail: two waited in the stream behind a slow batch, two were in the slow batch itself.
      stage(1_100, 12, 900, 30),
      stage(1_101, 14, 700, 40),
      stage(1_102, 8, 100, 800),
      stage(1_103, 9, 80, 950),
      // Published outside the window.
      stage(5_000, 5_000, 5_000, 5_000),
    ];
    expect(slowestStages(stages, 1_000, 2_000, 0.04)).toEqual({ messages: 4, toStream: 9, inStream: 100, inInvocation: 40 });
    expect(slowestStages(stages, 1_000, 2_000, 0.01)).toEqual({ messages: 1, toStream: 9, inStream: 80, inInvocation: 950 });
    expect(slowestStages(stages, 6_000, 7_000, 0.01)).toBeUndefined();
  });

  it('starts a record the stream took from an earlier, unacknowledged publish at the acknowledged one', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'stages-'));
    try {
      const ledger = join(folder, 'ledger.jsonl');
      writeFileSync(ledger, `${JSON.stringify({ thingName: 'gw-1', assetId: 'pump-1', kind: 'contract', ts: [1_000], metrics: ['flow'], publishedAt: 4_000, ackedAt: 4_010 } satisfies AckedMessage)}\n`);
      const { stages } = await publishLatencies(ledger, new Map([[recordKey('pump-1', 1_000), { arrivedAt: 3_000, invokedAt: 3_900, doneAt: 4_200 }]]));
      expect(stages).toEqual([{ publishedAt: 4_000, toStream: 0, inStream: 0, inInvocation: 200 }]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('a shard\'s read limit', () => {
  it('grants at most five GetRecords in any second, shared by its pollers, and makes the sixth wait', async () => {
    const limiter = new ShardReadLimiter(5);
    let now = 10_000;
    const clock = (): number => now;
    for (let i = 0; i < 5; i += 1) await limiter.take(clock);
    expect({ granted: limiter.granted, delayed: limiter.delayed }).toEqual({ granted: 5, delayed: 0 });
    const sixth = limiter.take(clock);
    let done = false;
    void sixth.then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toBe(false);
    now += 1_000;
    await sixth;
    expect({ granted: limiter.granted, delayed: limiter.delayed }).toEqual({ granted: 6, delayed: 1 });
  });

  it('takes one of the shard\'s reads every interval for a consumer that is not emulated, and none after it stops', async () => {
    const limiter = new ShardReadLimiter(5);
    const reserved = new ReservedShardReads(limiter, 10);
    reserved.start();
    // Stops on a count of reads, however long they took.
    while (reserved.taken < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    await reserved.stop();
    expect(limiter.granted).toBe(reserved.taken);
    const taken = reserved.taken;
    // Several intervals later: still none taken.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reserved.taken).toBe(taken);
  });

  it('waits its interval between reads, and a stop ends that wait at once', async () => {
    const limiter = new ShardReadLimiter(5);
    // An hour: only the stop can end the wait after the first read.
    const reserved = new ReservedShardReads(limiter, 3_600_000);
    reserved.start();
    while (reserved.taken < 1) await new Promise((resolve) => setImmediate(resolve));
    // Event-loop turns (timers included) pass without a second read: it waits, it does not poll.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reserved.taken).toBe(1);
    let stopped = false;
    const stopping = reserved.stop().then(() => (stopped = true));
    // Settled within the turn: not after the rest of its interval.
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(true);
    await stopping;
    expect({ taken: reserved.taken, granted: limiter.granted }).toEqual({ taken: 1, granted: 1 });
  });
});
