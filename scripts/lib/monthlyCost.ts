import { FIREHOSE_BUFFERING } from '../../charts/archive';
import { alarmTable, AlarmRow } from '../../charts/lib/alarmTable';
import type { ArchiveStorageClass } from '../../charts/lib/archiveTiers';
import { CapacityPlan, SIZING } from '../../charts/lib/capacity';
import { EnvironmentConfig } from '../../charts/lib/config';
import { PlatformNames } from '../../charts/lib/names';
import { PriceKey, priceOf } from '../../charts/lib/prices';
import { rawExpirationDays } from '../../charts/lib/rawExpirationDays';
import { rawTransitions } from '../../charts/lib/rawTransitions';
import { FUNCTION_SETTINGS } from '../../charts/processing';
import { SHARD_LEVEL_METRICS } from '../../charts/stream';
import { DEFAULT_CHECKPOINT_INTERVAL_SECONDS } from '../../functions/processor/constants';
import { LIMITS, STREAM_RETENTION_HOURS } from '../../functions/shared/constants';
import { ceilDiv } from './ceilDiv';
import { COST_ASSUMPTIONS, COST_SIZES, EMITTED_METRICS, GIB, KIB, MIB, MONTH, type CostExposure, type CostLine, type CostLoad, type CostOptions, type CostService, type Design, type DesignCost, type MonthlyCost } from './cost';
import { costLoad } from './costLoad';

function priced(id: string, service: CostService, item: string, quantity: number, priceKey: PriceKey, basis: string): CostLine {
  const price = priceOf(priceKey);
  return { id, service, item, quantity, priceKey, unit: price.unit, unitPrice: price.usd, unsure: price.unsure === true, usd: quantity * price.usd, basis };
}

/** Alarm metrics billed for one alarm: a metric alarm reads one, metric math each input, a Metrics Insights query the series it reads. */
function alarmMetricCount(row: AlarmRow): number {
  if (row.signal.kind === 'metric') return 1;
  if (row.signal.kind === 'expression') return Object.keys(row.signal.inputs).length;
  // The IoT rule queries sum one rule's metric over its action types (one Kinesis action, one series); the
  // RuleNotFound query one series per unknown rule name, normally none: counted as one.
  return 1;
}

const n = (value: number, digits = 4): string => Number(value.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 6 });

function iotLines(load: CostLoad, design: Design): CostLine[] {
  const messages = load.recordsPerSecond * MONTH.seconds;
  const units = ceilDiv(load.bytesPerRecord, COST_SIZES.iotMeteringUnit);
  const presence = load.devices * COST_ASSUMPTIONS.presenceEventsPerDevicePerDay * MONTH.days;
  const triggered = messages * units + presence;
  const basis = `${n(load.recordsPerSecond)} messages/s x ${MONTH.seconds.toLocaleString('en-US')} s x ${units} (5 KB units) + ${n(presence)} presence events`;
  const lines = [
    priced('iot.connectivity', 'IoT Core', `connectivity (${n(load.devices)} devices)`, (load.devices * MONTH.minutes) / 1e6, 'iot.connectivity', `${n(load.devices)} devices x ${MONTH.minutes.toLocaleString('en-US')} min`),
    priced('iot.rules', 'IoT Core', 'rules triggered', triggered / 1e6, 'iot.rulesTriggered', basis),
    priced('iot.actions', 'IoT Core', 'actions executed (Kinesis)', triggered / 1e6, 'iot.actionsExecuted', 'one Kinesis action per rule triggered'),
  ];
  if (design === 'platform') return lines;
  // A plain topic bills every publish as messaging, in tiers per account and month.
  const messageUnits = messages * units;
  const tiers: { upTo: number; key: PriceKey; label: string }[] = [
    { upTo: 1e9, key: 'iot.messagingFirstBillion', label: 'first 1 billion' },
    { upTo: 5e9, key: 'iot.messagingNextFourBillion', label: 'next 4 billion' },
    { upTo: Infinity, key: 'iot.messagingOverFiveBillion', label: 'over 5 billion' },
  ];
  let from = 0;
  for (const tier of tiers) {
    const inTier = Math.max(0, Math.min(messageUnits, tier.upTo) - from);
    if (inTier > 0) lines.push(priced(`iot.messaging.${tier.key}`, 'IoT Core', `messaging, plain topic (${tier.label})`, inTier / 1e6, tier.key, `${n(messageUnits)} message units a month`));
    from = tier.upTo;
  }
  return lines;
}

