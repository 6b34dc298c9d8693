import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamRecord } from 'aws-lambda';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CERT_FILES } from '../fleet/constants';
import { makeCertificates } from '../fleet/makeCertificates';
import { ARCHIVE_READ_INTERVAL_MS, KINESIS_LIMITS, LOCAL_CREDENTIALS, LOCAL_REGION } from './constants';
import { createLocalTable } from './createLocalTable';
import type { Emulator, LoopTime } from './Emulator';
import { FakeAwsServer, type PublishedMessage } from './FakeAwsServer';
import { FakeSqsServer } from './FakeSqsServer';
import { DynamoRouter } from './DynamoRouter';
import { DynamoTables } from './DynamoTables';
import { tableGroups } from './tableGroups';
import { FunctionHost, type Placement } from './FunctionHost';
import { LatencySeries } from './LatencySeries';
import { recordKey } from './recordKey';
import { ShardReadLimiter } from './ShardReadLimiter';
import type { FunctionSpec, LocalManifests } from './LocalManifests';
import { GatewayThread } from './GatewayThread';
import { kinesisSource } from './kinesisSource';
import { LocalPolicyEnforcer } from './LocalPolicyEnforcer';
import { refuseDynamoConditionKeys } from './refuseDynamoConditionKeys';
import { refuseUnauthorizedMappings } from './refuseUnauthorizedMappings';
import { mappingSource } from './mappingSource';
import { refuseUnrunnableMappings } from './refuseUnrunnableMappings';
import { ReservedShardReads } from './ReservedShardReads';
import { arrivalMs, ShardPoller, type InvocationTimes, type MappingCounters } from './ShardPoller';
import { startEmulatorWorker } from './startEmulatorWorker';

export interface LocalPipelineOptions {
  readonly manifests: LocalManifests;
  readonly repositoryRoot: string;
  readonly certsDirectory: string;
  readonly logDirectory: string;
  readonly port: number;
  /** Merged into a function's rendered variables (the load test shortens the detector's warm-up). */
  readonly overrides?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Keep every status and alert latency, and when each record's processor batch ended, for final figures (the load test). */
  readonly keepAllLatencies?: boolean;
  /** Which idle execution environment an invocation takes (FunctionHost). @default 'random' */
  readonly placement?: Placement;
  readonly onAlert?: (alert: { assetId: string; episodeId: string; eventType: string; latencyMs: number; subject: string }) => void;
}

/** A function and its mapping as the pipeline runs them. */
export interface RunningFunction {
  readonly host: FunctionHost;
  readonly counters: MappingCounters;
  readonly pollers: ShardPoller[];
  /** Newest reading's ts to the end of its batch, over the latest samples (live output; timed function only). */
  readonly latency: LatencySeries;
  /** When the function first finished a batch holding each partition key (timed function only). */
  readonly firstDelivered: Map<string, number>;
  /** The first batch that held each record, by recordKey (timed function, keepAllLatencies only). */
  readonly deliveries: Map<string, RecordDelivery>;
}

/** A record's way through the stream: when it arrived, and when the invocation that first delivered it started and ended (epoch ms). */
export interface RecordDelivery extends InvocationTimes {
  readonly arrivedAt: number;
}


const newestTs = (data: string): number | undefined => {
  try {
    const record = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { readings?: Array<{ ts?: unknown }> };
    let newest: number | undefined;
    for (const reading of record.readings ?? []) if (typeof reading.ts === 'number' && (newest === undefined || reading.ts > newest)) newest = reading.ts;
    return newest;
  } catch {
    return undefined;
  }
};

/**
 * The pipeline of one environment on this machine, built from its rendered manifests: dynalite and
 * kinesalite (worker threads), the fake S3/SNS and SQS servers and a fault proxy in front of DynamoDB, all on
 * 127.0.0.1; the tables, stream, queue, topics and bucket the manifests declare; each function's zip in its
 * own worker with its rendered environment; one poller per shard and mapping; and the MQTT gateway with the
 * device policy and topic rules, in a thread of its own (GatewayThread). Every start step checks the manifests' references (a rule's stream, a
 * mapping's function and destination, the names in the functions' environment), as a deploy would fail, and
 * refuses a mapping setting it cannot run as AWS would (refuseUnrunnableMappings) before anything starts.
 */
