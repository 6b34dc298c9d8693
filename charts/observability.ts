import { Construct } from 'constructs';
import { METRIC_NAMES, TABLE_KEYS } from '../functions/shared/constants';
import { Dashboard } from '../imports/cloudwatch.services.k8s.aws';
import { AlarmComparison, AlarmSignal, AlarmStatistic, MetricSpec, OpsAlarm, TreatMissingData } from './constructs/OpsAlarm';
import { CapacityPlan } from './lib/capacity';
import { EnvironmentConfig } from './lib/config';
import { ackMetadata } from './lib/conventions';
import { sortedDocumentJson } from './lib/documentJson';
import { PlatformNames } from './lib/names';
import { PlatformChart, PlatformChartProps } from './lib/PlatformChart';

/**
 * Alarm thresholds, named so the alarms and the dashboard's threshold lines quote the same numbers.
 */
export const ALARM_THRESHOLDS = {
  /**
   * Alerts must leave within a second of the reading; the processor's iterator age is normally
   * well under a second. One retried batch (a timeout, a bisected poison record) can push it to
   * tens of seconds without anything being stuck, so the alarm wants a full minute of lag for two
   * minutes in a row: by then anomaly alerts are no longer real-time and someone must look.
   */
  processorIteratorAgeMs: 60_000,
  /**
   * The storer waits up to 60 s to fill a batch, so an age around a minute is its normal state.
   * Five minutes means the hot tier (the console's recent data) is visibly behind.
   */
  storerIteratorAgeMs: 300_000,
  /**
   * Twice the longest buffering interval Firehose accepts (900 s), so buffering alone can never
   * trip it whatever the archive chart picks. The archive is the cold tier: half an hour of delay
   * harms nobody, more means deliveries are failing and being retried.
   */
  archiveFreshnessSeconds: 1_800,
  /**
   * An asset opens at most one episode per cooldown. More than one episode per 100 sensors within
   * five minutes is no longer "a machine misbehaves" but a plant-wide event (power, compressed air,
   * a network outage replaying old data) or a broken detector (a bad limit after a config change).
   */
  anomalyStormEpisodesPerSensor: 0.01,
  anomalyStormMinimum: 10,
  /**
   * A few quarantined records are one misconfigured device: the dashboard shows them. More than 1 %
   * of the records the capacity plan expects in five minutes is systematic (a firmware or contract
   * change, a broken topic rule) and pages.
   */
  quarantineShareOfRecords: 0.01,
  quarantineMinimum: 10,
  /**
   * A read-path request takes well under two seconds (the bench: a day of a 1 Hz sensor in about a
   * tenth of that against dynalite); the limits keep the worst case far from the 30 s timeout. A p99
   * over 10 s for a quarter of an hour means dashboards are about to time out: DynamoDB throttling,
   * a cold VPC, or requests near the limits.
   */
  queryDurationP99Ms: 10_000,
  /**
   * A shard changes execution environment once per deployment or recycle of the processor's
   * environments (every few hours). A shard that keeps moving is checkpointed every batch, up to
   * 60 times the design's checkpoint writes (`npm run cost`, "exposure"): more than one move per
   * shard in each quarter of an hour for half an hour is that, not a rollout.
   */
  processorShardHandoffsPerShard: 1,
  /**
   * While an episode is open its asset raises no new alert. SKAB's faults last minutes; an episode
   * open for four hours is a fault nobody has fixed, or a normal state the detector holds open (a
   * slow rise of one metric; docs/detection.md): either way someone must look, and acknowledge it
   * in the config if it is normal.
   */
  longOpenEpisodeSeconds: 14_400,
} as const;

/** The evaluation window shared by the rate alarms (anomalies, quarantine, errors). */
const FIVE_MINUTES = 300;
/** The window of the shard-handoff alarm: longer than a rollout's moves. */
const FIFTEEN_MINUTES = 900;

/** Episodes opened in five minutes above which the anomaly-storm alarm fires (scales with the plant). */
export function anomalyStormThreshold(config: EnvironmentConfig): number {
  return Math.max(ALARM_THRESHOLDS.anomalyStormMinimum, Math.ceil(config.capacity.sensors * ALARM_THRESHOLDS.anomalyStormEpisodesPerSensor));
}