function kinesisLines(config: EnvironmentConfig, load: CostLoad, capacity: CapacityPlan): CostLine[] {
  const records = load.recordsPerSecond * MONTH.seconds;
  const readers = capacity.sharedReadConsumers;
  // The processor reading through its consumer: every record once more, out of the consumer's own pipe.
  const fanOutGb = config.capacity.processorConsumerArn === undefined ? 0 : (records * load.bytesPerRecord) / GIB;
  const fanOutBasis = `${n(load.recordsPerSecond)} records/s x ${load.bytesPerRecord} B`;
  if (load.streamMode === 'ON_DEMAND') {
    const gbIn = (records * ceilDiv(load.bytesPerRecord, COST_SIZES.kinesisOnDemandRounding) * COST_SIZES.kinesisOnDemandRounding) / GIB;
    return [
      priced('kinesis.streamHours', 'Kinesis', 'on-demand stream-hours', MONTH.hours, 'kinesis.onDemandStreamHour', '1 stream x 730 h'),
      priced('kinesis.dataIn', 'Kinesis', 'on-demand data in (1 KB records)', gbIn, 'kinesis.onDemandDataInGb', `${n(records)} records x ${ceilDiv(load.bytesPerRecord, KIB)} KB`),
      priced('kinesis.dataOut', 'Kinesis', `on-demand data out (${readers} readers)`, (records * load.bytesPerRecord * readers) / GIB, 'kinesis.onDemandDataOutGb', `${readers} x ${n(load.recordsPerSecond)} records/s x ${load.bytesPerRecord} B`),
      ...(fanOutGb > 0 ? [priced('kinesis.fanOutData', 'Kinesis', 'on-demand enhanced fan-out data out (processor)', fanOutGb, 'kinesis.onDemandFanOutDataGb', fanOutBasis)] : []),
    ];
  }
  const shardHours = capacity.shardCount * MONTH.hours;
  const units = ceilDiv(load.bytesPerRecord, COST_SIZES.kinesisPutPayloadUnit);
  return [
    priced('kinesis.shardHours', 'Kinesis', `shard-hours (${capacity.shardCount} shards)`, shardHours, 'kinesis.shardHour', `${capacity.shardCount} shards x 730 h`),
    ...(STREAM_RETENTION_HOURS > 24
      ? [priced('kinesis.retention', 'Kinesis', `extended retention (${STREAM_RETENTION_HOURS} h)`, shardHours, 'kinesis.extendedRetentionShardHour', `${capacity.shardCount} shards x 730 h`)]
      : []),
    priced('kinesis.putUnits', 'Kinesis', 'PUT payload units (25 KB)', (records * units) / 1e6, 'kinesis.putPayloadUnits', `${n(load.recordsPerSecond)} records/s x ${MONTH.seconds.toLocaleString('en-US')} s x ${units} (${load.bytesPerRecord} B / 25 KB)`),
    // Billed for a registered consumer whether or not a mapping reads through it yet.
    ...(config.capacity.processorFanOut
      ? [priced('kinesis.fanOutConsumer', 'Kinesis', 'enhanced fan-out consumer-shard-hours (processor)', shardHours, 'kinesis.fanOutConsumerShardHour', `1 consumer x ${capacity.shardCount} shards x 730 h`)]
      : []),
    ...(fanOutGb > 0 ? [priced('kinesis.fanOutData', 'Kinesis', 'enhanced fan-out data out (processor)', fanOutGb, 'kinesis.fanOutDataGb', fanOutBasis)] : []),
  ];
}

