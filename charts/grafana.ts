import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { METRIC_NAMES } from '../functions/shared/constants';
import { EnvironmentConfig } from './lib/config';
import { ALARM_THRESHOLDS } from './lib/constants';
import { kubernetesMetadata } from './lib/kubernetesMetadata';
import { PlatformNames } from './lib/names';
import { pipelineDashboardIdentity } from './lib/pipelineDashboardIdentity';
import { PlatformChart, PlatformChartProps } from './lib/PlatformChart';
import { stableJson, type Json } from './lib/stableJson';

/**
 * The label and annotation the Grafana dashboard sidecar (kiwigrid k8s-sidecar, as the Grafana Helm
 * chart runs it) looks for: a ConfigMap with the label is loaded, each data key a dashboard file; the
 * folder annotation applies where the chart sets `sidecar.dashboards.folderAnnotation: grafana_folder`.
 */
export const GRAFANA_SIDECAR = { label: 'grafana_dashboard', labelValue: '1', folderAnnotation: 'grafana_folder', folder: 'Plant telemetry' } as const;

/** Grafana's dashboard JSON schema version the panels are written for (Grafana 10.4 / 11). */
export const GRAFANA_SCHEMA_VERSION = 39;

/** Panels are half the 24-column grid wide. */
const PANEL = { width: 12, height: 8 } as const;
/**
 * Grafana picks each query's period from the time range and CloudWatch's retention (1-minute data is
 * kept 15 days, 5-minute 63 days, hourly 455 days): a fixed 60 s returns nothing further back.
 */
const PERIOD = 'auto';

/** One CloudWatch metric a panel reads (the Grafana CloudWatch data source's metric search query). */
export interface GrafanaMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** Sum, Average, Maximum, or a percentile such as p99. */
  readonly statistic: string;
  readonly label: string;
}

interface PanelSpec {
  readonly title: string;
  readonly unit: string;
  readonly metrics: readonly GrafanaMetric[];
  readonly thresholds?: readonly number[];
}

/** The panels of the pipeline dashboard, from ingress to the functions' own metrics. */
function pipelinePanels(names: PlatformNames): PanelSpec[] {
  const lambda = (functionName: string, metricName: string, statistic: string, label: string): GrafanaMetric => ({
    namespace: 'AWS/Lambda',
    metricName,
    dimensions: { FunctionName: functionName },
    statistic,
    label,
  });
  // The functions' EMF metrics carry one dimension, Powertools' `service` (see METRIC_NAMES).
  const custom = (metricName: string, service: 'processor' | 'storer', statistic: string, label: string): GrafanaMetric => ({
    namespace: names.metricsNamespace,
    metricName,
    dimensions: { service },
    statistic,
    label,
  });
  const stream = (metricName: string, statistic: string, label: string): GrafanaMetric => ({ namespace: 'AWS/Kinesis', metricName, dimensions: { StreamName: names.stream }, statistic, label });
  const both = (metricName: string, statistic: string, suffix = ''): GrafanaMetric[] => [
    lambda(names.processorFunction, metricName, statistic, `processor${suffix}`),
    lambda(names.storerFunction, metricName, statistic, `storer${suffix}`),
  ];
  return [
    { title: 'Kinesis: incoming records', unit: 'short', metrics: [stream('IncomingRecords', 'Sum', 'records per period')] },
    { title: 'Kinesis: incoming bytes', unit: 'bytes', metrics: [stream('IncomingBytes', 'Sum', 'bytes per period')] },
    {
      title: 'Iterator age of the consumers',
      unit: 'ms',
      metrics: both('IteratorAge', 'Maximum'),
      thresholds: [ALARM_THRESHOLDS.processorIteratorAgeMs, ALARM_THRESHOLDS.storerIteratorAgeMs],
    },
    { title: 'Invocations', unit: 'short', metrics: both('Invocations', 'Sum') },
    { title: 'Errors and throttles', unit: 'short', metrics: [...both('Errors', 'Sum', ' errors'), ...both('Throttles', 'Sum', ' throttles')] },
    { title: 'Lambda duration', unit: 'ms', metrics: [...both('Duration', 'p50', ' p50'), ...both('Duration', 'p99', ' p99')] },
    {
      title: 'Readings processed and stored',
      unit: 'short',
      metrics: [
        custom(METRIC_NAMES.readingsProcessed, 'processor', 'Sum', 'judged (processor)'),
        custom(METRIC_NAMES.readingsStored, 'storer', 'Sum', 'stored (storer)'),
        custom(METRIC_NAMES.bucketWrites, 'storer', 'Sum', 'bucket writes (storer)'),
      ],
    },
    {
      title: 'Records quarantined and retried',
      unit: 'short',
      metrics: [
        custom(METRIC_NAMES.recordsQuarantined, 'processor', 'Sum', 'quarantined (processor)'),
        custom(METRIC_NAMES.recordsQuarantined, 'storer', 'Sum', 'quarantined (storer)'),
        custom(METRIC_NAMES.recordsRetried, 'processor', 'Sum', 'retried (processor)'),
        custom(METRIC_NAMES.recordsRetried, 'storer', 'Sum', 'retried (storer)'),
      ],
    },
    {
      title: 'Anomaly episodes and alerts',
      unit: 'short',
      metrics: [
        custom(METRIC_NAMES.anomaliesOpened, 'processor', 'Sum', 'episodes opened'),
        custom(METRIC_NAMES.alertsPublished, 'processor', 'Sum', 'alerts published'),
        custom(METRIC_NAMES.recoveriesPublished, 'processor', 'Sum', 'recoveries published'),
      ],
    },
    {
      title: 'End-to-end latency, device to processed',
      unit: 'ms',
      metrics: [
        custom(METRIC_NAMES.endToEndLatency, 'processor', 'p50', 'p50'),
        custom(METRIC_NAMES.endToEndLatency, 'processor', 'p99', 'p99'),
      ],
    },
    {
      title: 'Batch duration',
      unit: 'ms',
      metrics: [
        custom(METRIC_NAMES.batchDuration, 'processor', 'p99', 'processor p99'),
        custom(METRIC_NAMES.batchDuration, 'storer', 'p99', 'storer p99'),
      ],
    },
    {
      // Batches whose shard another container processed in between: the processor restored its assets.
      title: 'Processor shard handoffs',
      unit: 'short',
      metrics: [custom(METRIC_NAMES.shardHandoffs, 'processor', 'Sum', 'handoffs')],
    },
    {
      title: 'Dead-letter queue',
      unit: 'short',
      metrics: [
        { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: names.deadLetterQueue }, statistic: 'Maximum', label: 'messages' },
        // Given-up batches whose details never reached the queue: lost to the redrive tool.
        ...both('DestinationDeliveryFailures', 'Sum', ' sends failed (lost)'),
      ],
    },
  ];
}