/** Records quarantined in five minutes (by either consumer) above which the quarantine alarm fires. */
export function quarantineThreshold(capacity: CapacityPlan): number {
  return Math.max(ALARM_THRESHOLDS.quarantineMinimum, Math.ceil(capacity.recordsPerSecond * FIVE_MINUTES * ALARM_THRESHOLDS.quarantineShareOfRecords));
}

/** One alarm of the platform: a row of the alarm table. */
export interface AlarmRow {
  readonly purpose: string;
  readonly signal: AlarmSignal;
  readonly when: { readonly comparison: AlarmComparison; readonly threshold: number };
  readonly every: { readonly periodSeconds: number; readonly evaluationPeriods: number; readonly datapointsToAlarm?: number };
  readonly missing: TreatMissingData;
  readonly description: string;
}

const above = (threshold: number): AlarmRow['when'] => ({ comparison: 'GreaterThanThreshold', threshold });
/** `periods` consecutive periods of `seconds`, of which `needed` must breach (default: all). */
const every = (seconds: number, periods: number, needed?: number): AlarmRow['every'] => ({
  periodSeconds: seconds,
  evaluationPeriods: periods,
  ...(needed === undefined ? {} : { datapointsToAlarm: needed }),
});

const metric = (namespace: string, metricName: string, dimensions: Record<string, string>, statistic: AlarmStatistic): MetricSpec => ({
  namespace,
  metricName,
  dimensions,
  statistic,
});
const single = (spec: MetricSpec): AlarmSignal => ({ kind: 'metric', metric: spec });
const math = (expression: string, label: string, inputs: Record<string, MetricSpec>): AlarmSignal => ({ kind: 'expression', expression, label, inputs });
/**
 * IoT publishes the rule action metrics (Success, Failure, ErrorActionSuccess, ErrorActionFailure)
 * per RuleName *and* ActionType, so a plain alarm would have to name the action type; a Metrics
 * Insights query sums over whatever dimensions exist and survives a change of action.
 */
const iotRuleQuery = (metricName: string, ruleName: string): AlarmSignal => ({
  kind: 'query',
  query: `SELECT SUM(${metricName}) FROM "AWS/IoT" WHERE RuleName = '${ruleName}'`,
  label: `${metricName} of ${ruleName}`,
});

/** The metric sources the alarms and the dashboard read, by resource. */
function sources(names: PlatformNames): {
  lambda: (functionName: string, metricName: string, statistic: AlarmStatistic) => MetricSpec;
  custom: (metricName: string, service: 'processor' | 'storer', statistic: AlarmStatistic) => MetricSpec;
  stream: (metricName: string, statistic: AlarmStatistic) => MetricSpec;
  queue: (metricName: string, statistic: AlarmStatistic) => MetricSpec;
  firehose: (metricName: string, statistic: AlarmStatistic) => MetricSpec;
  table: (table: string, metricName: string, statistic: AlarmStatistic, index?: string) => MetricSpec;
} {
  return {
    lambda: (functionName, metricName, statistic) => metric('AWS/Lambda', metricName, { FunctionName: functionName }, statistic),
    // Powertools' default `service` dimension is the functions' only one (see METRIC_NAMES).
    custom: (metricName, service, statistic) => metric(names.metricsNamespace, metricName, { service }, statistic),
    stream: (metricName, statistic) => metric('AWS/Kinesis', metricName, { StreamName: names.stream }, statistic),
    queue: (metricName, statistic) => metric('AWS/SQS', metricName, { QueueName: names.deadLetterQueue }, statistic),
    firehose: (metricName, statistic) => metric('AWS/Firehose', metricName, { DeliveryStreamName: names.firehose }, statistic),
    table: (table, metricName, statistic, index) =>
      metric('AWS/DynamoDB', metricName, { TableName: table, ...(index === undefined ? {} : { GlobalSecondaryIndexName: index }) }, statistic),
  };
}