function lambdaLines(config: EnvironmentConfig, load: CostLoad, design: Design): CostLine[] {
  const msPerRecord = SIZING.processorMsPerRecord + SIZING.processorMsPerReading * config.capacity.readingsPerMessage;
  const gb = (fn: 'processor' | 'storer'): number => FUNCTION_SETTINGS[fn].memoryMb / 1024;
  const processorSeconds = (load.recordsPerSecond * msPerRecord) / 1000;
  const writesPerSecond = design === 'platform' ? load.bucketWritesPerSecond : load.readingsPerSecond;
  const storerSeconds = (load.recordsPerSecond * COST_ASSUMPTIONS.storerMsPerRecord + writesPerSecond * COST_ASSUMPTIONS.storerMsPerBucketWrite) / 1000;
  return [
    priced('lambda.processorRequests', 'Lambda', 'processor requests', (load.processorInvocationsPerSecond * MONTH.seconds) / 1e6, 'lambda.requests', `${n(load.processorInvocationsPerSecond)} invocations/s (each shard polled every second, ${FUNCTION_SETTINGS.processor.batchSize} records a batch)`),
    priced('lambda.processorDuration', 'Lambda', 'processor duration', processorSeconds * gb('processor') * MONTH.seconds, 'lambda.arm64GbSecond', `${n(load.recordsPerSecond)} records/s x ${n(msPerRecord)} ms (capacity model) x ${gb('processor')} GB`),
    priced('lambda.storerRequests', 'Lambda', 'storer requests', (load.storerInvocationsPerSecond * MONTH.seconds) / 1e6, 'lambda.requests', `${load.shards} shards / ${n(load.storerIntervalSeconds)} s per batch`),
    priced('lambda.storerDuration', 'Lambda', 'storer duration', storerSeconds * gb('storer') * MONTH.seconds, 'lambda.arm64GbSecond', `(${n(load.recordsPerSecond)} records/s x ${COST_ASSUMPTIONS.storerMsPerRecord} ms + ${n(writesPerSecond)} item writes/s x ${n(COST_ASSUMPTIONS.storerMsPerBucketWrite)} ms) x ${gb('storer')} GB`),
  ];
}

/** A full minute bucket: its base and the readings of a sensor-minute, up to the bucket's limit. */
function bucketItemBytes(load: CostLoad): number {
  return COST_SIZES.bucketItemBase + Math.min(Math.max(1, load.readingsPerSecondPerSensor * 60), LIMITS.maxReadingsPerBucket) * COST_SIZES.bucketItemPerReading;
}

/** One hot-tier table at steady state: the bytes of its items, and of the copies its global secondary indexes keep. */
interface HotTable {
  /** Physical name, as the storage chart renders it. */
  readonly tableName: string;
  readonly label: string;
  readonly itemBytes: number;
  readonly indexBytes: number;
}

/**
 * The tables of the storage chart (charts/storage.ts) filled to their TTL: the readings of hotDays (one
 * bucket per sensor-minute, or in the naive design one item per reading), and one status item (also in
 * the byLine index, which projects ALL) and one detector checkpoint per asset. Shard leases (one small
 * item per shard) are left out. Every one is an EncryptedTable, so every one has point-in-time recovery on.
 */