const DATASOURCE: Json = { type: 'cloudwatch', uid: '${datasource}' };
const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function target(metric: GrafanaMetric, index: number, region: string): Json {
  return {
    refId: REF_IDS[index] ?? `Q${index}`,
    datasource: DATASOURCE,
    queryMode: 'Metrics',
    // Metric search (0) in the builder (0): a plain namespace/metric/dimensions query, no SQL.
    metricQueryType: 0,
    metricEditorMode: 0,
    region,
    namespace: metric.namespace,
    metricName: metric.metricName,
    dimensions: { ...metric.dimensions },
    matchExact: true,
    statistic: metric.statistic,
    period: PERIOD,
    label: metric.label,
    id: '',
    expression: '',
  };
}

function panel(spec: PanelSpec, index: number, region: string): Json {
  const thresholds: Json = {
    mode: 'absolute',
    steps: [{ color: 'green', value: null }, ...(spec.thresholds ?? []).map((value): Json => ({ color: 'red', value }))],
  };
  return {
    id: index + 1,
    type: 'timeseries',
    title: spec.title,
    datasource: DATASOURCE,
    gridPos: { h: PANEL.height, w: PANEL.width, x: (index % 2) * PANEL.width, y: Math.floor(index / 2) * PANEL.height },
    targets: spec.metrics.map((metric, i) => target(metric, i, region)),
    fieldConfig: {
      defaults: {
        unit: spec.unit,
        min: 0,
        thresholds,
        custom: { thresholdsStyle: { mode: spec.thresholds === undefined ? 'off' : 'line' } },
      },
      overrides: [],
    },
    options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'none' } },
  };
}

/** The Grafana dashboard model of the pipeline, reading CloudWatch through a data source picked by variable. */
function pipelineDashboard(config: EnvironmentConfig, names: PlatformNames): Json {
  const { uid, title } = pipelineDashboardIdentity(config);
  return {
    uid,
    title,
    description: `Data flow of plant telemetry ${config.environment}: Kinesis ingress, the processor and storer functions, their EMF metrics (${names.metricsNamespace}). Alarms: CloudWatch dashboard ${names.dashboard}.`,
    tags: ['plant-telemetry', config.environment],
    timezone: 'utc',
    editable: false,
    graphTooltip: 1,
    refresh: '1m',
    time: { from: 'now-6h', to: 'now' },
    schemaVersion: GRAFANA_SCHEMA_VERSION,
    version: 1,
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'CloudWatch data source',
          type: 'datasource',
          query: 'cloudwatch',
          current: {},
          hide: 0,
          refresh: 1,
          options: [],
        },
      ],
    },
    annotations: { list: [] },
    links: [{ title: 'CloudWatch dashboard and alarms', type: 'link', url: names.dashboardUrl, targetBlank: true }],
    panels: pipelinePanels(names).map((spec, index) => panel(spec, index, config.region)),
  };
}

/**
 * Grafana dashboards as code: the pipeline dashboard as a ConfigMap in the environment's namespace that
 * the Grafana sidecar loads (it must watch that namespace: `sidecar.dashboards.searchNamespace`).
 *
 * Out of scope for now: a per-line sensor dashboard (readings of one line's assets from the hot tier).
 * It needs a read path over the readings table, the planned query function; CloudWatch holds no
 * per-sensor series (the EMF metrics are per function only, on purpose).
 */
export class GrafanaChart extends PlatformChart {
  readonly pipelineDashboard: ApiObject;

  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, props);
    const { config, names } = this;
    const identity = pipelineDashboardIdentity(config);
    const metadata = kubernetesMetadata(config, `grafana-pipeline-${config.suffix}`, names.namespace, 'observability');
    this.pipelineDashboard = new ApiObject(this, 'pipeline-dashboard', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        ...metadata,
        labels: { ...metadata.labels, [GRAFANA_SIDECAR.label]: GRAFANA_SIDECAR.labelValue },
        annotations: { ...metadata.annotations, [GRAFANA_SIDECAR.folderAnnotation]: GRAFANA_SIDECAR.folder },
      },
      data: { [identity.file]: stableJson(pipelineDashboard(config, names)) },
    });
  }
}