/**
 * Every alarm of the platform, one row each. Missing data is `notBreaching` everywhere: error and
 * throttle counts, lag and freshness are only published while something flows, and a quiet plant
 * (a weekend, a line stopped, a new environment before its first device) is no incident. "Does
 * each consumer keep up with the stream" has one alarm per consumer (`*-stalled`): records enter
 * the stream and the consumer accounts for none of them. A plant that stops sending while it should
 * not shows as assets OFFLINE in the asset status, not as a page.
 */
export function alarmTable(config: EnvironmentConfig, names: PlatformNames, capacity: CapacityPlan): AlarmRow[] {
  const { lambda, custom, stream, queue, firehose, table } = sources(names);
  const processor = names.processorFunction;
  const storer = names.storerFunction;
  const query = names.queryFunction;
  const tableThrottles = (tableName: string, index?: string): AlarmSignal =>
    index === undefined
      ? math('FILL(reads, 0) + FILL(writes, 0)', `throttled requests of ${tableName}`, { reads: table(tableName, 'ReadThrottleEvents', 'Sum'), writes: table(tableName, 'WriteThrottleEvents', 'Sum') })
      : math('FILL(reads, 0) + FILL(writes, 0) + FILL(indexWrites, 0)', `throttled requests of ${tableName} and ${index}`, {
          reads: table(tableName, 'ReadThrottleEvents', 'Sum'),
          writes: table(tableName, 'WriteThrottleEvents', 'Sum'),
          indexWrites: table(tableName, 'WriteThrottleEvents', 'Sum', index),
        });
  const consumerStalled = (label: string, consumed: MetricSpec): AlarmSignal =>
    math('IF(FILL(ingress, 0) > 0 AND FILL(consumed, 0) == 0, 1, 0)', label, { ingress: stream('IncomingRecords', 'Sum'), consumed });

  return [
    { purpose: 'processor-iterator-age', signal: single(lambda(processor, 'IteratorAge', 'Maximum')), when: above(ALARM_THRESHOLDS.processorIteratorAgeMs), every: every(60, 2), missing: 'notBreaching', description: 'The processor lags the stream by more than a minute: anomaly alerts are late. Check processor errors, throttles and duration.' },
    { purpose: 'storer-iterator-age', signal: single(lambda(storer, 'IteratorAge', 'Maximum')), when: above(ALARM_THRESHOLDS.storerIteratorAgeMs), every: every(60, 3), missing: 'notBreaching', description: 'The storer lags the stream by more than five minutes: the hot tier is behind. Check storer errors, throttles and DynamoDB throttling.' },
    { purpose: 'processor-errors', signal: single(lambda(processor, 'Errors', 'Sum')), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'A processor invocation failed as a whole (crash or timeout), blocking its shard until retried. Read the processor log group.' },
    { purpose: 'storer-errors', signal: single(lambda(storer, 'Errors', 'Sum')), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'A storer invocation failed as a whole (crash or timeout), blocking its shard until retried. Read the storer log group.' },
    { purpose: 'processor-throttles', signal: single(lambda(processor, 'Throttles', 'Sum')), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'Lambda throttled the processor: its concurrency is exhausted and records wait. Check account and reserved concurrency.' },
    { purpose: 'storer-throttles', signal: single(lambda(storer, 'Throttles', 'Sum')), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'Lambda throttled the storer: its concurrency is exhausted and records wait. Check account and reserved concurrency.' },
    { purpose: 'query-errors', signal: single(lambda(query, 'Errors', 'Sum')), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'A query function request failed (an exception, a DynamoDB failure or a timeout): dashboards show errors. Read the query log group.' },
    { purpose: 'query-throttles', signal: single(lambda(query, 'Throttles', 'Sum')), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'Lambda throttled the query function: dashboard requests were refused. Check account concurrency and how many dashboards refresh at once.' },
    { purpose: 'query-duration-p99', signal: single(lambda(query, 'Duration', 'p99')), when: above(ALARM_THRESHOLDS.queryDurationP99Ms), every: every(FIVE_MINUTES, 3), missing: 'notBreaching', description: 'The slowest 1 % of query function requests take over 10 s for 15 minutes: dashboards are about to time out. Check readings-table throttling and the ranges and steps dashboards ask for.' },
    { purpose: 'dlq-depth', signal: single(queue('ApproximateNumberOfMessagesVisible', 'Maximum')), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'Batches exhausted their retries and were dead-lettered. Inspect the queue and redrive with scripts/redrive once the cause is fixed.' },
    { purpose: 'iot-telemetry-failures', signal: iotRuleQuery('Failure', names.telemetryRule), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'The telemetry rule failed to write to Kinesis; the messages went to the error action (quarantine prefix). Check Kinesis write throttling and the rule role.' },
    { purpose: 'iot-telemetry-parse-errors', signal: iotRuleQuery('ParseError', names.telemetryRule), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'Devices published telemetry that is not JSON: IoT Core acknowledged it, ran no action and no error action, so it is in neither the stream nor the quarantine. Find the client ids in the IoT logs.' },
    { purpose: 'iot-presence-failures', signal: iotRuleQuery('Failure', names.presenceRule), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'The presence rule failed to write to Kinesis; lifecycle events went to the error action. Check Kinesis write throttling and the rule role.' },
    { purpose: 'iot-telemetry-error-action-failures', signal: iotRuleQuery('ErrorActionFailure', names.telemetryRule), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'The telemetry rule could not write failed messages to the quarantine prefix either: those messages are lost. Check the archive bucket, its key and the rule role.' },
    { purpose: 'iot-presence-error-action-failures', signal: iotRuleQuery('ErrorActionFailure', names.presenceRule), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'The presence rule could not write failed events to the quarantine prefix either: those events are lost. Check the archive bucket, its key and the rule role.' },
    { purpose: 'kinesis-write-throttles', signal: single(stream('WriteProvisionedThroughputExceeded', 'Sum')), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'Kinesis refused writes: IoT does not retry, so the messages went to the quarantine prefix. Raise the shard count (config capacity) or check for a hot partition key.' },
    { purpose: 'kinesis-read-throttles', signal: single(stream('ReadProvisionedThroughputExceeded', 'Sum')), when: above(0), every: every(60, 5, 3), missing: 'notBreaching', description: 'The stream consumers exceed the shared 2 MB/s per-shard read limit in 3 of 5 minutes: every consumer falls behind. Raise the shard count or give the processor an enhanced fan-out consumer.' },
    { purpose: 'readings-table-throttles', signal: tableThrottles(names.readingsTable), when: above(0), every: every(60, 5, 3), missing: 'notBreaching', description: 'DynamoDB throttles the readings table in 3 of 5 minutes: storer batches are retried and the hot tier falls behind.' },
    { purpose: 'asset-status-table-throttles', signal: tableThrottles(names.assetStatusTable, TABLE_KEYS.assetStatus.lineIndex), when: above(0), every: every(60, 5, 3), missing: 'notBreaching', description: 'DynamoDB throttles the asset status table or its line index in 3 of 5 minutes: the processor retries and alerts slow down.' },
    { purpose: 'detector-state-table-throttles', signal: tableThrottles(names.detectorStateTable), when: above(0), every: every(60, 5, 3), missing: 'notBreaching', description: 'DynamoDB throttles the detector state table in 3 of 5 minutes: the processor retries and alerts slow down.' },
    {
      purpose: 'processor-shard-handoffs',
      signal: single(custom(METRIC_NAMES.shardHandoffs, 'processor', 'Sum')),
      when: above(capacity.shardCount * ALARM_THRESHOLDS.processorShardHandoffsPerShard),
      every: every(FIFTEEN_MINUTES, 2),
      missing: 'notBreaching',
      description:
        "Lambda keeps moving the processor's shards between execution environments (more than one move per shard per 15 minutes for half an hour): each move restores the shard's assets, and a shard that keeps moving is checkpointed every batch, up to 60 times the detector-state writes the cost plan assumes. Check processor errors and deployments, then the handoffs on the dashboard.",
    },
    { purpose: 'archive-freshness', signal: single(firehose('DeliveryToS3.DataFreshness', 'Maximum')), when: above(ALARM_THRESHOLDS.archiveFreshnessSeconds), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'The oldest record not yet in the archive bucket is over 30 minutes old: Firehose deliveries fail and are retried only while the records are in the stream (7 days). Check CloudTrail for AccessDenied of the Firehose role, the bucket policy and the key.' },
    { purpose: 'archive-stalled', signal: consumerStalled('Firehose reads nothing while records arrive', firehose('DataReadFromKinesisStream.Records', 'Sum')), when: above(0), every: every(FIVE_MINUTES, 3), missing: 'notBreaching', description: 'Records enter the stream but Firehose has read none for 15 minutes: the archive has stopped. Check the Firehose role and the stream key.' },
    { purpose: 'storer-stalled', signal: consumerStalled('the storer is not invoked while records arrive', lambda(storer, 'Invocations', 'Sum')), when: above(0), every: every(FIVE_MINUTES, 2), missing: 'notBreaching', description: 'Records enter the stream but the storer has not run for 10 minutes: its event source mapping is disabled or failing. Check the mapping state.' },
    { purpose: 'long-open-episode', signal: single(custom(METRIC_NAMES.oldestOpenEpisodeAge, 'processor', 'Maximum')), when: above(ALARM_THRESHOLDS.longOpenEpisodeSeconds), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'An anomaly episode has been open for over four hours; its asset raises no new alert meanwhile. A fault nobody has fixed, or a normal state the detector holds open: find the asset in the processor log (oldestOpenEpisode) and acknowledge it in the config if it is normal.' },
    { purpose: 'alert-notices-dropped', signal: single(custom(METRIC_NAMES.noticesDropped, 'processor', 'Sum')), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'The processor dropped anomaly alerts or recoveries it could not publish for so long that an asset\'s outbox outgrew its bound: those notices will never be sent. Check SNS publishing (the alert topic, its key, the SNS endpoint), then read the dropped episode ids in the processor log.' },
    { purpose: 'anomaly-storm', signal: single(custom(METRIC_NAMES.anomaliesOpened, 'processor', 'Sum')), when: above(anomalyStormThreshold(config)), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'Anomaly episodes open across the plant at once: a plant-wide event or a broken detector (a wrong limit after a config change). Compare with the anomaly alerts and recent deployments.' },
    { purpose: 'quarantine-rate', signal: math('MAX([FILL(processor, 0), FILL(storer, 0)])', 'records quarantined by the busier consumer', { processor: custom(METRIC_NAMES.recordsQuarantined, 'processor', 'Sum'), storer: custom(METRIC_NAMES.recordsQuarantined, 'storer', 'Sum') }), when: above(quarantineThreshold(capacity)), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'Over 1 % of the expected records are quarantined as invalid (both consumers see the same records, so the busier one counts). Read the reasons under the quarantine prefix.' },
    {
      purpose: 'processor-stalled',
      // Everything the processor accounts a record as: judged readings, skipped ones, quarantined records, presence events.
      signal: math(
        'IF(FILL(ingress, 0) > 0 AND FILL(judged, 0) + FILL(skipped, 0) + FILL(quarantined, 0) + FILL(presence, 0) == 0, 1, 0)',
        'the processor accounts for no record while records arrive',
        {
          ingress: stream('IncomingRecords', 'Sum'),
          judged: custom(METRIC_NAMES.readingsProcessed, 'processor', 'Sum'),
          skipped: custom(METRIC_NAMES.readingsSkipped, 'processor', 'Sum'),
          quarantined: custom(METRIC_NAMES.recordsQuarantined, 'processor', 'Sum'),
          presence: custom(METRIC_NAMES.presenceEvents, 'processor', 'Sum'),
        },
      ),
      when: above(0),
      every: every(FIVE_MINUTES, 2),
      missing: 'notBreaching',
      description: 'Records enter the stream but the processor has accounted for none of them for 10 minutes: no anomaly is detected. Check the processor mapping state, its errors and its log group.',
    },
  ];
}

