import { Construct } from 'constructs';
import { METRIC_NAMES, TABLE_KEYS } from '../functions/shared/constants';
import { Dashboard } from '../imports/cloudwatch.services.k8s.aws';
import { AlarmStatistic, MetricSpec, OpsAlarm } from './constructs/OpsAlarm';
import { ackMetadata } from './lib/ackMetadata';
import { alarmTable } from './lib/alarmTable';
import { anomalyStormThreshold } from './lib/anomalyStormThreshold';
import { EnvironmentConfig } from './lib/config';
import { ALARM_THRESHOLDS } from './lib/constants';
import { metricSources } from './lib/metricSources';
import { metricSpec } from './lib/metricSpec';
import { PlatformNames } from './lib/names';
import { PlatformChart, PlatformChartProps } from './lib/PlatformChart';
import { sortedDocumentJson } from './lib/sortedDocumentJson';
import type { Json } from './lib/stableJson';


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

/** Sum of one IoT metric over every dimension set: every rule name (names no rule of the platform has too), or every protocol of the broker's metrics. */
function iotAccountSearch(metricName: string): string {
  return `SUM(SEARCH('Namespace="AWS/IoT" MetricName="${metricName}"', 'Sum', ${GRAPH_PERIOD}))`;
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
function dashboardBody(config: EnvironmentConfig, names: PlatformNames, alarmArns: readonly string[]): string {
  const { lambda, custom, stream, queue, firehose, table } = metricSources(names);
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
      // A given-up batch whose details never reached the queue: nothing to redrive.
      ...perFunction('DestinationDeliveryFailures', 'Sum', ' sends failed (lost)'),
      line(queue('ApproximateAgeOfOldestMessage', 'Maximum'), { label: 'age of oldest (s)', yAxis: 'right' }),
    ], { leftLabel: 'messages', rightLabel: 'seconds' }),
    graph(region, 'DynamoDB consumed capacity', tables.flatMap((t) => [
      line(table(t.name, 'ConsumedReadCapacityUnits', 'Sum'), { label: `${t.label} reads` }),
      line(table(t.name, 'ConsumedWriteCapacityUnits', 'Sum'), { label: `${t.label} writes` }),
    ]), { leftLabel: 'units/min' }),
    graph(region, 'DynamoDB throttled requests', [
      ...tables.flatMap((t) => [
        line(table(t.name, 'ReadThrottleEvents', 'Sum'), { label: `${t.label} reads` }),
        line(table(t.name, 'WriteThrottleEvents', 'Sum'), { label: `${t.label} writes` }),
      ]),
      // The line index publishes its own throttle events, under the table and index names together.
      line(table(names.assetStatusTable, 'ReadThrottleEvents', 'Sum', TABLE_KEYS.assetStatus.lineIndex), { label: `asset status ${TABLE_KEYS.assetStatus.lineIndex} reads` }),
      line(table(names.assetStatusTable, 'WriteThrottleEvents', 'Sum', TABLE_KEYS.assetStatus.lineIndex), { label: `asset status ${TABLE_KEYS.assetStatus.lineIndex} writes` }),
    ]),
    graph(region, 'Archive: Firehose data freshness and reads', [
      line(firehose('DeliveryToS3.DataFreshness', 'Maximum'), { label: 'freshness (s)' }),
      line(firehose('DataReadFromKinesisStream.Records', 'Sum'), { label: 'records read', yAxis: 'right' }),
    ], { leftLabel: 'seconds', rightLabel: 'records/min', thresholds: [{ label: 'freshness alarm', value: ALARM_THRESHOLDS.archiveFreshnessSeconds }] }),
    // Device connections and publishes the broker refused: a refused publish is dropped before any rule runs.
    graph(region, 'IoT devices: connections and publishes, refused and throttled', [
      expressionLine(iotAccountSearch('Connect.Success'), { label: 'connections', id: 'connects' }),
      expressionLine(iotAccountSearch('PublishIn.Success'), { label: 'publishes', id: 'publishes', yAxis: 'right' }),
      expressionLine(iotAccountSearch('Connect.AuthError'), { label: 'connections refused by policy', id: 'connectRefused' }),
      expressionLine(iotAccountSearch('PublishIn.AuthError'), { label: 'publishes refused by policy (lost)', id: 'publishRefused' }),
      expressionLine(iotAccountSearch('Connect.Throttle'), { label: 'connections throttled', id: 'connectThrottled' }),
      expressionLine(iotAccountSearch('PublishIn.Throttle'), { label: 'publishes throttled', id: 'publishThrottled', yAxis: 'right' }),
    ], { leftLabel: 'connections/min', rightLabel: 'publishes/min' }),
    ...rules.map((rule, index) =>
      graph(region, `IoT ${rule.label}: matches, successes, failures and losses`, [
        line(metricSpec('AWS/IoT', 'TopicMatch', { RuleName: rule.name }, 'Sum'), { label: 'messages matched' }),
        expressionLine(iotRuleSearch('Success', rule.name), { label: 'action successes', id: `success${index}` }),
        expressionLine(iotRuleSearch('Failure', rule.name), { label: 'action failures', id: `failure${index}` }),
        expressionLine(iotRuleSearch('ErrorActionFailure', rule.name), { label: 'error action failures (lost)', id: `lost${index}` }),
        // ParseError and RuleMessageThrottled carry only RuleName: plain metrics, not searches.
        line(metricSpec('AWS/IoT', 'ParseError', { RuleName: rule.name }, 'Sum'), { label: 'not JSON (lost, no error action)' }),
        line(metricSpec('AWS/IoT', 'RuleMessageThrottled', { RuleName: rule.name }, 'Sum'), { label: 'throttled by the rules engine (lost, no error action)' }),
        // Devices publish through the telemetry rule's Basic Ingest topic: a missing rule shows here, under any name.
        ...(rule.name === names.telemetryRule ? [expressionLine(iotAccountSearch('RuleNotFound'), { label: 'rule not found, any rule name (lost)', id: 'notFound' })] : []),
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
