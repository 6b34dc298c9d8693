import { Construct } from 'constructs';
import { MetricAlarm, MetricAlarmSpec, MetricAlarmSpecMetrics } from '../../imports/cloudwatch.services.k8s.aws';
import { ackMetadata } from '../lib/ackMetadata';
import { EnvironmentConfig } from '../lib/config';
import { fixedTagList } from '../lib/fixedTagList';
import { PlatformNames } from '../lib/names';

/** A standard statistic, or a percentile (`p99`, `p99.9`), which CloudWatch takes as an extended statistic. */
export type AlarmStatistic = 'Sum' | 'Maximum' | 'Minimum' | 'Average' | 'SampleCount' | `p${number}`;

const PERCENTILE = /^p(\d{1,2}(\.\d{1,10})?|100)$/;
const isPercentile = (statistic: AlarmStatistic): boolean => statistic.startsWith('p');
export type AlarmComparison = 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';
export type TreatMissingData = 'breaching' | 'notBreaching' | 'ignore' | 'missing';

/** One CloudWatch metric and the statistic an alarm or graph takes of it. */
export interface MetricSpec {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: AlarmStatistic;
}

/** What an alarm watches: one metric, a metric math expression over named metrics, or a Metrics Insights query. */
export type AlarmSignal =
  | { readonly kind: 'metric'; readonly metric: MetricSpec }
  | { readonly kind: 'expression'; readonly expression: string; readonly label: string; readonly inputs: Readonly<Record<string, MetricSpec>> }
  | { readonly kind: 'query'; readonly query: string; readonly label: string };

export interface OpsAlarmProps {
  readonly config: EnvironmentConfig;
  readonly names: PlatformNames;
  /** Middle part of the physical name `cw-<purpose>-<suffix>`, which is also the object name. */
  readonly purpose: string;
  /** What the alarm means and what to look at first; CloudWatch puts it in every notification. */
  readonly description: string;
  readonly signal: AlarmSignal;
  readonly comparison: AlarmComparison;
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  /** Breaching periods among the last evaluationPeriods that set ALARM ("M out of N"). @default evaluationPeriods */
  readonly datapointsToAlarm?: number;
  /** Required on purpose: each alarm must decide what silence means. */
  readonly treatMissingData: TreatMissingData;
  /** SNS topics notified on ALARM and again on OK. @default [names.opsTopicArn] */
  readonly topicArns?: readonly string[];
}

const PURPOSE = /^[a-z][a-z0-9-]{0,62}$/;
const QUERY_ID = /^[a-z][a-zA-Z0-9_]*$/;
/** The id of the query an alarm evaluates when it watches an expression or a Metrics Insights query. */
export const SIGNAL_ID = 'signal';
const MAX_DESCRIPTION = 1024;
/** PutMetricAlarm: at most 10 metric queries feed an expression, and at most 30 dimensions per metric. */
const MAX_EXPRESSION_INPUTS = 10;
const MAX_DIMENSIONS = 30;
/** Alarms with periods under an hour may look back at most a day, others at most a week. */
const MAX_LOOKBACK_SHORT_PERIOD = 86_400;
const MAX_LOOKBACK = 604_800;

function sortedDimensions(dimensions: Readonly<Record<string, string>>): { name: string; value: string }[] {
  return Object.keys(dimensions)
    .sort()
    .map((name) => ({ name, value: dimensions[name] }));
}

/**
 * A CloudWatch metric alarm that notifies the operations topic on ALARM and on OK (so the on-call
 * person learns when a problem clears), tagged with the environment's fixed tags, pinned to the region and created in the
 * observability wave. Validates the rules PutMetricAlarm would otherwise reject at sync time.
 */
export class OpsAlarm extends Construct {
  readonly alarm: MetricAlarm;
  readonly alarmName: string;
  readonly alarmArn: string;

  constructor(scope: Construct, id: string, props: OpsAlarmProps) {
    super(scope, id);
    const topicArns = props.topicArns ?? [props.names.opsTopicArn];
    const datapointsToAlarm = props.datapointsToAlarm ?? props.evaluationPeriods;
    validate(props, topicArns, datapointsToAlarm);

    this.alarmName = props.names.alarmName(props.purpose);
    this.alarmArn = props.names.alarmArn(this.alarmName);
    this.alarm = new MetricAlarm(this, 'Resource', {
      metadata: ackMetadata(props.config, props.names, this.alarmName, 'observability'),
      spec: {
        name: this.alarmName,
        alarmDescription: props.description,
        actionsEnabled: true,
        alarmActions: [...topicArns],
        oKActions: [...topicArns],
        comparisonOperator: props.comparison,
        threshold: props.threshold,
        evaluationPeriods: props.evaluationPeriods,
        datapointsToAlarm,
        treatMissingData: props.treatMissingData,
        ...signalSpec(props.signal, props.periodSeconds),
        // Only the tags fixed for the environment: CloudWatch keeps an alarm's tags from its creation.
        tags: fixedTagList(props.config),
      },
    });
  }
}

type SignalFields = Pick<MetricAlarmSpec, 'namespace' | 'metricName' | 'dimensions' | 'statistic' | 'extendedStatistic' | 'period' | 'metrics'>;