function hotTables(config: EnvironmentConfig, names: PlatformNames, load: CostLoad, design: Design): HotTable[] {
  const readings =
    design === 'platform'
      ? load.sensors * config.retention.hotDays * 1440 * (bucketItemBytes(load) + COST_SIZES.dynamodbItemOverhead)
      : load.readingsPerSecond * 86_400 * config.retention.hotDays * (COST_SIZES.naiveReadingItem + COST_SIZES.dynamodbItemOverhead);
  const status = load.assets * (COST_SIZES.statusItem + COST_SIZES.dynamodbItemOverhead);
  return [
    { tableName: names.readingsTable, label: 'readings', itemBytes: readings, indexBytes: 0 },
    { tableName: names.assetStatusTable, label: 'asset status', itemBytes: status, indexBytes: status },
    { tableName: names.detectorStateTable, label: 'detector state', itemBytes: load.assets * (checkpointSize(config).stateBytes + COST_SIZES.dynamodbItemOverhead), indexBytes: 0 },
  ];
}

/** One asset's detector checkpoint: its bytes and the write units a put of it takes. */
function checkpointSize(config: EnvironmentConfig): { stateBytes: number; stateWru: number } {
  const stateBytes = COST_SIZES.detectorStateBase + COST_SIZES.detectorStatePerMetric * config.capacity.readingsPerMessage;
  return { stateBytes, stateWru: ceilDiv(stateBytes, COST_SIZES.dynamodbWriteUnit) };
}

function dynamodbLines(config: EnvironmentConfig, names: PlatformNames, load: CostLoad, design: Design): CostLine[] {
  const recycles = COST_ASSUMPTIONS.containerRecyclesPerDay * MONTH.days;
  const { stateBytes, stateWru } = checkpointSize(config);
  const checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL_SECONDS;
  // The processor writes an asset's checkpoint and status only in a batch holding that asset: an asset
  // sending less often than the interval is written once per message, not once per interval.
  const checkpointsPerAssetSecond = Math.min(load.readingsPerSecondPerSensor, 1 / checkpointInterval);
  const statusWritesPerAssetSecond = Math.min(load.readingsPerSecondPerSensor, 1 / config.detection.statusHeartbeatSeconds);
  const statusWrites = load.assets * statusWritesPerAssetSecond * MONTH.seconds;
  // Each status write also writes the byLine index (1 WRU); thing links are written again after a recycle.
  const statusWru = statusWrites * 2 + load.assets * recycles;

  const hotMinutes = config.retention.hotDays * 1440;
  const bucketBytes = bucketItemBytes(load);
  const tables = hotTables(config, names, load, design);
  const tableNames = tables.map((table) => table.tableName);

  const readings =
    design === 'platform'
      ? [
          priced('dynamodb.readingsWrites', 'DynamoDB', 'readings: bucket writes', (load.bucketWritesPerSecond * load.wruPerBucketWrite * MONTH.seconds) / 1e6, 'dynamodb.writeRequestUnits',
            `${n(load.sensors)} sensors x ${n(load.bucketWritesPerSensorMinute)} writes/sensor-minute / 60 x ${n(load.wruPerBucketWrite)} WRU`),
          priced('dynamodb.coldCache', 'DynamoDB', 'readings: cold-cache conditional puts', (load.sensors * recycles * load.wruPerBucketWrite) / 1e6, 'dynamodb.writeRequestUnits',
            `${n(load.sensors)} sensors x ${COST_ASSUMPTIONS.containerRecyclesPerDay} recycles/day x ${n(MONTH.days)} days (a failed put bills its WRU)`),
        ]
      : [
          priced('dynamodb.readingsWrites', 'DynamoDB', 'readings: one item per reading', (load.readingsPerSecond * ceilDiv(COST_SIZES.naiveReadingItem, KIB) * MONTH.seconds) / 1e6, 'dynamodb.writeRequestUnits',
            `${n(load.readingsPerSecond)} readings/s x ${ceilDiv(COST_SIZES.naiveReadingItem, KIB)} WRU`),
        ];
  const storageBasis =
    design === 'platform'
      ? `${n(load.sensors)} sensors x ${n(hotMinutes)} minutes (${config.retention.hotDays} d TTL) x ${n(bucketBytes + COST_SIZES.dynamodbItemOverhead)} B + status and state`
      : `${n(load.readingsPerSecond)} readings/s x ${config.retention.hotDays} d x ${COST_SIZES.naiveReadingItem + COST_SIZES.dynamodbItemOverhead} B + status and state`;
  return [
    ...readings,
    priced('dynamodb.statusWrites', 'DynamoDB', 'asset status writes (+ byLine index)', statusWru / 1e6, 'dynamodb.writeRequestUnits',
      `${n(load.assets)} assets x min(${n(load.readingsPerSecondPerSensor)} messages/s, 1 per ${config.detection.statusHeartbeatSeconds} s heartbeat) x 2 WRU + thing links`),
    priced('dynamodb.checkpointWrites', 'DynamoDB', 'detector checkpoints', (load.assets * checkpointsPerAssetSecond * stateWru * MONTH.seconds) / 1e6, 'dynamodb.writeRequestUnits',
      `${n(load.assets)} assets x min(${n(load.readingsPerSecondPerSensor)} messages/s, 1 per ${checkpointInterval} s) x ${stateWru} WRU (${stateBytes} B of state)`),
    priced('dynamodb.leaseClaims', 'DynamoDB', 'shard lease claims', (load.processorInvocationsPerSecond * MONTH.seconds) / 1e6, 'dynamodb.writeRequestUnits',
      `${n(load.processorInvocationsPerSecond)} processor invocations/s x 1 WRU`),
    priced('dynamodb.reads', 'DynamoDB', 'checkpoint restores (consistent)', (load.assets * recycles) / 1e6, 'dynamodb.readRequestUnits',
      `${n(load.assets)} assets x ${COST_ASSUMPTIONS.containerRecyclesPerDay} recycles/day x 1 RRU`),
    {
      ...priced('dynamodb.storage', 'DynamoDB', 'storage', tables.reduce((sum, table) => sum + table.itemBytes + table.indexBytes, 0) / GIB, 'dynamodb.storageGbMonth', storageBasis),
      resources: tableNames,
    },
    // Point-in-time recovery bills each table's own size, not its global indexes' copies.
    {
      ...priced('dynamodb.pitr', 'DynamoDB', `point-in-time recovery (${tables.length} tables)`, tables.reduce((sum, table) => sum + table.itemBytes, 0) / GIB, 'dynamodb.pitrGbMonth',
        `table data without global indexes: ${tables.map((table) => `${table.label} ${n(table.itemBytes / GIB)} GB`).join(' + ')}`),
      resources: tableNames,
    },
  ];
}