/** A JSON value of the dashboard body. */
type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

interface LineOptions {
  readonly label: string;
  readonly id?: string;
  readonly stat?: string;
  readonly yAxis?: 'left' | 'right';
  readonly visible?: boolean;
}

/** A metric line of a graph: `[namespace, name, dimension, value, ..., {rendering}]`. */
function line(spec: MetricSpec, options: LineOptions): Json {
  const dimensions = Object.keys(spec.dimensions)
    .sort()
    .flatMap((name) => [name, spec.dimensions[name]]);
  return [spec.namespace, spec.metricName, ...dimensions, { stat: options.stat ?? spec.statistic, ...renderOptions(options) }];
}

function expressionLine(expression: string, options: LineOptions): Json {
  return [{ expression, ...renderOptions(options) }];
}

function renderOptions(options: LineOptions): { [key: string]: Json } {
  return {
    label: options.label,
    ...(options.id === undefined ? {} : { id: options.id }),
    ...(options.yAxis === 'right' ? { yAxis: 'right' } : {}),
    ...(options.visible === false ? { visible: false } : {}),
  };
}

interface GraphOptions {
  readonly leftLabel?: string;
  readonly rightLabel?: string;
  readonly thresholds?: readonly { readonly label: string; readonly value: number }[];
}

interface Widget {
  readonly type: string;
  readonly width: number;
  readonly height: number;
  readonly properties: { readonly [key: string]: Json };
}