/** The ARNs of the SNS topics the manifests declare. */
function declaredTopicArns(manifests: LocalManifests): string[] {
  return manifests.topics.map((t) => `arn:aws:sns:${manifests.region}:${manifests.accountId}:${t.name}`);
}

export class LocalPipeline {
  readonly manifests: LocalManifests;
  /** S3 and SNS: only the buckets and topics the manifests declare exist, as in the account. */
  readonly s3: FakeAwsServer;
  readonly sqs = new FakeSqsServer();
  /** Decides every call of the functions, the mappings and the topic rules against the rendered policies. */
  readonly policies: LocalPolicyEnforcer;
  /** dynalite per group of tables, each in its own thread, with the load test's DynamoDB faults and the status-write watch. */
  readonly dynamoProxy: DynamoTables;
  /** One DynamoDB endpoint for every table (operator tools: `npm run query -- --local`). */
  readonly dynamoRouter: DynamoRouter;
  readonly functions = new Map<string, RunningFunction>();
  readonly statusLatency: LatencySeries;
  readonly alertLatency: LatencySeries;
  readonly alerts: PublishedMessage[] = [];
  gateway!: GatewayThread;
  port = 0;
  kinesisEndpoint = '';
  readonly warnings: string[] = [];
  /** Each shard's read limit, shared by the pollers of every mapping of the stream (key: stream/shard). */
  readonly shardReads = new Map<string, ShardReadLimiter>();
  /** Mappings that read through an enhanced fan-out consumer (outside the shared read limits). */
  readonly fanOutMappings: string[] = [];
  /** The reads of the consumers not emulated (Firehose), taken from the same limits. */
  readonly reservedReads: ReservedShardReads[] = [];
  readonly #options: LocalPipelineOptions;
  readonly #emulators: Emulator[] = [];
  #kinesis: KinesisClient | undefined;
  #statusTable: string | undefined;
  /** Functions (object names) whose environments run at BACKGROUND_NICE. */
  readonly #background: ReadonlySet<string>;