function firehoseLines(load: CostLoad): CostLine[] {
  const rounded = ceilDiv(load.bytesPerRecord, COST_SIZES.firehoseRecordRounding) * COST_SIZES.firehoseRecordRounding;
  return [
    priced('firehose.ingested', 'Firehose', 'ingested (records rounded to 5 KB)', (load.recordsPerSecond * MONTH.seconds * rounded) / GIB, 'firehose.ingestedGb',
      `${n(load.recordsPerSecond)} records/s x ${rounded / KIB} KB (${load.bytesPerRecord} B rounded up)`),
  ];
}

const STORAGE_PRICE: Record<'STANDARD' | ArchiveStorageClass, { key: PriceKey; transition?: PriceKey; label: string }> = {
  STANDARD: { key: 's3.standardGbMonth', label: 'Standard' },
  STANDARD_IA: { key: 's3.standardIaGbMonth', transition: 's3.transitionToIa', label: 'Standard-IA' },
  GLACIER_IR: { key: 's3.glacierIrGbMonth', transition: 's3.transitionToGlacierIr', label: 'Glacier IR' },
  DEEP_ARCHIVE: { key: 's3.deepArchiveGbMonth', transition: 's3.transitionToDeepArchive', label: 'Deep Archive' },
};

/** The archive at steady state (after archiveYears): each class holds the days of data the lifecycle keeps in it. */
function s3Lines(config: EnvironmentConfig, load: CostLoad, capacity: CapacityPlan): CostLine[] {
  const expiryDays = rawExpirationDays(config.retention.archiveYears);
  const transitions = rawTransitions(config.retention.archiveTiers);
  const steps = [{ days: 0, storageClass: 'STANDARD' as const }, ...transitions];
  const lines: CostLine[] = [];
  const flushSeconds = Math.min(FIREHOSE_BUFFERING.intervalSeconds, (FIREHOSE_BUFFERING.sizeMb * MIB) / capacity.ingressBytesPerSecond);
  const objects = MONTH.seconds / flushSeconds;
  steps.forEach((step, index) => {
    const until = steps[index + 1]?.days ?? expiryDays;
    const price = STORAGE_PRICE[step.storageClass];
    lines.push(
      priced(`s3.${step.storageClass}`, 'S3', `${price.label}, days ${step.days}-${until}`, (load.archiveGzBytesPerDay * (until - step.days)) / GIB, price.key,
        `${n(load.archiveGzBytesPerDay / GIB)} GB/day (GZIP ${COST_ASSUMPTIONS.gzipRatio}:1) x ${until - step.days} days`),
    );
  });
  lines.push(priced('s3.puts', 'S3', 'PUT requests (Firehose objects)', objects / 1000, 's3.putRequests', `one object per ${n(flushSeconds)} s (64 MB or 300 s buffer)`));
  for (const step of transitions) {
    const transition = STORAGE_PRICE[step.storageClass].transition;
    if (transition !== undefined) lines.push(priced(`s3.to.${step.storageClass}`, 'S3', `transitions to ${STORAGE_PRICE[step.storageClass].label}`, objects / 1000, transition, `${n(objects)} objects a month`));
  }
  return lines;
}