/** The dashboard grid is 24 columns wide: graphs take half a row each. */
const GRID_WIDTH = 24;
const GRAPH_WIDTH = 12;
const GRAPH_HEIGHT = 6;

/** Graph period: one minute, the resolution of every metric shown. */
const GRAPH_PERIOD = 60;

/** A time-series graph in the environment's region (a dashboard widget has no default region). */
function graph(region: string, title: string, metrics: readonly Json[], options: GraphOptions = {}): Widget {
  const axis = (label: string | undefined): { [key: string]: Json } => ({ min: 0, ...(label === undefined ? {} : { label, showUnits: false }) });
  return {
    type: 'metric',
    width: GRAPH_WIDTH,
    height: GRAPH_HEIGHT,
    properties: {
      title,
      region,
      view: 'timeSeries',
      stacked: false,
      period: GRAPH_PERIOD,
      metrics: [...metrics],
      yAxis: { left: axis(options.leftLabel), ...(options.rightLabel === undefined ? {} : { right: axis(options.rightLabel) }) },
      ...(options.thresholds === undefined ? {} : { annotations: { horizontal: options.thresholds.map((threshold) => ({ label: threshold.label, value: threshold.value })) } }),
    },
  };
}

/** Sum over any dimension set of one IoT metric of one rule, for graphs (SEARCH is allowed on dashboards, not in alarms). */
function iotRuleSearch(metricName: string, ruleName: string): string {
  return `SUM(SEARCH('Namespace="AWS/IoT" MetricName="${metricName}" RuleName="${ruleName}"', 'Sum', ${GRAPH_PERIOD}))`;
}

