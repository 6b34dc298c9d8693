import { EnvironmentConfig } from './config';
import { ALARM_THRESHOLDS } from './constants';

/** Episodes opened in five minutes above which the anomaly-storm alarm fires (scales with the plant). */
export function anomalyStormThreshold(config: EnvironmentConfig): number {
  return Math.max(ALARM_THRESHOLDS.anomalyStormMinimum, Math.ceil(config.capacity.sensors * ALARM_THRESHOLDS.anomalyStormEpisodesPerSensor));
}