function cloudwatchLines(config: EnvironmentConfig, names: PlatformNames, load: CostLoad, capacity: CapacityPlan): CostLine[] {
  const emf = EMITTED_METRICS.processor.length + EMITTED_METRICS.storer.length;
  const shardMetrics = SHARD_LEVEL_METRICS.length * load.shards;
  const alarms = alarmTable(config, names, capacity);
  const alarmMetrics = alarms.reduce((sum, row) => sum + alarmMetricCount(row), 0);
  const logBytes = (load.processorInvocationsPerSecond * COST_SIZES.logPerInvocation.processor + load.storerInvocationsPerSecond * COST_SIZES.logPerInvocation.storer) * MONTH.seconds;
  const storedGb = ((logBytes / GIB) * (config.retention.logDays / MONTH.days)) / COST_ASSUMPTIONS.gzipRatio;
  return [
    priced('cloudwatch.metrics', 'CloudWatch', 'custom metrics', emf + shardMetrics, 'cloudwatch.customMetricMonth', `${emf} EMF metrics + ${SHARD_LEVEL_METRICS.length} shard-level metrics x ${load.shards} shards`),
    priced('cloudwatch.alarms', 'CloudWatch', `alarms (${alarms.length})`, alarmMetrics, 'cloudwatch.alarmMetricMonth', `${alarms.length} alarms reading ${alarmMetrics} metrics`),
    priced('cloudwatch.logsIngested', 'CloudWatch', 'logs ingested', logBytes / GIB, 'cloudwatch.logsIngestedGb',
      `${n(load.processorInvocationsPerSecond)} + ${n(load.storerInvocationsPerSecond)} invocations/s x ${COST_SIZES.logPerInvocation.processor} / ${COST_SIZES.logPerInvocation.storer} B`),
    priced('cloudwatch.logsStored', 'CloudWatch', `logs stored (${config.retention.logDays} d)`, storedGb, 'cloudwatch.logsStoredGbMonth', `${config.retention.logDays} days of logs, compressed ${COST_ASSUMPTIONS.gzipRatio}:1`),
    priced('cloudwatch.dashboard', 'CloudWatch', 'dashboard', 1, 'cloudwatch.dashboardMonth', names.dashboard),
  ];
}