function signalSpec(signal: AlarmSignal, period: number): SignalFields {
  switch (signal.kind) {
    case 'metric':
      return {
        namespace: signal.metric.namespace,
        metricName: signal.metric.metricName,
        dimensions: sortedDimensions(signal.metric.dimensions),
        ...(isPercentile(signal.metric.statistic) ? { extendedStatistic: signal.metric.statistic } : { statistic: signal.metric.statistic }),
        period,
      };
    case 'expression': {
      const inputs: MetricAlarmSpecMetrics[] = Object.keys(signal.inputs)
        .sort()
        .map((queryId) => {
          const metric = signal.inputs[queryId];
          return {
            id: queryId,
            metricStat: {
              metric: { namespace: metric.namespace, metricName: metric.metricName, dimensions: sortedDimensions(metric.dimensions) },
              period,
              stat: metric.statistic,
            },
            returnData: false,
          };
        });
      return { metrics: [...inputs, { id: SIGNAL_ID, expression: signal.expression, label: signal.label, returnData: true }] };
    }
    case 'query':
      // A Metrics Insights query carries its own period; a math expression takes its inputs' periods.
      return { metrics: [{ id: SIGNAL_ID, expression: signal.query, label: signal.label, period, returnData: true }] };
  }
}

function validate(props: OpsAlarmProps, topicArns: readonly string[], datapointsToAlarm: number): void {
  const fail = (message: string): never => {
    throw new Error(`OpsAlarm: ${message}`);
  };
  if (!PURPOSE.test(props.purpose)) fail(`props.purpose must match [a-z][a-z0-9-]{0,62}, got "${props.purpose}"`);
  if (props.description.length === 0 || props.description.length > MAX_DESCRIPTION) {
    fail(`props.description must have 1 to ${MAX_DESCRIPTION} characters, got ${props.description.length}`);
  }
  const { periodSeconds: period, evaluationPeriods } = props;
  if (!Number.isInteger(period) || !([10, 20, 30].includes(period) || (period > 0 && period % 60 === 0))) {
    fail(`props.periodSeconds must be 10, 20, 30 or a multiple of 60, got ${period}`);
  }
  if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1) fail(`props.evaluationPeriods must be a positive integer, got ${evaluationPeriods}`);
  const lookback = period * evaluationPeriods;
  const maxLookback = period < 3600 ? MAX_LOOKBACK_SHORT_PERIOD : MAX_LOOKBACK;
  if (lookback > maxLookback) {
    fail(`props.periodSeconds x props.evaluationPeriods must be at most ${maxLookback} s for a ${period} s period, got ${lookback}`);
  }
  if (!Number.isInteger(datapointsToAlarm) || datapointsToAlarm < 1 || datapointsToAlarm > evaluationPeriods) {
    fail(`props.datapointsToAlarm must be an integer from 1 to props.evaluationPeriods (${evaluationPeriods}), got ${datapointsToAlarm}`);
  }
  if (!Number.isFinite(props.threshold)) fail(`props.threshold must be a finite number, got ${props.threshold}`);
  if (topicArns.length === 0) fail('props.topicArns must name at least one topic, got []');
  const topicPrefix = `arn:aws:sns:${props.config.region}:${props.config.accountId}:`;
  for (const arn of topicArns) {
    if (!arn.startsWith(topicPrefix)) fail(`props.topicArns must be SNS topics of this account in ${props.config.region} (${topicPrefix}...), got "${arn}"`);
  }
  // Each metric the signal reads, with its prop path for the messages.
  const metrics: [string, MetricSpec][] = [];
  switch (props.signal.kind) {
    case 'metric':
      metrics.push(['props.signal.metric', props.signal.metric]);
      break;
    case 'expression': {
      const ids = Object.keys(props.signal.inputs);
      if (ids.length === 0 || ids.length > MAX_EXPRESSION_INPUTS) fail(`props.signal.inputs must have 1 to ${MAX_EXPRESSION_INPUTS} metrics, got ${ids.length}`);
      for (const queryId of ids) {
        if (!QUERY_ID.test(queryId) || queryId === SIGNAL_ID) fail(`props.signal.inputs ids must match [a-z][a-zA-Z0-9_]* and differ from "${SIGNAL_ID}", got "${queryId}"`);
        if (!new RegExp(`\\b${queryId}\\b`).test(props.signal.expression)) fail(`props.signal.expression must use every input, "${queryId}" is unused in "${props.signal.expression}"`);
        metrics.push([`props.signal.inputs.${queryId}`, props.signal.inputs[queryId]]);
      }
      break;
    }
    case 'query':
      if (!/^SELECT\s/i.test(props.signal.query)) fail(`props.signal.query must be a Metrics Insights SELECT, got "${props.signal.query}"`);
      break;
  }
  for (const [path, metric] of metrics) {
    if (isPercentile(metric.statistic) && !PERCENTILE.test(metric.statistic)) fail(`${path}.statistic must be a percentile p0 to p100, got "${metric.statistic}"`);
    if (metric.namespace.length === 0 || metric.namespace.startsWith(':')) fail(`${path}.namespace must be non-empty and not start with ":", got "${metric.namespace}"`);
    const dimensions = Object.keys(metric.dimensions);
    if (dimensions.length > MAX_DIMENSIONS) fail(`${path}.dimensions must have at most ${MAX_DIMENSIONS} entries, got ${dimensions.length}`);
  }
}