  constructor(options: LocalPipelineOptions) {
    this.#options = options;
    this.manifests = options.manifests;
    this.s3 = new FakeAwsServer({ buckets: options.manifests.buckets.map((b) => b.name), topicArns: declaredTopicArns(options.manifests) });
    this.policies = new LocalPolicyEnforcer(options.manifests);
    const enabled = options.manifests.mappings.filter((m) => m.enabled);
    const running = options.manifests.functions.filter((f) => enabled.some((m) => m.functionObjectName === f.objectName));
    const tablesOf = (spec: FunctionSpec): string[] => Object.entries(spec.variables).filter(([name]) => name.endsWith('_TABLE')).map(([, table]) => table);
    // Latency-tolerant: every mapping of the function waits for a batching window (the storer).
    this.#background = new Set(running.filter((f) => enabled.every((m) => m.functionObjectName !== f.objectName || m.batchingWindowSeconds >= 1)).map((f) => f.objectName));
    const foreground = new Set(running.filter((f) => !this.#background.has(f.objectName)).flatMap(tablesOf));
    this.dynamoProxy = new DynamoTables(
      tableGroups(options.manifests.tables.map((t) => t.tableName), running.map(tablesOf)),
      new Set(running.filter((f) => this.#background.has(f.objectName)).flatMap(tablesOf).filter((table) => !foreground.has(table))),
    );
    this.dynamoRouter = new DynamoRouter(this.dynamoProxy);
    this.statusLatency = new LatencySeries(options.keepAllLatencies);
    this.alertLatency = new LatencySeries(options.keepAllLatencies);
  }

  /** The DynamoDB endpoint that holds `table`; without one, the endpoint that serves every table. */
  dynamoEndpoint(table?: string): string {
    return table === undefined ? this.dynamoRouter.endpoint : this.dynamoProxy.endpointOf(table);
  }

  /** A function's DynamoDB endpoint: its tables' dynalite, or the router when they are in several (or it names none). */
  #dynamoEndpointOf(variables: Readonly<Record<string, string>>): string {
    const endpoints = new Set(Object.entries(variables).filter(([name]) => name.endsWith('_TABLE')).map(([, table]) => this.dynamoEndpoint(table)));
    return endpoints.size === 1 ? ([...endpoints][0] as string) : this.dynamoEndpoint();
  }

  get kinesis(): KinesisClient {
    if (!this.#kinesis) throw new Error('the pipeline is not started');
    return this.#kinesis;
  }

  async start(): Promise<void> {
    this.#checkReferences();
    refuseDynamoConditionKeys(this.manifests.access);
    await refuseUnauthorizedMappings(this.manifests, this.policies);
    await this.#startEmulators();
    await this.#createResources();
    this.#startFunctions();
    await this.#startPollers();
    await this.#reserveArchiveReads();
    await this.#startGateway();
  }

  #checkReferences(): void {
    const { manifests } = this;
    refuseUnrunnableMappings(manifests);
    const streams = new Set(manifests.streams.map((s) => s.name));
    const buckets = new Set(manifests.buckets.map((b) => b.name));
    for (const rule of manifests.topicRules) {
      if (rule.kinesis && !streams.has(rule.kinesis.streamName)) throw new Error(`rule ${rule.name} writes to stream ${rule.kinesis.streamName}, which the manifests do not declare`);
      if (rule.errorS3 && !buckets.has(rule.errorS3.bucketName)) throw new Error(`rule ${rule.name}'s error action writes to bucket ${rule.errorS3.bucketName}, which the manifests do not declare`);
    }
    const queues = new Set(manifests.queues.map((q) => `arn:aws:sqs:${manifests.region}:${manifests.accountId}:${q.name}`));
    const roles = new Set(manifests.access.roles.map((r) => r.name));
    for (const mapping of manifests.mappings) {
      const fn = manifests.functions.find((f) => f.objectName === mapping.functionObjectName);
      if (!fn) throw new Error(`mapping ${mapping.objectName} names function ${mapping.functionObjectName}, which the manifests do not declare`);
      // Lambda needs the execution role to create the function; the mapping reads and dead-letters as it.
      if (fn.roleName === undefined || !roles.has(fn.roleName)) throw new Error(`function ${fn.name} runs as role ${fn.roleName ?? '(none)'}, which the manifests do not declare`);
      const stream = kinesisSource(mapping.eventSourceArn).streamName;
      if (!streams.has(stream)) throw new Error(`mapping ${mapping.objectName} reads ${mapping.eventSourceArn}, a stream the manifests do not declare`);
      if (!queues.has(mapping.onFailureDestination ?? '')) throw new Error(`mapping ${mapping.objectName} sends failures to ${mapping.onFailureDestination}, a queue the manifests do not declare`);
    }
    const tables = new Set(manifests.tables.map((t) => t.tableName));
    const topics = new Set(declaredTopicArns(manifests));
    for (const fn of manifests.functions) {
      for (const [name, value] of Object.entries(fn.variables)) {
        if (name.endsWith('_TABLE') && !tables.has(value)) throw new Error(`function ${fn.name}: ${name}=${value} is not a table of the manifests`);
        if (name.endsWith('_BUCKET') && !buckets.has(value)) throw new Error(`function ${fn.name}: ${name}=${value} is not a bucket of the manifests`);
        if (name.endsWith('_TOPIC_ARN') && !topics.has(value)) throw new Error(`function ${fn.name}: ${name}=${value} is not a topic of the manifests`);
      }
    }
  }

  async #startEmulators(): Promise<void> {
    const [, kinesalite] = await Promise.all([this.dynamoProxy.start(), startEmulatorWorker('kinesalite')]);
    await this.dynamoRouter.start();
    this.#emulators.push(kinesalite);
    this.kinesisEndpoint = kinesalite.endpoint;
    await this.s3.start();
    await this.sqs.start();
    // The functions' S3, SNS and SQS calls are signed with their role's key and decided as AWS would.
    this.s3.enforce(this.policies);
    this.sqs.enforce(this.policies);
    // Their DynamoDB calls too, in each table's dynalite thread; the operator tools' through the router.
    this.dynamoProxy.enforce(this.policies);
    this.dynamoRouter.enforce(this.policies);
    this.#kinesis = new KinesisClient({ region: LOCAL_REGION, endpoint: kinesalite.endpoint, credentials: LOCAL_CREDENTIALS, requestHandler: new NodeHttpHandler() });
  }

  async #createResources(): Promise<void> {
    for (const table of this.manifests.tables) {
      const dynamo = new DynamoDBClient({ region: LOCAL_REGION, endpoint: this.dynamoEndpoint(table.tableName), credentials: LOCAL_CREDENTIALS });
      try {
        await createLocalTable(dynamo, table);
      } finally {
        dynamo.destroy();
      }
    }
    for (const stream of this.manifests.streams) {
      await this.kinesis.send(new CreateStreamCommand({ StreamName: stream.name, ShardCount: stream.shardCount }));
    }
    // The status table: its writes are the end of the processor's path (latency "publish -> status").
    this.#statusTable = this.manifests.functions.flatMap((f) => Object.entries(f.variables)).find(([name]) => name === 'ASSET_STATUS_TABLE')?.[1];
    if (this.#statusTable !== undefined) {
      this.dynamoProxy.watchStatusTable(this.#statusTable, (latencies) => {
        for (const latency of latencies) this.statusLatency.add(latency);
      });
    }
    this.s3.onPublish = (message) => this.#alert(message);
  }

