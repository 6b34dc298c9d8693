import { AlarmStatistic, MetricSpec } from '../constructs/OpsAlarm';
import { metricSpec } from './metricSpec';
import { PlatformNames } from './names';

/** The metric sources the alarms and the dashboard read, by resource. */
export function metricSources(names: PlatformNames): {
  lambda: (functionName: string, metricName: string, statistic: AlarmStatistic) => MetricSpec;
  custom: (metricName: string, service: 'processor' | 'storer', statistic: AlarmStatistic) => MetricSpec;
  stream: (metricName: string, statistic: AlarmStatistic) => MetricSpec;
  queue: (metricName: string, statistic: AlarmStatistic) => MetricSpec;
  firehose: (metricName: string, statistic: AlarmStatistic) => MetricSpec;
  table: (table: string, metricName: string, statistic: AlarmStatistic, index?: string) => MetricSpec;
} {
  return {
    lambda: (functionName, metricName, statistic) => metricSpec('AWS/Lambda', metricName, { FunctionName: functionName }, statistic),
    // Powertools' default `service` dimension is the functions' only one (see METRIC_NAMES).
    custom: (metricName, service, statistic) => metricSpec(names.metricsNamespace, metricName, { service }, statistic),
    stream: (metricName, statistic) => metricSpec('AWS/Kinesis', metricName, { StreamName: names.stream }, statistic),
    queue: (metricName, statistic) => metricSpec('AWS/SQS', metricName, { QueueName: names.deadLetterQueue }, statistic),
    firehose: (metricName, statistic) => metricSpec('AWS/Firehose', metricName, { DeliveryStreamName: names.firehose }, statistic),
    table: (table, metricName, statistic, index) =>
      metricSpec('AWS/DynamoDB', metricName, { TableName: table, ...(index === undefined ? {} : { GlobalSecondaryIndexName: index }) }, statistic),
  };
}
