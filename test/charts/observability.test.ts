import { Testing } from 'cdk8s';
import { MetricSpec, OpsAlarm, OpsAlarmProps } from '../../charts/constructs/OpsAlarm';
import { ALARM_THRESHOLDS } from '../../charts/lib/constants';
import { anomalyStormThreshold } from '../../charts/lib/anomalyStormThreshold';
import { quarantineThreshold } from '../../charts/lib/quarantineThreshold';
import { ObservabilityChart } from '../../charts/observability';
import { FUNCTION_SETTINGS } from '../../charts/processing';
import { alarmState, metricKey } from '../helpers/alarmEvaluator';
import { findObject, platformProps, RenderedObject, synthChart } from '../helpers/platform';

const render = (environment = 'dev'): RenderedObject[] => synthChart((app, props) => new ObservabilityChart(app, 'observability', props), environment);

interface AlarmSpec {
  name: string;
  alarmDescription: string;
  actionsEnabled: boolean;
  alarmActions: string[];
  oKActions: string[];
  comparisonOperator: string;
  threshold: number;
  period?: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: string;
  namespace?: string;
  metricName?: string;
  statistic?: string;
  dimensions?: { name: string; value: string }[];
  metrics?: { id: string; expression?: string; returnData: boolean; period?: number; metricStat?: { metric: { metricName: string; dimensions: { name: string; value: string }[] } } }[];
  tags: { key: string; value: string }[];
}

interface DashboardWidget {
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  properties: { region?: string; alarms?: string[]; metrics?: unknown[][]; title: string };
}

const alarms = (objects: readonly RenderedObject[]): AlarmSpec[] => objects.filter((object) => object.kind === 'MetricAlarm').map((object) => object.spec as unknown as AlarmSpec);
const alarm = (objects: readonly RenderedObject[], name: string): AlarmSpec => findObject(objects, 'MetricAlarm', name).spec as unknown as AlarmSpec;
const widgets = (objects: readonly RenderedObject[]): DashboardWidget[] =>
  (JSON.parse((findObject(objects, 'Dashboard').spec as { dashboardBody: string }).dashboardBody) as { widgets: DashboardWidget[] }).widgets;

const OPS_TOPIC = 'arn:aws:sns:sa-east-1:111122223333:sns-ops-dev';
const STREAM = 'kinesis-telemetry-dev';
const SHARD = 'shardId-000000000000';
/** The stream-level records put, as the processor-stalled alarm reads them. */
const INGRESS = metricKey('IncomingRecords', { StreamName: STREAM });
const ofProcessor = (metricName: string): string => metricKey(metricName, { service: 'processor' });

/** Every alarm the platform must have, with what silence means for it. */
const EXPECTED_ALARMS: Record<string, 'breaching' | 'notBreaching'> = {
  'cw-processor-iterator-age-dev': 'notBreaching',
  'cw-storer-iterator-age-dev': 'notBreaching',
  'cw-processor-errors-dev': 'notBreaching',
  'cw-storer-errors-dev': 'notBreaching',
  'cw-processor-throttles-dev': 'notBreaching',
  'cw-storer-throttles-dev': 'notBreaching',
  'cw-query-errors-dev': 'notBreaching',
  'cw-query-throttles-dev': 'notBreaching',
  'cw-query-duration-p99-dev': 'notBreaching',
  'cw-dlq-depth-dev': 'notBreaching',
  'cw-processor-dlq-send-failures-dev': 'notBreaching',
  'cw-storer-dlq-send-failures-dev': 'notBreaching',
  'cw-iot-telemetry-failures-dev': 'notBreaching',
  'cw-iot-telemetry-parse-errors-dev': 'notBreaching',
  'cw-iot-presence-failures-dev': 'notBreaching',
  'cw-iot-telemetry-error-action-failures-dev': 'notBreaching',
  'cw-iot-presence-error-action-failures-dev': 'notBreaching',
  'cw-iot-telemetry-throttled-dev': 'notBreaching',
  'cw-iot-presence-throttled-dev': 'notBreaching',
  'cw-iot-rule-not-found-dev': 'notBreaching',
  'cw-iot-publish-auth-errors-dev': 'notBreaching',
  'cw-iot-connect-auth-errors-dev': 'notBreaching',
  'cw-kinesis-write-throttles-dev': 'notBreaching',
  'cw-kinesis-read-throttles-dev': 'notBreaching',
  'cw-readings-table-throttles-dev': 'notBreaching',
  'cw-asset-status-table-throttles-dev': 'notBreaching',
  'cw-detector-state-table-throttles-dev': 'notBreaching',
  'cw-processor-shard-handoffs-dev': 'notBreaching',
  'cw-archive-freshness-dev': 'notBreaching',
  'cw-archive-stalled-dev': 'notBreaching',
  'cw-storer-stalled-dev': 'notBreaching',
  'cw-long-open-episode-dev': 'notBreaching',
  'cw-alert-notices-dropped-dev': 'notBreaching',
  'cw-anomaly-storm-dev': 'notBreaching',
  'cw-quarantine-rate-dev': 'notBreaching',
  'cw-processor-stalled-dev': 'notBreaching',
};