/** Widgets laid out left to right, top to bottom, on the 24-column grid. */
function layout(widgets: readonly Widget[]): Json[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return widgets.map((widget) => {
    if (x + widget.width > GRID_WIDTH) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const placed = { type: widget.type, x, y, width: widget.width, height: widget.height, properties: widget.properties };
    x += widget.width;
    rowHeight = Math.max(rowHeight, widget.height);
    return placed;
  });
}

/** The dashboard body: the alarm states first, then the data flow from ingress to archive. */
export function dashboardBody(config: EnvironmentConfig, names: PlatformNames, alarmArns: readonly string[]): string {
  const { lambda, custom, stream, queue, firehose, table } = sources(names);
  const region = config.region;
  const functions = [
    { name: names.processorFunction, label: 'processor' },
    { name: names.storerFunction, label: 'storer' },
  ];
  const tables = [
    { name: names.readingsTable, label: 'readings' },
    { name: names.assetStatusTable, label: 'asset status' },
    { name: names.detectorStateTable, label: 'detector state' },
  ];
  const rules = [
    { name: names.telemetryRule, label: 'telemetry rule' },
    { name: names.presenceRule, label: 'presence rule' },
  ];
  const perFunction = (metricName: string, statistic: AlarmStatistic, suffix = ''): Json[] =>
    functions.map((fn) => line(lambda(fn.name, metricName, statistic), { label: `${fn.label}${suffix}` }));

  const widgets: Widget[] = [
    {
      type: 'alarm',
      width: GRID_WIDTH,
      height: GRAPH_HEIGHT,
      properties: { title: 'Alarms', alarms: [...alarmArns], sortBy: 'stateUpdatedTimestamp' },
    },
    graph(region, 'Ingress: Kinesis records and bytes', [
      line(stream('IncomingRecords', 'Sum'), { label: 'records' }),
      line(stream('IncomingBytes', 'Sum'), { label: 'bytes', yAxis: 'right' }),
    ], { leftLabel: 'records/min', rightLabel: 'bytes/min' }),
    graph(region, 'Iterator age of the consumers (ms)', perFunction('IteratorAge', 'Maximum'), {
      thresholds: [
        { label: 'processor alarm', value: ALARM_THRESHOLDS.processorIteratorAgeMs },
        { label: 'storer alarm', value: ALARM_THRESHOLDS.storerIteratorAgeMs },
      ],
    }),
    graph(region, 'Lambda duration (ms)', [
      ...functions.map((fn) => line(lambda(fn.name, 'Duration', 'Average'), { label: `${fn.label} p50`, stat: 'p50' })),
      ...functions.map((fn) => line(lambda(fn.name, 'Duration', 'Maximum'), { label: `${fn.label} p99`, stat: 'p99' })),
    ]),
    graph(region, 'Lambda errors and throttles', [...perFunction('Errors', 'Sum', ' errors'), ...perFunction('Throttles', 'Sum', ' throttles')]),
    // Handoffs: batches whose shard another execution environment had processed (the processor restored its assets from checkpoints).
    graph(region, 'Lambda concurrency and processor shard handoffs', [
      ...perFunction('ConcurrentExecutions', 'Maximum'),
      line(custom(METRIC_NAMES.shardHandoffs, 'processor', 'Sum'), { label: 'processor shard handoffs', yAxis: 'right' }),
    ], { rightLabel: 'handoffs/min' }),
    graph(region, 'Readings processed, stored and quarantined records', [
      line(custom(METRIC_NAMES.readingsProcessed, 'processor', 'Sum'), { label: 'processed (processor)' }),
      line(custom(METRIC_NAMES.readingsStored, 'storer', 'Sum'), { label: 'stored (storer)' }),
      line(custom(METRIC_NAMES.recordsQuarantined, 'processor', 'Sum'), { label: 'quarantined records (processor)', yAxis: 'right' }),
      line(custom(METRIC_NAMES.recordsQuarantined, 'storer', 'Sum'), { label: 'quarantined records (storer)', yAxis: 'right' }),
    ], { leftLabel: 'readings/min', rightLabel: 'records/min' }),
    graph(region, 'Batching: readings stored per bucket write', [
      line(custom(METRIC_NAMES.readingsStored, 'storer', 'Sum'), { label: 'readings stored', id: 'stored' }),
      line(custom(METRIC_NAMES.bucketWrites, 'storer', 'Sum'), { label: 'bucket writes', id: 'writes' }),
      expressionLine('stored / writes', { label: 'readings per write (batching factor)', id: 'factor', yAxis: 'right' }),
    ], { leftLabel: 'per min', rightLabel: 'readings/write' }),
    graph(region, 'Anomalies opened and alerts published', [
      line(custom(METRIC_NAMES.anomaliesOpened, 'processor', 'Sum'), { label: 'anomaly episodes opened' }),
      line(custom(METRIC_NAMES.alertsPublished, 'processor', 'Sum'), { label: 'alerts published' }),
    ], { thresholds: [{ label: 'storm alarm (per 5 min)', value: anomalyStormThreshold(config) }] }),
    graph(region, 'End-to-end latency, device to processed (ms)', [
      line(custom(METRIC_NAMES.endToEndLatency, 'processor', 'Average'), { label: 'p50', stat: 'p50' }),
      line(custom(METRIC_NAMES.endToEndLatency, 'processor', 'Maximum'), { label: 'p99', stat: 'p99' }),
    ]),
    graph(region, 'Dead-letter queue', [
      line(queue('ApproximateNumberOfMessagesVisible', 'Maximum'), { label: 'messages' }),
      line(queue('ApproximateAgeOfOldestMessage', 'Maximum'), { label: 'age of oldest (s)', yAxis: 'right' }),
    ], { leftLabel: 'messages', rightLabel: 'seconds' }),
    graph(region, 'DynamoDB consumed capacity', tables.flatMap((t) => [
      line(table(t.name, 'ConsumedReadCapacityUnits', 'Sum'), { label: `${t.label} reads` }),
      line(table(t.name, 'ConsumedWriteCapacityUnits', 'Sum'), { label: `${t.label} writes` }),
    ]), { leftLabel: 'units/min' }),
    graph(region, 'DynamoDB throttled requests', tables.flatMap((t) => [
      line(table(t.name, 'ReadThrottleEvents', 'Sum'), { label: `${t.label} reads` }),
      line(table(t.name, 'WriteThrottleEvents', 'Sum'), { label: `${t.label} writes` }),
    ])),
    graph(region, 'Archive: Firehose data freshness and reads', [
      line(firehose('DeliveryToS3.DataFreshness', 'Maximum'), { label: 'freshness (s)' }),
      line(firehose('DataReadFromKinesisStream.Records', 'Sum'), { label: 'records read', yAxis: 'right' }),
    ], { leftLabel: 'seconds', rightLabel: 'records/min', thresholds: [{ label: 'freshness alarm', value: ALARM_THRESHOLDS.archiveFreshnessSeconds }] }),
    ...rules.map((rule, index) =>
      graph(region, `IoT ${rule.label}: matches, successes, failures, parse errors`, [
        line(metric('AWS/IoT', 'TopicMatch', { RuleName: rule.name }, 'Sum'), { label: 'messages matched' }),
        expressionLine(iotRuleSearch('Success', rule.name), { label: 'action successes', id: `success${index}` }),
        expressionLine(iotRuleSearch('Failure', rule.name), { label: 'action failures', id: `failure${index}` }),
        expressionLine(iotRuleSearch('ErrorActionFailure', rule.name), { label: 'error action failures (lost)', id: `lost${index}` }),
        // ParseError carries only RuleName: a plain metric, not a search.
        line(metric('AWS/IoT', 'ParseError', { RuleName: rule.name }, 'Sum'), { label: 'not JSON (lost, no error action)' }),
      ]),
    ),
  ];
  // Indented, keys sorted: one widget per block, so a dashboard change reads as a small diff.
  return sortedDocumentJson({ widgets: layout(widgets) });
}

