import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Testing } from 'cdk8s';
import { GRAFANA_SIDECAR, GrafanaChart } from '../../charts/grafana';
import { pipelineDashboardIdentity } from '../../charts/lib/pipelineDashboardIdentity';
import { stableJson, type Json } from '../../charts/lib/stableJson';
import { SYNC_WAVES } from '../../charts/lib/conventions';
import { platformLabels } from '../../charts/lib/platformLabels';
import { PlatformNames } from '../../charts/lib/names';
import { functionEnvironment, type StreamFunction } from '../../charts/lib/functionEnvironment';
import { Processor } from '../../functions/processor/Processor';
import { Storer } from '../../functions/storer/Storer';
import { BucketWriter } from '../../functions/storer/BucketWriter';
import { EMITTED_METRICS } from '../../scripts/lib/cost';
import { MemoryQuarantine } from '../helpers/fakes';
import { platformProps, RenderedObject } from '../helpers/platform';
import { assetSecond, kinesisEvent, kinesisRecords, lambdaContext, NOW, presence } from '../helpers/records';
import { MemoryAlerts, MemoryStates, MemoryStatus } from '../functions/processor/fakePorts';
import { MemoryBuckets } from '../functions/storer/fakeBuckets';

interface Target {
  refId: string;
  datasource: { type: string; uid: string };
  region: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  statistic: string;
}
interface Panel {
  id: number;
  title: string;
  type: string;
  datasource: { type: string; uid: string };
  targets: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string }[] };
}

function render(environment: string): RenderedObject {
  const app = Testing.app();
  const objects = Testing.synth(new GrafanaChart(app, 'grafana', platformProps(environment))) as RenderedObject[];
  expect(objects).toHaveLength(1);
  return objects[0] as RenderedObject;
}

function dashboardText(object: RenderedObject): string {
  const data = object.data as Record<string, string>;
  expect(Object.keys(data)).toHaveLength(1);
  return Object.values(data)[0] as string;
}

/**
 * What the real functions print: each EMF document as `namespace|dimension=value,...|metric`. The
 * functions run with the environment the processing chart sets (POWERTOOLS_SERVICE_NAME and
 * POWERTOOLS_METRICS_NAMESPACE) and a real Powertools Metrics, created as their index.ts creates it;
 * stdout is captured, as CloudWatch Logs would receive it.
 */
async function emittedMetrics(environment: string): Promise<Set<string>> {
  const props = platformProps(environment);
  const printed: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  const saved = { ...process.env };
  const metricsFor = (fn: StreamFunction): Metrics => {
    const env = functionEnvironment(props.config, props.names, fn);
    for (const key of ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE']) process.env[key] = env[key];
    delete process.env.POWERTOOLS_DEV;
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    return new Metrics();
  };
  try {
    const logger = new Logger({ logLevel: 'SILENT' });
    const processor = new Processor({
      settings: { warmupSamples: 10, cooldownSeconds: 60, limits: { temperature: { max: 100 } } },
      states: new MemoryStates(),
      status: new MemoryStatus(),
      alerts: new MemoryAlerts(),
      quarantine: new MemoryQuarantine(),
      metrics: metricsFor('processor'),
      logger,
      statusHeartbeatSeconds: 60,
      breakers: [],
      now: () => NOW,
    });
    const storer = new Storer({
      buckets: new BucketWriter({ store: new MemoryBuckets(), quarantine: new MemoryQuarantine(), retentionDays: 30 }),
      quarantine: new MemoryQuarantine(),
      metrics: metricsFor('storer'),
      logger,
      breakers: [],
      now: () => NOW,
    });
    const seconds = Array.from({ length: 15 }, (_, i) => assetSecond('pump-1', NOW - 60_000 + i * 1_000, { temperature: i < 12 ? 70 + (i % 3) : 150, pressure: 2 }));
    const event = kinesisEvent(kinesisRecords([...seconds, 'junk', presence()]));
    await processor.handle(event, lambdaContext());
    await storer.handle(event, lambdaContext());
  } finally {
    write.mockRestore();
    process.env = saved;
  }
  const emitted = new Set<string>();
  for (const line of printed.join('').split('\n').filter((text) => text.startsWith('{'))) {
    const document = JSON.parse(line) as { _aws?: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } } & Record<string, unknown>;
    for (const directive of document._aws?.CloudWatchMetrics ?? []) {
      for (const dimensionSet of directive.Dimensions) {
        const dimensions = [...dimensionSet].sort().map((name) => `${name}=${String(document[name])}`).join(',');
        for (const metric of directive.Metrics) emitted.add(`${directive.Namespace}|${dimensions}|${metric.Name}`);
      }
    }
  }
  return emitted;
}

