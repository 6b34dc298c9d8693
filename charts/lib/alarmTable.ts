import { METRIC_NAMES, TABLE_KEYS } from '../../functions/shared/constants';
import { AlarmComparison, AlarmSignal, MetricSpec, TreatMissingData } from '../constructs/OpsAlarm';
import { anomalyStormThreshold } from './anomalyStormThreshold';
import { CapacityPlan } from './capacity';
import { EnvironmentConfig } from './config';
import { ALARM_THRESHOLDS, FIVE_MINUTES } from './constants';
import { metricSources } from './metricSources';
import { PlatformNames } from './names';
import { quarantineThreshold } from './quarantineThreshold';
import { streamShardCeiling } from './streamShardCeiling';

/** The window of the shard-handoff alarm: longer than a rollout's moves. */
const FIFTEEN_MINUTES = 900;

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
/**
 * One IoT metric summed over every dimension set of the account: RuleNotFound carries the RuleName a publish
 * asked for (`$aws/rules/<name>/...`), which is whatever the publisher wrote, so a misspelt or deleted rule
 * counts too; the broker's metrics carry the Protocol (MQTT, HTTP, WebSockets), and a refused device uses any.
 * Metrics Insights takes a name with a dot only in double quotes.
 */
const iotAccountQuery = (metricName: string, label: string): AlarmSignal => ({
  kind: 'query',
  query: `SELECT SUM(${/^\w+$/.test(metricName) ? metricName : `"${metricName}"`}) FROM "AWS/IoT"`,
  label,
});

/**
 * Every alarm of the platform, one row each. Missing data is `notBreaching` everywhere: error and
 * throttle counts, lag and freshness are only published while something flows, and a quiet plant
 * (a weekend, a line stopped, a new environment before its first device) is no incident. "Does
 * each consumer keep up with the stream" has one alarm per consumer (`*-stalled`): records enter
 * the stream and the consumer accounts for none of them. A plant that stops sending while it should
 * not shows as assets OFFLINE in the asset status, not as a page.
 */