/**
 * CloudWatch alarms on every stage of the pipeline, all notifying the operations topic on ALARM and
 * OK, and one dashboard that follows the data from ingress to archive with the alarm states on top.
 */
export class ObservabilityChart extends PlatformChart {
  readonly alarms: readonly OpsAlarm[];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, props);
    const { config, names } = this;

    this.alarms = alarmTable(config, names, this.capacity).map(
      (row) =>
        new OpsAlarm(this, row.purpose, {
          config,
          names,
          purpose: row.purpose,
          description: `${row.description} Dashboard: ${names.dashboardUrl}`,
          signal: row.signal,
          comparison: row.when.comparison,
          threshold: row.when.threshold,
          periodSeconds: row.every.periodSeconds,
          evaluationPeriods: row.every.evaluationPeriods,
          datapointsToAlarm: row.every.datapointsToAlarm,
          treatMissingData: row.missing,
        }),
    );

    // The ACK Dashboard has no tags field: CloudWatch dashboards cannot be tagged at creation.
    this.dashboard = new Dashboard(this, 'dashboard', {
      metadata: ackMetadata(config, names, names.dashboard, 'observability'),
      spec: {
        dashboardName: names.dashboard,
        dashboardBody: dashboardBody(config, names, this.alarms.map((alarm) => alarm.alarmArn)),
      },
    });
  }
}