describe('GrafanaChart', () => {
  it('renders the pipeline dashboard ConfigMap of dev as in the snapshot', () => {
    expect(Testing.synth(new GrafanaChart(Testing.app(), 'grafana', platformProps('dev')))).toMatchSnapshot();
  });

  it.each(['dev', 'prod'])('renders the %s pipeline dashboard as a ConfigMap the Grafana sidecar loads', (environment) => {
    const object = render(environment);
    const { config, names } = platformProps(environment);
    expect(object.apiVersion).toBe('v1');
    expect(object.kind).toBe('ConfigMap');
    expect(object.metadata).toEqual({
      name: `grafana-pipeline-${config.suffix}`,
      namespace: names.namespace,
      labels: { ...platformLabels(config), grafana_dashboard: '1' },
      annotations: { 'argocd.argoproj.io/sync-wave': String(SYNC_WAVES.observability), [GRAFANA_SIDECAR.folderAnnotation]: GRAFANA_SIDECAR.folder },
    });
    expect(Object.keys(object.data as object)).toEqual([pipelineDashboardIdentity(config).file]);
  });

  it('is valid Grafana dashboard JSON: title, uid, and panels that each read a data source with targets', () => {
    const dashboard = JSON.parse(dashboardText(render('dev'))) as Dashboard;
    expect(dashboard.title).toBe('Plant telemetry pipeline (dev)');
    expect(dashboard.uid).toBe('telemetry-pipeline-dev');
    expect(dashboard.uid.length).toBeLessThanOrEqual(40);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.templating.list).toEqual([expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'cloudwatch' })]);
    expect(dashboard.panels.length).toBeGreaterThan(0);
    expect(new Set(dashboard.panels.map((panel) => panel.id)).size).toBe(dashboard.panels.length);
    for (const panel of dashboard.panels) {
      expect(panel).toMatchObject({ type: 'timeseries', datasource: { type: 'cloudwatch', uid: '${datasource}' } });
      expect(panel.targets.length).toBeGreaterThan(0);
      expect(new Set(panel.targets.map((target) => target.refId)).size).toBe(panel.targets.length);
      for (const target of panel.targets) {
        // A fixed 60 s period returns no data beyond the 15 days CloudWatch keeps 1-minute points; auto follows the range.
        expect(target).toMatchObject({ datasource: { type: 'cloudwatch' }, region: 'sa-east-1', period: 'auto' });
        expect(target.namespace).not.toBe('');
        expect(target.metricName).not.toBe('');
      }
    }
  });

  it('covers the pipeline: Kinesis ingress and iterator age, invocations, errors, duration, and the EMF metrics', () => {
    const dashboard = JSON.parse(dashboardText(render('dev'))) as Dashboard;
    const read = new Set(dashboard.panels.flatMap((panel) => panel.targets.map((target) => `${target.namespace}:${target.metricName}`)));
    for (const metric of ['AWS/Kinesis:IncomingRecords', 'AWS/Lambda:IteratorAge', 'AWS/Lambda:Invocations', 'AWS/Lambda:Errors', 'AWS/Lambda:Duration']) expect(read).toContain(metric);
    for (const metric of ['ReadingsProcessed', 'ReadingsStored', 'RecordsQuarantined', 'AlertsPublished', 'EndToEndLatency', 'BatchDuration']) expect(read).toContain(`PlantTelemetry/dev:${metric}`);
  });

  it("shows beside the dead-letter queue the given-up batches each function's mapping could not send to it", () => {
    const dashboard = JSON.parse(dashboardText(render('dev'))) as Dashboard;
    const queue = dashboard.panels.find((panel) => panel.title === 'Dead-letter queue');
    expect(queue?.targets.map((target) => `${target.namespace}:${target.metricName}:${Object.values(target.dimensions).join(',')}:${target.statistic}`)).toEqual([
      'AWS/SQS:ApproximateNumberOfMessagesVisible:sqs-stream-dlq-dev:Maximum',
      'AWS/Lambda:DestinationDeliveryFailures:lambda-processor-dev:Sum',
      'AWS/Lambda:DestinationDeliveryFailures:lambda-storer-dev:Sum',
    ]);
  });

  it('prints the JSON indented with sorted keys, the same on every synth, no line over 1,000 characters', () => {
    const text = dashboardText(render('prod'));
    expect(text).toBe(stableJson(JSON.parse(text) as Json));
    expect(text.split('\n').length).toBeGreaterThan(100);
    expect(text).toContain('\n  "panels": [\n');
    expect(Math.max(...text.split('\n').map((line) => line.length))).toBeLessThanOrEqual(1000);
    expect(dashboardText(render('prod'))).toBe(text);
  });

  it('queries only metrics the functions emit, in the namespace and dimensions they emit them', async () => {
    const emitted = await emittedMetrics('dev');
    const names = new PlatformNames(platformProps('dev').config);
    const dashboard = JSON.parse(dashboardText(render('dev'))) as Dashboard;
    const custom = dashboard.panels.flatMap((panel) => panel.targets).filter((target) => target.namespace === names.metricsNamespace);
    expect(custom.length).toBeGreaterThan(0);
    for (const target of custom) {
      const dimensions = Object.keys(target.dimensions).sort().map((name) => `${name}=${target.dimensions[name]}`).join(',');
      expect(emitted).toContain(`${target.namespace}|${dimensions}|${target.metricName}`);
    }
    // The cost model counts the same custom metrics the functions print.
    const perService = (service: string): string[] =>
      [...emitted].filter((key) => key.startsWith(`${names.metricsNamespace}|service=${service}|`)).map((key) => key.split('|')[2] as string).sort();
    expect(perService('processor')).toEqual([...EMITTED_METRICS.processor].sort());
    expect(perService('storer')).toEqual([...EMITTED_METRICS.storer].sort());
  });

  it('names the environment resources in the AWS metrics it reads', () => {
    const { names } = platformProps('prod');
    const dashboard = JSON.parse(dashboardText(render('prod'))) as Dashboard;
    const expected: Record<string, Record<string, readonly string[]>> = {
      'AWS/Lambda': { FunctionName: [names.processorFunction, names.storerFunction] },
      'AWS/Kinesis': { StreamName: [names.stream] },
      'AWS/SQS': { QueueName: [names.deadLetterQueue] },
      [names.metricsNamespace]: { service: ['processor', 'storer'] },
    };
    for (const target of dashboard.panels.flatMap((panel) => panel.targets)) {
      const allowed = expected[target.namespace];
      expect(allowed).toBeDefined();
      for (const [dimension, value] of Object.entries(target.dimensions)) expect(allowed?.[dimension]).toContain(value);
    }
  });
});