export function alarmTable(config: EnvironmentConfig, names: PlatformNames, capacity: CapacityPlan): AlarmRow[] {
  const { lambda, custom, stream, queue, firehose, table } = metricSources(names);
  const processor = names.processorFunction;
  const storer = names.storerFunction;
  const query = names.queryFunction;
  const tableThrottles = (tableName: string, index?: string): AlarmSignal =>
    index === undefined
      ? math('FILL(reads, 0) + FILL(writes, 0)', `throttled requests of ${tableName}`, { reads: table(tableName, 'ReadThrottleEvents', 'Sum'), writes: table(tableName, 'WriteThrottleEvents', 'Sum') })
      : math('FILL(reads, 0) + FILL(writes, 0) + FILL(indexReads, 0) + FILL(indexWrites, 0)', `throttled requests of ${tableName} and ${index}`, {
          reads: table(tableName, 'ReadThrottleEvents', 'Sum'),
          writes: table(tableName, 'WriteThrottleEvents', 'Sum'),
          indexReads: table(tableName, 'ReadThrottleEvents', 'Sum', index),
          indexWrites: table(tableName, 'WriteThrottleEvents', 'Sum', index),
        });
  const consumerStalled = (label: string, consumed: MetricSpec): AlarmSignal =>
    math('IF(FILL(ingress, 0) > 0 AND FILL(consumed, 0) == 0, 1, 0)', label, { ingress: stream('IncomingRecords', 'Sum'), consumed });

  return [
    // Lambda publishes IteratorAge once per invocation, and a period without one counts as not breaching:
    // each period must be longer than the gap between two invocations of a lagging shard, its function's
    // timeout plus batching window. The processor's is 30 s (no window), so every minute holds one.
    { purpose: 'processor-iterator-age', signal: single(lambda(processor, 'IteratorAge', 'Maximum')), when: above(ALARM_THRESHOLDS.processorIteratorAgeMs), every: every(60, 2), missing: 'notBreaching', description: 'The processor lags the stream by more than a minute: anomaly alerts are late. Check processor errors, throttles and duration.' },
    // The storer's is up to 180 s (a 60 s window, a 120 s timeout): with one-minute periods most minutes
    // had no datapoint and three in a row never breached. Five minutes hold one; two in a row is sustained.
    { purpose: 'storer-iterator-age', signal: single(lambda(storer, 'IteratorAge', 'Maximum')), when: above(ALARM_THRESHOLDS.storerIteratorAgeMs), every: every(FIVE_MINUTES, 2), missing: 'notBreaching', description: 'The storer lags the stream by more than five minutes in two 5-minute periods in a row: the hot tier is behind. Check storer errors, throttles and DynamoDB throttling.' },
    { purpose: 'processor-errors', signal: single(lambda(processor, 'Errors', 'Sum')), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'A processor invocation failed as a whole (crash or timeout), blocking its shard until retried. Read the processor log group.' },
    { purpose: 'storer-errors', signal: single(lambda(storer, 'Errors', 'Sum')), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'A storer invocation failed as a whole (crash or timeout), blocking its shard until retried. Read the storer log group.' },
    { purpose: 'processor-throttles', signal: single(lambda(processor, 'Throttles', 'Sum')), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'Lambda throttled the processor: its concurrency is exhausted and records wait. Check account and reserved concurrency.' },
    { purpose: 'storer-throttles', signal: single(lambda(storer, 'Throttles', 'Sum')), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'Lambda throttled the storer: its concurrency is exhausted and records wait. Check account and reserved concurrency.' },
    { purpose: 'query-errors', signal: single(lambda(query, 'Errors', 'Sum')), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'A query function request failed (an exception, a DynamoDB failure or a timeout): dashboards show errors. Read the query log group.' },
    { purpose: 'query-throttles', signal: single(lambda(query, 'Throttles', 'Sum')), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'Lambda throttled the query function: dashboard requests were refused. Check account concurrency and how many dashboards refresh at once.' },
    { purpose: 'query-duration-p99', signal: single(lambda(query, 'Duration', 'p99')), when: above(ALARM_THRESHOLDS.queryDurationP99Ms), every: every(FIVE_MINUTES, 3), missing: 'notBreaching', description: 'The slowest 1 % of query function requests take over 10 s for 15 minutes: dashboards are about to time out. Check readings-table throttling and the ranges and steps dashboards ask for.' },
    { purpose: 'dlq-depth', signal: single(queue('ApproximateNumberOfMessagesVisible', 'Maximum')), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'Batches exhausted their retries and were dead-lettered. Inspect the queue and redrive with scripts/redrive once the cause is fixed.' },
    // Lambda counts a failed send of a given-up batch's details to the on-failure destination here: no queue message, so no redrive.
    { purpose: 'processor-dlq-send-failures', signal: single(lambda(processor, 'DestinationDeliveryFailures', 'Sum')), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'The processor mapping gave up on a batch and could not send its shard and sequence range to the dead-letter queue: the records were not judged and npm run redrive cannot find them. They stay in the stream for 7 days and in the archive raw/ prefix. Check the processor role, the queue and the key, then find the range in the processor log.' },
    { purpose: 'storer-dlq-send-failures', signal: single(lambda(storer, 'DestinationDeliveryFailures', 'Sum')), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'The storer mapping gave up on a batch and could not send its shard and sequence range to the dead-letter queue: the readings are missing from the hot tier and npm run redrive cannot find them. They stay in the stream for 7 days and in the archive raw/ prefix. Check the storer role, the queue and the key, then find the range in the storer log.' },
    { purpose: 'iot-telemetry-failures', signal: iotRuleQuery('Failure', names.telemetryRule), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'The telemetry rule failed to write to Kinesis; the messages went to the error action (quarantine prefix). Check Kinesis write throttling and the rule role.' },
    { purpose: 'iot-telemetry-parse-errors', signal: iotRuleQuery('ParseError', names.telemetryRule), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'Devices published telemetry that is not JSON: IoT Core acknowledged it, ran no action and no error action, so it is in neither the stream nor the quarantine. Find the client ids in the IoT logs.' },
    { purpose: 'iot-presence-failures', signal: iotRuleQuery('Failure', names.presenceRule), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'The presence rule failed to write to Kinesis; lifecycle events went to the error action. Check Kinesis write throttling and the rule role.' },
    { purpose: 'iot-telemetry-error-action-failures', signal: iotRuleQuery('ErrorActionFailure', names.telemetryRule), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'The telemetry rule could not write failed messages to the quarantine prefix either: those messages are lost. Check the archive bucket, its key and the rule role.' },
    { purpose: 'iot-presence-error-action-failures', signal: iotRuleQuery('ErrorActionFailure', names.presenceRule), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'The presence rule could not write failed events to the quarantine prefix either: those events are lost. Check the archive bucket, its key and the rule role.' },
    // Throttled or unknown-rule messages run no action and no error action: like ParseError, only the count records them.
    { purpose: 'iot-telemetry-throttled', signal: iotRuleQuery('RuleMessageThrottled', names.telemetryRule), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'The IoT rules engine throttled telemetry messages: the telemetry rule did not run for them, no action and no error action, so they are in neither the stream nor the quarantine. Check the account rule-evaluation quota and the clients in the IoT logs.' },
    { purpose: 'iot-presence-throttled', signal: iotRuleQuery('RuleMessageThrottled', names.presenceRule), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'The IoT rules engine throttled lifecycle events: the presence rule did not run for them, so asset status misses those connects and disconnects. Check the account rule-evaluation quota and reconnect storms in the IoT logs.' },
    { purpose: 'iot-rule-not-found', signal: iotAccountQuery('RuleNotFound', 'RuleNotFound of any rule name'), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'Clients published to a Basic Ingest topic ($aws/rules/<name>/...) of a rule that does not exist in the account: no rule ran, so the messages are lost. Check that the telemetry rule exists and is synced, and find the rule name and clients in the IoT logs.' },
    { purpose: 'iot-publish-auth-errors', signal: iotAccountQuery('PublishIn.AuthError', 'PublishIn.AuthError of any protocol'), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'The message broker refused publishes its policies do not allow (a device publishing outside its line or its thing name, a device policy changed or detached): IoT Core drops them and closes the connection, so those readings are in neither the stream nor the quarantine. Find the client ids and topics in the IoT logs.' },
    { purpose: 'iot-connect-auth-errors', signal: iotAccountQuery('Connect.AuthError', 'Connect.AuthError of any protocol'), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'The message broker refused connections it could not authorize (a client id that is not the thing its certificate is attached to, a certificate detached, inactive or revoked, the device policy missing): those devices send nothing until it is fixed. Find the client ids in the IoT logs.' },
    { purpose: 'kinesis-write-throttles', signal: single(stream('WriteProvisionedThroughputExceeded', 'Sum')), when: above(0), every: every(FIVE_MINUTES, 1), missing: 'notBreaching', description: 'Kinesis refused writes: IoT does not retry, so the messages went to the quarantine prefix. Raise the shard count (config capacity) or check for a hot partition key.' },
    { purpose: 'kinesis-read-throttles', signal: single(stream('ReadProvisionedThroughputExceeded', 'Sum')), when: above(0), every: every(60, 5, 3), missing: 'notBreaching', description: 'The stream consumers exceed the shared 2 MB/s per-shard read limit in 3 of 5 minutes: every consumer falls behind. Raise the shard count or give the processor an enhanced fan-out consumer.' },
    { purpose: 'readings-table-throttles', signal: tableThrottles(names.readingsTable), when: above(0), every: every(60, 5, 3), missing: 'notBreaching', description: 'DynamoDB throttles the readings table in 3 of 5 minutes: storer batches are retried and the hot tier falls behind.' },
    { purpose: 'asset-status-table-throttles', signal: tableThrottles(names.assetStatusTable, TABLE_KEYS.assetStatus.lineIndex), when: above(0), every: every(60, 5, 3), missing: 'notBreaching', description: 'DynamoDB throttles the asset status table or its line index in 3 of 5 minutes: the processor retries status writes and alerts slow down, or line listings of the query function (dashboards, npm run query --line) fail.' },
    { purpose: 'detector-state-table-throttles', signal: tableThrottles(names.detectorStateTable), when: above(0), every: every(60, 5, 3), missing: 'notBreaching', description: 'DynamoDB throttles the detector state table in 3 of 5 minutes: the processor retries and alerts slow down.' },
    {
      purpose: 'processor-shard-handoffs',
      signal: single(custom(METRIC_NAMES.shardHandoffs, 'processor', 'Sum')),
      when: above(streamShardCeiling(config, capacity) * ALARM_THRESHOLDS.processorShardHandoffsPerShard),
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