function smallLines(config: EnvironmentConfig, load: CostLoad): CostLine[] {
  // Kinesis: the rule's role and three readers per shard; tables, bucket (bucket key), two topics, the queue.
  const callers = 4 * load.shards + 3 + 3 + 2 + 1;
  const kmsRequests = callers * COST_ASSUMPTIONS.kmsCallsPerCallerPerHour * MONTH.hours;
  const alerts = load.assets * COST_ASSUMPTIONS.alertsPerAssetPerDay * MONTH.days;
  const ops = COST_ASSUMPTIONS.opsNotificationsPerMonth;
  const emails = alerts * config.alerts.anomalyEmails.length + ops * config.alerts.opsEmails.length;
  const zones = 3;
  return [
    priced('kms.key', 'KMS', 'platform key', 1, 'kms.keyMonth', 'one key per environment'),
    priced('kms.requests', 'KMS', 'requests', kmsRequests / 10_000, 'kms.requests', `${callers} callers x ${COST_ASSUMPTIONS.kmsCallsPerCallerPerHour}/h (data keys cached ~5 min)`),
    priced('sns.publishes', 'SNS', 'publishes (alerts + alarms)', (alerts + ops) / 1e6, 'sns.publishes', `${n(load.assets)} assets x ${COST_ASSUMPTIONS.alertsPerAssetPerDay} alerts/day + ${ops} alarm notifications`),
    priced('sns.emails', 'SNS', 'e-mail notifications', emails / 100_000, 'sns.emailNotifications', `alerts x ${config.alerts.anomalyEmails.length} + alarms x ${config.alerts.opsEmails.length} recipients`),
    priced('sqs.requests', 'SQS', 'dead-letter queue requests', (COST_ASSUMPTIONS.deadLetteredBatchesPerMonth * 3) / 1e6, 'sqs.requests', `${COST_ASSUMPTIONS.deadLetteredBatchesPerMonth} batches x (send, receive, delete)`),
    priced('vpc.snsEndpointHours', 'VPC', `SNS interface endpoint (${zones} AZs)`, zones * MONTH.hours, 'vpc.interfaceEndpointHour', `${zones} AZs x 730 h (DynamoDB and S3 gateway endpoints are free)`),
    priced('vpc.snsEndpointGb', 'VPC', 'SNS endpoint data', (alerts * COST_SIZES.alertMessage) / GIB, 'vpc.interfaceEndpointGb', `${n(alerts)} alerts x ${COST_SIZES.alertMessage / KIB} KB`),
  ];
}

/**
 * Lambda promises no affinity between a shard and an execution environment. While a shard keeps moving,
 * the processor checkpoints its assets every batch (HANDOFF_EXACT_WINDOW_MS) instead of every
 * DEFAULT_CHECKPOINT_INTERVAL_SECONDS, so that each move restores exactly what was judged: an asset is
 * then checkpointed once per batch it is in, at most once per message.
 */
function exposureOf(config: EnvironmentConfig, load: CostLoad): CostExposure[] {
  const { stateWru } = checkpointSize(config);
  const batchesPerShardSecond = load.processorInvocationsPerSecond / load.shards;
  const checkpointsPerAssetSecond = Math.min(load.readingsPerSecondPerSensor, batchesPerShardSecond);
  const line = priced(
    'dynamodb.checkpointWritesMovingShards',
    'DynamoDB',
    'detector checkpoints, shards moving every batch',
    (load.assets * checkpointsPerAssetSecond * stateWru * MONTH.seconds) / 1e6,
    'dynamodb.writeRequestUnits',
    `${n(load.assets)} assets x ${n(checkpointsPerAssetSecond)}/s (a checkpoint per batch holding the asset) x ${stateWru} WRU`,
  );
  return [{ kind: 'instead', line, replaces: 'dynamodb.checkpointWrites', watch: 'the dashboard\'s "processor shard handoffs" line (metric ShardHandoffs)' }, quarantineIncident(load)];
}

