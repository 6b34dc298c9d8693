import { AlarmStatistic, MetricSpec } from '../constructs/OpsAlarm';

export const metricSpec = (namespace: string, metricName: string, dimensions: Record<string, string>, statistic: AlarmStatistic): MetricSpec => ({
  namespace,
  metricName,
  dimensions,
  statistic,
});