  #alert(message: PublishedMessage): void {
    this.alerts.push(message);
    const eventType = message.attributes.eventType ?? '';
    let latencyMs = Number.NaN;
    try {
      const body = JSON.parse(message.messageStructure === 'json' ? (JSON.parse(message.message) as { default: string }).default : message.message) as { startedAt?: string };
      if (eventType === 'anomaly' && body.startedAt) latencyMs = Date.now() - Date.parse(body.startedAt);
    } catch {
      // Not the processor's JSON: counted, no latency.
    }
    if (Number.isFinite(latencyMs)) this.alertLatency.add(latencyMs);
    this.#options.onAlert?.({ assetId: message.attributes.assetId ?? '', episodeId: message.attributes.episodeId ?? '', eventType, latencyMs, subject: message.subject ?? '' });
  }

  #startFunctions(): void {
    mkdirSync(this.#options.logDirectory, { recursive: true });
    for (const spec of this.manifests.functions) {
      const environment = {
        AWS_ACCESS_KEY_ID: this.policies.credentialsOf(spec).accessKeyId,
        AWS_SECRET_ACCESS_KEY: this.policies.credentialsOf(spec).secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: this.#dynamoEndpointOf(spec.variables),
        AWS_ENDPOINT_URL_S3: this.s3.endpoint,
        AWS_ENDPOINT_URL_SNS: this.s3.endpoint,
        AWS_ENDPOINT_URL_SQS: this.sqs.endpoint,
        AWS_ENDPOINT_URL_KINESIS: this.kinesisEndpoint,
        ...(this.#options.overrides?.[spec.name] ?? {}),
      };
      const host = new FunctionHost(spec, {
        accountId: this.manifests.accountId,
        region: this.manifests.region,
        environment,
        logDirectory: this.#options.logDirectory,
        repositoryRoot: this.#options.repositoryRoot,
        ...(this.#options.placement === undefined ? {} : { placement: this.#options.placement }),
        background: this.#background.has(spec.objectName),
      });
      const counters: MappingCounters = { invocations: 0, functionErrors: 0, partialFailures: 0, bisections: 0, recordsDelivered: 0, recordsDeadLettered: 0, dlqMessages: 0, iteratorAgeMs: 0 };
      this.functions.set(spec.objectName, { host, counters, pollers: [], latency: new LatencySeries(), firstDelivered: new Map(), deliveries: new Map() });
    }
  }

  async #startPollers(): Promise<void> {
    for (const mapping of this.manifests.mappings.filter((m) => m.enabled)) {
      const running = this.functions.get(mapping.functionObjectName);
      if (!running) continue;
      const { streamName, consumer } = mappingSource(this.manifests, mapping);
      if (consumer !== undefined) this.fanOutMappings.push(`${mapping.objectName} (consumer ${consumer})`);
      const shards = await this.kinesis.send(new ListShardsCommand({ StreamName: streamName }));
      // The end-to-end latency is the processor's (the function that judges readings); the storer's batching
      // window makes its own meaningless, and decoding every record twice costs the broker's thread.
      const timed = running.host.spec.variables.DETECTOR_CONFIG !== undefined;
      const onDelivered = (records: readonly KinesisStreamRecord[], times: InvocationTimes): void => {
        if (!timed) return;
        const { doneAt } = times;
        for (const record of records) {
          const ts = newestTs(record.kinesis.data);
          if (ts !== undefined) running.latency.add(doneAt - ts, ts);
          if (ts !== undefined && this.#options.keepAllLatencies === true) {
            const key = recordKey(record.kinesis.partitionKey, ts);
            if (!running.deliveries.has(key)) running.deliveries.set(key, { arrivedAt: arrivalMs(record), ...times });
          }
          if (!running.firstDelivered.has(record.kinesis.partitionKey)) running.firstDelivered.set(record.kinesis.partitionKey, doneAt);
        }
      };
      for (const shard of shards.Shards ?? []) {
        // One poller per shard is parallelizationFactor 1, the only factor refuseUnrunnableMappings lets start.
        const poller = new ShardPoller({
          mapping,
          host: running.host,
          kinesis: this.kinesis,
          streamName,
          shardId: shard.ShardId ?? '',
          roleArn: this.#roleArn(running.host.spec),
          counters: running.counters,
          deadLetter: (body) => this.#deadLetter(running.host.spec, mapping.onFailureDestination ?? '', body),
          access: (action, resource) => this.#asRole(running.host.spec, action, resource),
          onDelivered,
          reads: this.#shardReads(streamName, shard.ShardId ?? ''),
        });
        running.pollers.push(poller);
        poller.start();
      }
    }
  }

  /** A call the mapping makes as the function's role; rejects with AWS's refusal. */
  async #asRole(spec: FunctionSpec, action: string, resource: string): Promise<void> {
    const decision = await this.policies.authorizeAs({ roleName: spec.roleName ?? '', session: spec.name, action, resource });
    if (decision.outcome !== 'allowed') throw Object.assign(new Error(decision.message), { name: 'AccessDeniedException' });
  }

  /** The mapping's SendMessage of a failed batch's document to its on-failure destination, as the function's role (the queue policy decides too). */
  async #deadLetter(spec: FunctionSpec, queueArn: string, body: string): Promise<void> {
    await this.#asRole(spec, 'sqs:SendMessage', queueArn);
    this.sqs.send(body);
  }

  /** The function's execution role, which Lambda gives each record as `invokeIdentityArn`. */
  #roleArn(spec: FunctionSpec): string {
    return `arn:aws:iam::${this.manifests.accountId}:role/${spec.roleName ?? ''}`;
  }

  /** Firehose is not emulated, but each shard of its source gives it one read a second of the shard's limit. */
  async #reserveArchiveReads(): Promise<void> {
    for (const streamName of this.manifests.archiveSources) {
      const shards = await this.kinesis.send(new ListShardsCommand({ StreamName: streamName }));
      for (const shard of shards.Shards ?? []) {
        const reads = new ReservedShardReads(this.#shardReads(streamName, shard.ShardId ?? ''), ARCHIVE_READ_INTERVAL_MS);
        this.reservedReads.push(reads);
        reads.start();
      }
    }
  }

  #shardReads(streamName: string, shardId: string): ShardReadLimiter {
    const key = `${streamName}/${shardId}`;
    let limiter = this.shardReads.get(key);
    if (!limiter) {
      limiter = new ShardReadLimiter(KINESIS_LIMITS.shardReadsPerSecond);
      this.shardReads.set(key, limiter);
    }
    return limiter;
  }

  async #startGateway(): Promise<void> {
    const certs = this.#options.certsDirectory;
    makeCertificates(certs, []);
    this.gateway = new GatewayThread({
      manifests: this.manifests,
      kinesisEndpoint: this.kinesisEndpoint,
      s3: { putObject: (bucket, key, body) => this.#errorAction(bucket, key, body) },
      refusedPuts: await this.#refusedPuts(),
      tls: {
        key: readFileSync(join(certs, CERT_FILES.serverKey), 'utf8'),
        cert: readFileSync(join(certs, CERT_FILES.serverCert), 'utf8'),
        ca: readFileSync(join(certs, CERT_FILES.caCert), 'utf8'),
      },
    });
    this.port = await this.gateway.start(this.#options.port);
  }

  /** Why each rule's role may not put to its stream (IoT Core's PutRecord, decided once: it is the same call every time). */
  async #refusedPuts(): Promise<Record<string, string>> {
    const refused: Record<string, string> = {};
    for (const rule of this.manifests.topicRules) {
      const action = rule.kinesis;
      if (!action) continue;
      const roleName = action.roleArn?.split('/').pop();
      if (roleName === undefined) {
        refused[rule.name] = `rule ${rule.name} names no role for its Kinesis action`;
        continue;
      }
      const decision = await this.policies.authorizeAs({ roleName, session: rule.name, action: 'kinesis:PutRecord', resource: this.policies.streamArn(action.streamName) });
      if (decision.outcome !== 'allowed') refused[rule.name] = `AccessDeniedException: ${decision.message}`;
    }
    return refused;
  }

  /** A rule's error action: S3 PutObject as the rule's role (the document names its rule); a refused write is lost, as in AWS. */
  async #errorAction(bucket: string, key: string, body: string): Promise<void> {
    const ruleName = (JSON.parse(body) as { ruleName?: string }).ruleName;
    const roleName = this.manifests.topicRules.find((rule) => rule.name === ruleName)?.errorS3?.roleArn?.split('/').pop() ?? '';
    const decision = await this.policies.authorizeAs({ roleName, session: ruleName ?? '', action: 's3:PutObject', resource: `arn:aws:s3:::${bucket}/${key}` });
    if (decision.outcome !== 'allowed') throw new Error(`AccessDenied: ${decision.message}`);
    this.s3.putObject(bucket, key, body);
  }

  /**
   * Busy and idle time of each thread's event loop so far: the broker's (MQTT/TLS, rule engine, stream
   * writer), the pollers' (this one: pollers, fake S3/SNS/SQS), DynamoDB's, Kinesis's and each function's. The load test takes
   * two readings and reports the busy share in between: the saturated stage is the one near 100%.
   */
  loopTimes(): Map<string, LoopTime> {
    const times = new Map<string, LoopTime>([
      ['broker', this.gateway.utilization()],
      ['pollers', performance.eventLoopUtilization()],
    ]);
    for (const group of this.dynamoProxy.groups) times.set(group.label, group.service.utilization());
    const kinesis = this.#emulators[0]?.utilization?.();
    if (kinesis) times.set('kinesis', kinesis);
    for (const running of this.functions.values()) if (running.pollers.length > 0) times.set(running.host.spec.name, running.host.utilization());
    return times;
  }

  /** Ends every batching window now (load test drain). */
  flushWindows(): void {
    for (const running of this.functions.values()) for (const poller of running.pollers) poller.flushWindow();
  }

  /** Records read by pollers and not yet delivered, plus the rules' puts Kinesis has not acknowledged yet. */
  get backlog(): number {
    let total = 0;
    for (const running of this.functions.values()) for (const poller of running.pollers) total += poller.pending;
    return total + this.gateway.counters.pendingPuts;
  }

  async stop(): Promise<void> {
    await this.gateway?.close().catch(() => undefined);
    for (const running of this.functions.values()) await Promise.all(running.pollers.map((poller) => poller.stop()));
    await Promise.all(this.reservedReads.map((reads) => reads.stop()));
    for (const running of this.functions.values()) await running.host.stop();
    this.#kinesis?.destroy();
    await this.dynamoRouter.stop();
    await this.dynamoProxy.stop();
    await this.s3.stop();
    await this.sqs.stop();
    for (const emulator of this.#emulators) await emulator.stop();
  }
}