/**
 * A fleet-wide bad-data incident (a firmware that breaks the contract): both consumers quarantine every
 * record, one S3 object each (the key is the record's, so a retry overwrites it). The bucket key keeps KMS
 * out of it; the objects' storage is negligible beside the PUTs.
 */
function quarantineIncident(load: CostLoad): CostExposure {
  const consumers = 2;
  const objectsPerHour = load.recordsPerSecond * consumers * 3600;
  const line = priced(
    's3.quarantinePutsIncident',
    'S3',
    'quarantine PUTs, every record refused (one hour)',
    objectsPerHour / 1000,
    's3.putRequests',
    `${n(load.recordsPerSecond)} records/s x ${consumers} consumers (processor, storer) x 3,600 s`,
  );
  return { kind: 'per-incident-hour', line, watch: 'the quarantine-rate alarm (records quarantined by the busier consumer)' };
}

function designCost(config: EnvironmentConfig, capacity: CapacityPlan, load: CostLoad, design: Design): DesignCost {
  const names = new PlatformNames(config);
  const lines = [
    ...iotLines(load, design),
    ...kinesisLines(config, load, capacity),
    ...lambdaLines(config, load, design),
    ...dynamodbLines(config, names, load, design),
    ...firehoseLines(load),
    ...s3Lines(config, load, capacity),
    ...cloudwatchLines(config, names, load, capacity),
    ...smallLines(config, load),
  ];
  return { total: lines.reduce((sum, line) => sum + line.usd, 0), lines };
}

/** The derivation printed before the lines: what the quantities rest on. */
function derivationOf(config: EnvironmentConfig, load: CostLoad): string[] {
  const readingsPerSensorMinute = load.readingsPerSecondPerSensor * 60;
  const eventBytes = Math.ceil((load.bytesPerRecord * 4) / 3) + COST_SIZES.lambdaEventPerRecord;
  return [
    `assets          = ${n(load.sensors)} sensors / ${config.capacity.readingsPerMessage} readings per message = ${n(load.assets)} (one message per asset and instant); devices ${n(load.devices)}`,
    `storer batch    = min(${FUNCTION_SETTINGS.storer.batchSize}, 6 MiB / ${eventBytes} B per event record) = ${n(load.storerRecordsPerInvocation)} records; ` +
      `one every ${n(load.storerIntervalSeconds)} s per shard (window ${FUNCTION_SETTINGS.storer.maxBatchingWindowSeconds} s)`,
    `bucket writes   = min(${n(readingsPerSensorMinute)} readings, 60 / ${n(load.storerIntervalSeconds)} s + 1) = ${n(load.bucketWritesPerSensorMinute)} per sensor-minute ` +
      `= ${n(readingsPerSensorMinute / load.bucketWritesPerSensorMinute)} readings per write, ${n(load.wruPerBucketWrite)} WRU each`,
    `archive         = ${n(load.archiveGzBytesPerDay / GIB)} GB/day after GZIP ${COST_ASSUMPTIONS.gzipRatio}:1; S3 at steady state (after ${config.retention.archiveYears} years)`,
    `month           = ${MONTH.hours} h; list prices, no free tier; * = price marked unsure in charts/lib/prices.ts`,
  ];
}

/** The monthly cost of an environment at its capacity plan, with the naive design's cost beside it. */
export function monthlyCost(config: EnvironmentConfig, capacity: CapacityPlan, options: CostOptions = {}): MonthlyCost {
  const load = costLoad(config, capacity, options);
  const platform = designCost(config, capacity, load, 'platform');
  const naive = designCost(config, capacity, load, 'naive');
  return {
    environment: config.environment,
    total: platform.total,
    lines: platform.lines,
    load,
    naive,
    ratio: naive.total / platform.total,
    derivation: derivationOf(config, load),
    exposures: exposureOf(config, load),
  };
}
