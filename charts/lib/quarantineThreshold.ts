import { CapacityPlan } from './capacity';
import { ALARM_THRESHOLDS, FIVE_MINUTES } from './constants';

/** Records quarantined in five minutes (by either consumer) above which the quarantine alarm fires. */
export function quarantineThreshold(capacity: CapacityPlan): number {
  return Math.max(ALARM_THRESHOLDS.quarantineMinimum, Math.ceil(capacity.recordsPerSecond * FIVE_MINUTES * ALARM_THRESHOLDS.quarantineShareOfRecords));
}