describe('ObservabilityChart', () => {
  const objects = render();

  test('renders the alarms and the dashboard', () => {
    expect(objects).toMatchSnapshot();
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([
      ...Object.keys(EXPECTED_ALARMS).map((name) => `MetricAlarm/${name}`),
      'Dashboard/cw-telemetry-dev',
    ]);
  });

  test('every alarm exists, notifies the ops topic on ALARM and on OK, and decides what missing data means', () => {
    // No alarm renders unlisted, so none goes without its runbook and its missing-data decision.
    expect(alarms(objects).map((spec) => spec.name).sort()).toEqual(Object.keys(EXPECTED_ALARMS).sort());
    for (const [name, missing] of Object.entries(EXPECTED_ALARMS)) {
      const spec = alarm(objects, name);
      expect(spec).toMatchObject({ name, actionsEnabled: true, alarmActions: [OPS_TOPIC], oKActions: [OPS_TOPIC], treatMissingData: missing });
      expect(spec.alarmDescription).toMatch(/ Dashboard: https:\/\/sa-east-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=sa-east-1#dashboards\/dashboard\/cw-telemetry-dev$/);
    }
  });

  test('every object is an ACK object pinned to sa-east-1, deleted with its object, in the observability wave', () => {
    for (const object of objects) {
      expect(object.metadata.namespace).toBe('telemetry-dev');
      expect(object.metadata.annotations).toEqual({
        'services.k8s.aws/region': 'sa-east-1',
        'services.k8s.aws/deletion-policy': 'delete',
        'argocd.argoproj.io/sync-wave': '5',
      });
    }
    for (const spec of alarms(objects)) {
      // Only the tags fixed for the environment: CloudWatch keeps an alarm's tags from its creation, and
      // the admission policy refuses a change of them, which a change of the config's owner would be.
      expect(Object.fromEntries(spec.tags.map((tag) => [tag.key, tag.value]))).toEqual({ project: 'plant-telemetry', environment: 'dev' });
    }
  });

  test("a change of the config's owner, cost center or classification leaves every alarm as it was (their tags are create-only)", () => {
    const retagged = Testing.synth(
      new ObservabilityChart(Testing.app(), 'observability', platformProps('dev', { owner: 'plant-ops', costCenter: 'plant-sp-maint', dataClassification: 'confidential' })),
    ) as RenderedObject[];
    expect(alarms(retagged)).toEqual(alarms(objects));
    expect(alarms(retagged)).toHaveLength(alarms(objects).length);
  });

  test('the consumers lag alarms: processor a minute (alerts are real-time), storer five minutes (it batches for 60 s)', () => {
    expect(alarm(objects, 'cw-processor-iterator-age-dev')).toMatchObject({
      namespace: 'AWS/Lambda',
      metricName: 'IteratorAge',
      dimensions: [{ name: 'FunctionName', value: 'lambda-processor-dev' }],
      statistic: 'Maximum',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: 60_000,
      period: 60,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
    });
    expect(alarm(objects, 'cw-storer-iterator-age-dev')).toMatchObject({
      dimensions: [{ name: 'FunctionName', value: 'lambda-storer-dev' }],
      statistic: 'Maximum',
      threshold: 300_000,
      period: 300,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
    });
  });

  /**
   * Lambda publishes IteratorAge once per invocation. The Maximum of each alarm period over the
   * invocations that fell in it, oldest period first; a period without one has no datapoint.
   */
  const perPeriod = (invocations: readonly { at: number; ageMs: number }[], period: number, periods: number): (number | undefined)[] =>
    Array.from({ length: periods }, (_, index) => {
      const ages = invocations.filter((invocation) => invocation.at >= index * period && invocation.at < (index + 1) * period).map((invocation) => invocation.ageMs);
      return ages.length === 0 ? undefined : Math.max(...ages);
    });

  test.each(['processor', 'storer'] as const)('the %s lag alarm has an invocation in every period, however far apart its batches run', (fn) => {
    const lag = alarm(objects, `cw-${fn}-iterator-age-dev`);
    // The longest gap between two invocations of one shard: the batching window, then a batch that runs to its timeout.
    const gap = FUNCTION_SETTINGS[fn].maxBatchingWindowSeconds + FUNCTION_SETTINGS[fn].timeoutSeconds;
    expect(lag.period).toBeGreaterThan(gap);
    // One shard, its batches that far apart, lagging ten minutes for half an hour.
    const lagging = Array.from({ length: Math.floor(1800 / gap) }, (_, index) => ({ at: index * gap, ageMs: 600_000 }));
    const periods = Math.floor(1800 / (lag.period ?? 1));
    expect(alarmState(lag, { [metricKey('IteratorAge', { FunctionName: `lambda-${fn}-dev` })]: perPeriod(lagging, lag.period ?? 1, periods) }, periods)).toBe('ALARM');
  });

  test('one slow storer batch that lags five minutes once does not fire its lag alarm', () => {
    const lag = alarm(objects, 'cw-storer-iterator-age-dev');
    const batches = [0, 180, 360, 540, 720, 900].map((at) => ({ at, ageMs: at === 360 ? 400_000 : 60_000 }));
    expect(alarmState(lag, { [metricKey('IteratorAge', { FunctionName: 'lambda-storer-dev' })]: perPeriod(batches, 300, 3) }, 3)).toBe('OK');
  });

  test('the query function alarms on its first error or throttle, and on a p99 duration over 10 s for 15 minutes', () => {
    expect(alarm(objects, 'cw-query-duration-p99-dev')).toMatchObject({
      namespace: 'AWS/Lambda',
      metricName: 'Duration',
      dimensions: [{ name: 'FunctionName', value: 'lambda-query-dev' }],
      extendedStatistic: 'p99',
      period: 300,
      evaluationPeriods: 3,
      threshold: ALARM_THRESHOLDS.queryDurationP99Ms,
    });
    expect(alarm(objects, 'cw-query-duration-p99-dev')).not.toHaveProperty('statistic');
  });

  test('Lambda errors and throttles of the three functions alarm on the first one', () => {
    for (const fn of ['processor', 'storer', 'query']) {
      for (const metric of ['Errors', 'Throttles']) {
        expect(alarm(objects, `cw-${fn}-${metric.toLowerCase()}-dev`)).toMatchObject({
          namespace: 'AWS/Lambda',
          metricName: metric,
          dimensions: [{ name: 'FunctionName', value: `lambda-${fn}-dev` }],
          statistic: 'Sum',
          comparisonOperator: 'GreaterThanThreshold',
          threshold: 0,
        });
      }
    }
  });

  test('a dead-lettered batch alarms at once', () => {
    expect(alarm(objects, 'cw-dlq-depth-dev')).toMatchObject({
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: [{ name: 'QueueName', value: 'sqs-stream-dlq-dev' }],
      statistic: 'Maximum',
      threshold: 0,
    });
  });

  test("a given-up batch whose details the mapping could not send to the dead-letter queue alarms at once, per function", () => {
    for (const fn of ['processor', 'storer']) {
      const failed = alarm(objects, `cw-${fn}-dlq-send-failures-dev`);
      expect(failed).toMatchObject({
        namespace: 'AWS/Lambda',
        metricName: 'DestinationDeliveryFailures',
        dimensions: [{ name: 'FunctionName', value: `lambda-${fn}-dev` }],
        statistic: 'Sum',
        comparisonOperator: 'GreaterThanThreshold',
        threshold: 0,
        period: 300,
        evaluationPeriods: 1,
      });
      expect(alarmState(failed, { [metricKey('DestinationDeliveryFailures', { FunctionName: `lambda-${fn}-dev` })]: [undefined, 1] }, 2)).toBe('ALARM');
    }
  });

  test('IoT rule action and error action failures are summed over action types with Metrics Insights', () => {
    const cases = [
      ['cw-iot-telemetry-failures-dev', 'Failure', 'iot_telemetry_dev'],
      ['cw-iot-presence-failures-dev', 'Failure', 'iot_presence_dev'],
      ['cw-iot-telemetry-error-action-failures-dev', 'ErrorActionFailure', 'iot_telemetry_dev'],
      ['cw-iot-presence-error-action-failures-dev', 'ErrorActionFailure', 'iot_presence_dev'],
      // Not JSON, or throttled by the rules engine: no action and no error action run, so only this count says the messages were lost.
      ['cw-iot-telemetry-parse-errors-dev', 'ParseError', 'iot_telemetry_dev'],
      ['cw-iot-telemetry-throttled-dev', 'RuleMessageThrottled', 'iot_telemetry_dev'],
      ['cw-iot-presence-throttled-dev', 'RuleMessageThrottled', 'iot_presence_dev'],
    ];
    for (const [name, metric, rule] of cases) {
      const spec = alarm(objects, name);
      expect(spec.metrics).toEqual([
        { id: 'signal', expression: `SELECT SUM(${metric}) FROM "AWS/IoT" WHERE RuleName = '${rule}'`, label: `${metric} of ${rule}`, period: 300, returnData: true },
      ]);
      expect(spec.namespace).toBeUndefined();
      expect(spec.period).toBeUndefined();
    }
  });

  test('a publish to a rule that does not exist alarms whatever rule name it asked for', () => {
    const notFound = alarm(objects, 'cw-iot-rule-not-found-dev');
    expect(notFound.metrics).toEqual([{ id: 'signal', expression: 'SELECT SUM(RuleNotFound) FROM "AWS/IoT"', label: 'RuleNotFound of any rule name', period: 300, returnData: true }]);
    expect(notFound).toMatchObject({ comparisonOperator: 'GreaterThanThreshold', threshold: 0, evaluationPeriods: 1 });
    // The telemetry rule deleted while devices publish to it, or firmware with a misspelt rule name.
    expect(alarmState(notFound, { [metricKey('RuleNotFound', { RuleName: 'iot_telemetry_dev' })]: [3] }, 1)).toBe('ALARM');
    expect(alarmState(notFound, { [metricKey('RuleNotFound', { RuleName: 'iot_telemetri_dev' })]: [3] }, 1)).toBe('ALARM');
    expect(alarmState(notFound, { [metricKey('RuleNotFound', { RuleName: 'iot_telemetry_dev' })]: [0] }, 1)).toBe('OK');
  });

  test("publishes and connections the broker refuses alarm at once, on any protocol, with the dotted metric name quoted as Metrics Insights needs", () => {
    const publishes = alarm(objects, 'cw-iot-publish-auth-errors-dev');
    expect(publishes.metrics).toEqual([{ id: 'signal', expression: 'SELECT SUM("PublishIn.AuthError") FROM "AWS/IoT"', label: 'PublishIn.AuthError of any protocol', period: 300, returnData: true }]);
    expect(publishes).toMatchObject({ comparisonOperator: 'GreaterThanThreshold', threshold: 0, evaluationPeriods: 1 });
    // One device publishing outside its line, over MQTT or over WebSockets, is readings lost.
    expect(alarmState(publishes, { [metricKey('PublishIn.AuthError', { Protocol: 'MQTT' })]: [1] }, 1)).toBe('ALARM');
    expect(alarmState(publishes, { [metricKey('PublishIn.AuthError', { Protocol: 'MQTT' })]: [0], [metricKey('PublishIn.AuthError', { Protocol: 'WebSockets' })]: [2] }, 1)).toBe('ALARM');
    expect(alarmState(publishes, { [metricKey('PublishIn.AuthError', { Protocol: 'MQTT' })]: [0] }, 1)).toBe('OK');
    expect(alarmState(publishes, {}, 1)).toBe('OK');
    const connects = alarm(objects, 'cw-iot-connect-auth-errors-dev');
    expect(connects.metrics?.[0]?.expression).toBe('SELECT SUM("Connect.AuthError") FROM "AWS/IoT"');
    expect(alarmState(connects, { [metricKey('Connect.AuthError', { Protocol: 'MQTT' })]: [4] }, 1)).toBe('ALARM');
    expect(alarmState(connects, { [metricKey('Connect.AuthError', { Protocol: 'MQTT' })]: [0] }, 1)).toBe('OK');
    // CloudWatch refuses a dotted name left bare; so does the evaluator.
    expect(() => alarmState({ ...connects, metrics: [{ id: 'signal', expression: 'SELECT SUM(Connect.AuthError) FROM "AWS/IoT"', returnData: true }] }, {}, 1)).toThrow(
      'alarmEvaluator: Metrics Insights query not supported: SELECT SUM(Connect.AuthError) FROM "AWS/IoT"',
    );
  });

  test('Kinesis write throttling alarms at once, read throttling when sustained', () => {
    expect(alarm(objects, 'cw-kinesis-write-throttles-dev')).toMatchObject({
      namespace: 'AWS/Kinesis',
      metricName: 'WriteProvisionedThroughputExceeded',
      dimensions: [{ name: 'StreamName', value: 'kinesis-telemetry-dev' }],
      threshold: 0,
      evaluationPeriods: 1,
    });
    expect(alarm(objects, 'cw-kinesis-read-throttles-dev')).toMatchObject({ metricName: 'ReadProvisionedThroughputExceeded', period: 60, evaluationPeriods: 5, datapointsToAlarm: 3 });
  });

  test('DynamoDB throttling sums read and write throttle events per table (and the line index of asset status)', () => {
    const inputs = (name: string): string[] =>
      (alarm(objects, name).metrics ?? [])
        .filter((query) => query.metricStat)
        .map((query) => `${query.id}=${query.metricStat?.metric.metricName}:${query.metricStat?.metric.dimensions.map((d) => `${d.name}=${d.value}`).join(',')}`);
    expect(inputs('cw-readings-table-throttles-dev')).toEqual([
      'reads=ReadThrottleEvents:TableName=dynamodb-readings-dev',
      'writes=WriteThrottleEvents:TableName=dynamodb-readings-dev',
    ]);
    expect(inputs('cw-asset-status-table-throttles-dev')).toEqual([
      'indexReads=ReadThrottleEvents:GlobalSecondaryIndexName=byLine,TableName=dynamodb-asset-status-dev',
      'indexWrites=WriteThrottleEvents:GlobalSecondaryIndexName=byLine,TableName=dynamodb-asset-status-dev',
      'reads=ReadThrottleEvents:TableName=dynamodb-asset-status-dev',
      'writes=WriteThrottleEvents:TableName=dynamodb-asset-status-dev',
    ]);
    expect(alarm(objects, 'cw-asset-status-table-throttles-dev').metrics?.at(-1)).toEqual({
      id: 'signal',
      expression: 'FILL(reads, 0) + FILL(writes, 0) + FILL(indexReads, 0) + FILL(indexWrites, 0)',
      label: 'throttled requests of dynamodb-asset-status-dev and byLine',
      returnData: true,
    });
    // Line listings read the index only (the query function): their throttles are published under the index, not the table.
    const indexReads = metricKey('ReadThrottleEvents', { TableName: 'dynamodb-asset-status-dev', GlobalSecondaryIndexName: 'byLine' });
    expect(alarmState(alarm(objects, 'cw-asset-status-table-throttles-dev'), { [indexReads]: [4, 0, 4, 4, 0] }, 5)).toBe('ALARM');
    expect(inputs('cw-detector-state-table-throttles-dev')).toHaveLength(2);
  });

  test('the archive alarms on freshness above twice the longest Firehose buffer, and on a stalled read', () => {
    expect(alarm(objects, 'cw-archive-freshness-dev')).toMatchObject({
      namespace: 'AWS/Firehose',
      metricName: 'DeliveryToS3.DataFreshness',
      dimensions: [{ name: 'DeliveryStreamName', value: 'firehose-archive-dev' }],
      statistic: 'Maximum',
      threshold: 1_800,
    });
    expect(alarm(objects, 'cw-archive-stalled-dev').metrics?.at(-1)?.expression).toBe('IF(FILL(ingress, 0) > 0 AND FILL(consumed, 0) == 0, 1, 0)');
    expect(alarm(objects, 'cw-storer-stalled-dev').metrics?.find((query) => query.id === 'consumed')?.metricStat?.metric).toEqual({
      namespace: 'AWS/Lambda',
      metricName: 'Invocations',
      dimensions: [{ name: 'FunctionName', value: 'lambda-storer-dev' }],
    });
  });

  test('the application metrics: a long-open episode, anomaly storm, quarantine rate, and a stalled processor (silence never breaches)', () => {
    expect(alarm(objects, 'cw-anomaly-storm-dev')).toMatchObject({
      namespace: 'PlantTelemetry/dev',
      metricName: 'AnomaliesOpened',
      dimensions: [{ name: 'service', value: 'processor' }],
      statistic: 'Sum',
      period: 300,
      threshold: 20,
    });
    // The oldest open episode any batch judged: four hours of one, and nobody has looked.
    expect(alarm(objects, 'cw-long-open-episode-dev')).toMatchObject({
      namespace: 'PlantTelemetry/dev',
      metricName: 'OldestOpenEpisodeAge',
      dimensions: [{ name: 'service', value: 'processor' }],
      statistic: 'Maximum',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: 14_400,
      treatMissingData: 'notBreaching',
    });
    // Any notice dropped unpublished is an alert or recovery nobody will receive.
    expect(alarm(objects, 'cw-alert-notices-dropped-dev')).toMatchObject({
      namespace: 'PlantTelemetry/dev',
      metricName: 'NoticesDropped',
      dimensions: [{ name: 'service', value: 'processor' }],
      statistic: 'Sum',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: 0,
      evaluationPeriods: 1,
      treatMissingData: 'notBreaching',
    });
    expect(alarm(objects, 'cw-quarantine-rate-dev')).toMatchObject({ threshold: 750, evaluationPeriods: 1 });
    expect(alarm(objects, 'cw-quarantine-rate-dev').metrics?.map((query) => query.metricStat?.metric.dimensions[0].value ?? query.expression)).toEqual([
      'processor',
      'storer',
      'MAX([FILL(processor, 0), FILL(storer, 0)])',
    ]);
    // Not "no readings for 5 minutes, missing data breaching", which paged at creation and whenever the plant was idle.
    expect(alarm(objects, 'cw-processor-stalled-dev')).toMatchObject({ comparisonOperator: 'GreaterThanThreshold', threshold: 0, evaluationPeriods: 2, treatMissingData: 'notBreaching' });
    expect(alarm(objects, 'cw-processor-stalled-dev').metrics?.map((query) => query.metricStat?.metric.metricName ?? query.expression)).toEqual([
      'IncomingRecords',
      'ReadingsProcessed',
      'PresenceEvents',
      'RecordsQuarantined',
      'ReadingsSkipped',
      'IF(FILL(ingress, 0) > 0 AND FILL(judged, 0) + FILL(skipped, 0) + FILL(quarantined, 0) + FILL(presence, 0) == 0, 1, 0)',
    ]);
  });

  test('as CloudWatch evaluates them, no alarm fires on a new environment or an idle plant (nothing published for an hour)', () => {
    const silence = {};
    const firing = alarms(objects).filter((spec) => alarmState(spec, silence, 12) === 'ALARM').map((spec) => spec.name);
    expect(firing).toEqual([]);
  });

  test('processor-stalled fires when records arrive and the processor accounts for none for two periods, not when it judges or quarantines them', () => {
    const stalled = alarm(objects, 'cw-processor-stalled-dev');
    const arriving = [500, 500, 500];
    expect(alarmState(stalled, { [INGRESS]: arriving }, 3)).toBe('ALARM');
    expect(alarmState(stalled, { [INGRESS]: arriving, [ofProcessor('ReadingsProcessed')]: [4000, 4000, 4000] }, 3)).toBe('OK');
    expect(alarmState(stalled, { [INGRESS]: arriving, [ofProcessor('RecordsQuarantined')]: [undefined, 500, 500] }, 3)).toBe('OK');
    expect(alarmState(stalled, { [INGRESS]: [undefined, undefined, 500] }, 3)).toBe('OK');
  });

  test('as CloudWatch matches metrics, a datapoint reaches an alarm only under the full dimension set of the metric it reads', () => {
    const throttles = alarm(objects, 'cw-kinesis-write-throttles-dev');
    const streamLevel = metricKey('WriteProvisionedThroughputExceeded', { StreamName: STREAM });
    const shardLevel = metricKey('WriteProvisionedThroughputExceeded', { StreamName: STREAM, ShardId: SHARD });
    expect([streamLevel, shardLevel]).toEqual([
      'WriteProvisionedThroughputExceeded{StreamName=kinesis-telemetry-dev}',
      'WriteProvisionedThroughputExceeded{ShardId=shardId-000000000000,StreamName=kinesis-telemetry-dev}',
    ]);
    // The shard-level datapoint is another metric: it does not trip the alarm on the stream-level one.
    expect(alarmState(throttles, { [shardLevel]: [25] }, 1)).toBe('OK');
    expect(alarmState(throttles, { [streamLevel]: [0], [shardLevel]: [25] }, 1)).toBe('OK');
    expect(alarmState(throttles, { [streamLevel]: [25] }, 1)).toBe('ALARM');
    // The same for an input of a metric math alarm.
    const stalled = alarm(objects, 'cw-processor-stalled-dev');
    expect(alarmState(stalled, { [metricKey('IncomingRecords', { StreamName: STREAM, ShardId: SHARD })]: [500, 500, 500] }, 3)).toBe('OK');
    expect(alarmState(stalled, { [INGRESS]: [500, 500, 500] }, 3)).toBe('ALARM');
  });

  test('a Metrics Insights alarm sums every dimension set that carries its WHERE values, and only those', () => {
    const failures = alarm(objects, 'cw-iot-telemetry-failures-dev');
    const failed = (rule: string, actionType: string): string => metricKey('Failure', { RuleName: rule, ActionType: actionType });
    expect(alarmState(failures, { [failed('iot_telemetry_dev', 'Kinesis')]: [1] }, 1)).toBe('ALARM');
    expect(alarmState(failures, { [failed('iot_telemetry_dev', 'Kinesis')]: [0], [failed('iot_telemetry_dev', 'S3')]: [0] }, 1)).toBe('OK');
    expect(alarmState(failures, { [failed('iot_presence_dev', 'Kinesis')]: [1] }, 1)).toBe('OK');
  });

  const misKeyed: [string, string][] = [
    ['WriteProvisionedThroughputExceeded', 'alarmEvaluator: scenario key "WriteProvisionedThroughputExceeded" is not MetricName{dimension=value,...}'],
    [
      'WriteProvisionedThroughputExceeded{StreamName=kinesis-telemetry-dev,ShardId=shardId-000000000000}',
      'alarmEvaluator: scenario key "WriteProvisionedThroughputExceeded{StreamName=kinesis-telemetry-dev,ShardId=shardId-000000000000}" must list its dimensions once each, sorted by name: "WriteProvisionedThroughputExceeded{ShardId=shardId-000000000000,StreamName=kinesis-telemetry-dev}"',
    ],
    [
      'WriteThrottleEvents{TableName=dynamodb-readings-dev}',
      'alarmEvaluator: scenario metric WriteThrottleEvents{TableName=dynamodb-readings-dev} is not read by alarm cw-kinesis-write-throttles-dev, which reads WriteProvisionedThroughputExceeded',
    ],
  ];
  // A key that can match nothing would read as silence, and an alarm that stays OK would pass unnoticed.
  test.each(misKeyed)('a scenario key %s throws instead of reading as silence', (key, message) => {
    expect(() => alarmState(alarm(objects, 'cw-kinesis-write-throttles-dev'), { [key]: [25] }, 1)).toThrow(new Error(message));
  });

  test('shard handoffs alarm when shards keep moving for half an hour, not on a rollout', () => {
    const handoffs = alarm(objects, 'cw-processor-shard-handoffs-dev');
    const shards = platformProps('dev').capacity.shardCount;
    expect(handoffs).toMatchObject({
      namespace: 'PlantTelemetry/dev',
      metricName: 'ShardHandoffs',
      dimensions: [{ name: 'service', value: 'processor' }],
      statistic: 'Sum',
      period: 900,
      evaluationPeriods: 2,
      threshold: shards,
      comparisonOperator: 'GreaterThanThreshold',
    });
    // A rollout moves each shard once or twice within one quarter of an hour; recycles once every few hours.
    expect(alarmState(handoffs, { [ofProcessor('ShardHandoffs')]: [undefined, 2 * shards, shards] }, 3)).toBe('OK');
    // Random placement in the load test moved 40 % of the batches: hundreds of moves per shard a quarter.
    expect(alarmState(handoffs, { [ofProcessor('ShardHandoffs')]: [undefined, 300 * shards, 300 * shards] }, 3)).toBe('ALARM');
    expect(alarm(render('prod'), 'cw-processor-shard-handoffs-prod').threshold).toBe(platformProps('prod').capacity.shardCount);
  });

  test('in on-demand mode the shard-handoff threshold follows the shards AWS gives the stream, not the plan\'s count', () => {
    const dev = platformProps('dev');
    const onDemand = (environment: string): RenderedObject[] => {
      const props = platformProps(environment);
      return Testing.synth(
        new ObservabilityChart(Testing.app(), 'observability', platformProps(environment, { capacity: { ...props.config.capacity, onDemand: true } })),
      ) as RenderedObject[];
    };
    // dev's plan needs one shard; a new on-demand stream has four, and a rollout moves each once or twice.
    expect(dev.capacity.shardCount).toBe(1);
    const handoffs = alarm(onDemand('dev'), 'cw-processor-shard-handoffs-dev');
    expect(handoffs.threshold).toBe(4);
    expect(alarmState(handoffs, { [ofProcessor('ShardHandoffs')]: [undefined, 8, 4] }, 3)).toBe('OK');
    expect(alarmState(handoffs, { [ofProcessor('ShardHandoffs')]: [undefined, 1200, 1200] }, 3)).toBe('ALARM');
    // prod's peak writes need 3 shards (1.5 at steady state, headroom 2); on demand it splits to about twice that.
    expect(alarm(onDemand('prod'), 'cw-processor-shard-handoffs-prod').threshold).toBe(6);
  });

  test('thresholds that scale with the plant follow the capacity inputs', () => {
    const dev = platformProps('dev');
    const prod = platformProps('prod');
    expect([anomalyStormThreshold(dev.config), anomalyStormThreshold(prod.config)]).toEqual([20, 120]);
    expect([quarantineThreshold(dev.capacity), quarantineThreshold(prod.capacity)]).toEqual([750, 4500]);
    expect(alarm(render('prod'), 'cw-anomaly-storm-prod').threshold).toBe(120);
    expect(anomalyStormThreshold({ ...dev.config, capacity: { ...dev.config.capacity, sensors: 5 } })).toBe(ALARM_THRESHOLDS.anomalyStormMinimum);
  });
});

describe('ObservabilityChart dashboard', () => {
  const objects = render();
  const body = (findObject(objects, 'Dashboard').spec as { dashboardBody: string }).dashboardBody;

  test('is named by names.dashboard and its body is valid, deterministic JSON', () => {
    expect(findObject(objects, 'Dashboard').spec).toMatchObject({ dashboardName: 'cw-telemetry-dev' });
    expect(() => JSON.parse(body)).not.toThrow();
    expect((render().find((object) => object.kind === 'Dashboard')?.spec as { dashboardBody: string }).dashboardBody).toBe(body);
  });

  test('names no region other than sa-east-1, and every graph sets it', () => {
    expect(body.match(/[a-z]{2}(-gov)?-[a-z]+-\d/g)?.filter((region) => region !== 'sa-east-1') ?? []).toEqual([]);
    for (const widget of widgets(objects).filter((w) => w.type === 'metric')) expect(widget.properties.region).toBe('sa-east-1');
  });

  test('the alarm widget lists every alarm ARN, once', () => {
    const alarmWidget = widgets(objects).filter((widget) => widget.type === 'alarm');
    expect(alarmWidget).toHaveLength(1);
    expect(alarmWidget[0].properties.alarms).toEqual(Object.keys(EXPECTED_ALARMS).map((name) => `arn:aws:cloudwatch:sa-east-1:111122223333:alarm:${name}`));
  });

  test('covers the pipeline from ingress to archive', () => {
    expect(widgets(objects).map((widget) => widget.properties.title)).toEqual([
      'Alarms',
      'Ingress: Kinesis records and bytes',
      'Iterator age of the consumers (ms)',
      'Lambda duration (ms)',
      'Lambda errors and throttles',
      'Lambda concurrency and processor shard handoffs',
      'Readings processed, stored and quarantined records',
      'Batching: readings stored per bucket write',
      'Anomalies opened and alerts published',
      'End-to-end latency, device to processed (ms)',
      'Dead-letter queue',
      'DynamoDB consumed capacity',
      'DynamoDB throttled requests',
      'Archive: Firehose data freshness and reads',
      'IoT devices: connections and publishes, refused and throttled',
      'IoT telemetry rule: matches, successes, failures and losses',
      'IoT presence rule: matches, successes, failures and losses',
    ]);
    const metricNames = new Set(widgets(objects).flatMap((widget) => (widget.properties.metrics ?? []).map((line) => line[1])));
    for (const name of ['IncomingRecords', 'IncomingBytes', 'IteratorAge', 'Duration', 'Errors', 'Throttles', 'ConcurrentExecutions', 'ReadingsProcessed', 'ReadingsStored', 'RecordsQuarantined', 'BucketWrites', 'AnomaliesOpened', 'AlertsPublished', 'EndToEndLatency', 'ApproximateNumberOfMessagesVisible', 'ConsumedWriteCapacityUnits', 'WriteThrottleEvents', 'DeliveryToS3.DataFreshness', 'TopicMatch', 'ParseError', 'RuleMessageThrottled', 'DestinationDeliveryFailures', 'ReadThrottleEvents']) {
      expect(metricNames).toContain(name);
    }
    expect(body).toContain('"expression": "stored / writes"');
    const latency = widgets(objects).find((widget) => widget.properties.title.startsWith('End-to-end latency'));
    expect(latency?.properties.metrics?.map((line) => (line.at(-1) as { stat: string }).stat)).toEqual(['p50', 'p99']);
  });

  test('draws each new loss path beside the metrics of what it belongs to', () => {
    const widget = (title: string): DashboardWidget => {
      const found = widgets(objects).find((candidate) => candidate.properties.title === title);
      if (found === undefined) throw new Error(`no widget ${title}`);
      return found;
    };
    const lines = (title: string): unknown[][] => widget(title).properties.metrics ?? [];
    const plain = (title: string): string[] => lines(title).filter((line) => typeof line[0] === 'string').map((line) => line.slice(1, -1).join(' '));
    const expressions = (title: string): string[] => lines(title).filter((line) => typeof line[0] === 'object').map((line) => (line[0] as { expression: string }).expression);
    expect(plain('IoT telemetry rule: matches, successes, failures and losses')).toContain('RuleMessageThrottled RuleName iot_telemetry_dev');
    expect(plain('IoT presence rule: matches, successes, failures and losses')).toContain('RuleMessageThrottled RuleName iot_presence_dev');
    // Any rule name: the one a device asked for is whatever it wrote.
    expect(expressions('IoT telemetry rule: matches, successes, failures and losses')).toContain(`SUM(SEARCH('Namespace="AWS/IoT" MetricName="RuleNotFound"', 'Sum', 60))`);
    expect(expressions('IoT presence rule: matches, successes, failures and losses').filter((expression) => expression.includes('RuleNotFound'))).toEqual([]);
    // Refused by the broker before any rule: summed over every protocol.
    expect(expressions('IoT devices: connections and publishes, refused and throttled')).toEqual(
      ['Connect.Success', 'PublishIn.Success', 'Connect.AuthError', 'PublishIn.AuthError', 'Connect.Throttle', 'PublishIn.Throttle'].map((name) => `SUM(SEARCH('Namespace="AWS/IoT" MetricName="${name}"', 'Sum', 60))`),
    );
    expect(plain('Dead-letter queue')).toEqual([
      'ApproximateNumberOfMessagesVisible QueueName sqs-stream-dlq-dev',
      'DestinationDeliveryFailures FunctionName lambda-processor-dev',
      'DestinationDeliveryFailures FunctionName lambda-storer-dev',
      'ApproximateAgeOfOldestMessage QueueName sqs-stream-dlq-dev',
    ]);
    expect(plain('DynamoDB throttled requests')).toEqual(
      expect.arrayContaining([
        'ReadThrottleEvents GlobalSecondaryIndexName byLine TableName dynamodb-asset-status-dev',
        'WriteThrottleEvents GlobalSecondaryIndexName byLine TableName dynamodb-asset-status-dev',
      ]),
    );
  });

  test('widgets tile the 24-column grid without overlapping', () => {
    const cells = new Set<string>();
    for (const widget of widgets(objects)) {
      expect(widget.x + widget.width).toBeLessThanOrEqual(24);
      for (let x = widget.x; x < widget.x + widget.width; x++) {
        for (let y = widget.y; y < widget.y + widget.height; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });
});

describe('OpsAlarm validation', () => {
  const props = platformProps('dev');
  const errors: MetricSpec = { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: 'f' }, statistic: 'Sum' };
  const valid: OpsAlarmProps = {
    config: props.config,
    names: props.names,
    purpose: 'test',
    description: 'a test alarm',
    signal: { kind: 'metric', metric: errors },
    comparison: 'GreaterThanThreshold',
    threshold: 0,
    periodSeconds: 60,
    evaluationPeriods: 1,
    treatMissingData: 'notBreaching',
  };
  const build = (overrides: Partial<OpsAlarmProps>): OpsAlarm => new OpsAlarm(Testing.chart(), 'alarm', { ...valid, ...overrides });

  test('a valid alarm renders', () => {
    expect(build({}).alarmName).toBe('cw-test-dev');
    expect(build({}).alarmArn).toBe('arn:aws:cloudwatch:sa-east-1:111122223333:alarm:cw-test-dev');
  });

  const rejected: [string, Partial<OpsAlarmProps>][] = [
    ['OpsAlarm: props.purpose must match [a-z][a-z0-9-]{0,62}, got "Bad_Purpose"', { purpose: 'Bad_Purpose' }],
    ['OpsAlarm: props.description must have 1 to 1024 characters, got 0', { description: '' }],
    ['OpsAlarm: props.periodSeconds must be 10, 20, 30 or a multiple of 60, got 45', { periodSeconds: 45 }],
    ['OpsAlarm: props.evaluationPeriods must be a positive integer, got 0', { evaluationPeriods: 0 }],
    ['OpsAlarm: props.periodSeconds x props.evaluationPeriods must be at most 86400 s for a 300 s period, got 90000', { periodSeconds: 300, evaluationPeriods: 300 }],
    ['OpsAlarm: props.datapointsToAlarm must be an integer from 1 to props.evaluationPeriods (2), got 3', { evaluationPeriods: 2, datapointsToAlarm: 3 }],
    ['OpsAlarm: props.threshold must be a finite number, got NaN', { threshold: Number.NaN }],
    ['OpsAlarm: props.topicArns must name at least one topic, got []', { topicArns: [] }],
    [
      'OpsAlarm: props.topicArns must be SNS topics of this account in sa-east-1 (arn:aws:sns:sa-east-1:111122223333:...), got "arn:aws:sns:us-east-1:111122223333:sns-ops-dev"',
      { topicArns: ['arn:aws:sns:us-east-1:111122223333:sns-ops-dev'] },
    ],
    [
      'OpsAlarm: props.signal.expression must use every input, "m2" is unused in "m1 * 2"',
      { signal: { kind: 'expression', expression: 'm1 * 2', label: 'x', inputs: { m1: errors, m2: errors } } },
    ],
    [
      'OpsAlarm: props.signal.inputs ids must match [a-z][a-zA-Z0-9_]* and differ from "signal", got "signal"',
      { signal: { kind: 'expression', expression: 'signal', label: 'x', inputs: { signal: errors } } },
    ],
    ['OpsAlarm: props.signal.query must be a Metrics Insights SELECT, got "SUM(Errors)"', { signal: { kind: 'query', query: 'SUM(Errors)', label: 'x' } }],
    ['OpsAlarm: props.signal.metric.statistic must be a percentile p0 to p100, got "p101"', { signal: { kind: 'metric', metric: { ...errors, statistic: 'p101' } } }],
    ['OpsAlarm: props.signal.metric.namespace must be non-empty and not start with ":", got ":Lambda"', { signal: { kind: 'metric', metric: { ...errors, namespace: ':Lambda' } } }],
    [
      'OpsAlarm: props.signal.inputs.m2.dimensions must have at most 30 entries, got 31',
      {
        signal: {
          kind: 'expression',
          expression: 'm1 + m2',
          label: 'x',
          inputs: { m1: errors, m2: { ...errors, dimensions: Object.fromEntries(Array.from({ length: 31 }, (_, index) => [`D${index}`, 'v'])) } },
        },
      },
    ],
  ];
  test.each(rejected)('throws %s', (message, overrides) => {
    expect(() => build(overrides)).toThrow(new Error(message));
  });
});
