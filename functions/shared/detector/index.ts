/** Streaming anomaly detection shared by the processor Lambda and the replay tool. */
export { AssetDetector } from './AssetDetector';
export { detectorPart } from './detectorPart';
export { DETECTOR_SETTING_NAMES, resolveDetectorSettings } from './resolveDetectorSettings';
export { DETECTION_SETTING_NAMES, OPERATOR_REQUEST_NAMES, resolveDetectionSettings } from './resolveDetectionSettings';
export { describeRule } from './describeRule';
export { restoreDetectorState } from './restoreDetectorState';
export { DEFAULT_STATUS_HEARTBEAT_SECONDS, DETECTION_SETTING_RULES, DETECTOR_DEFAULTS, DETECTOR_STATE_VERSION, MAX_MODEL_METRICS } from './constants';
export { DetectorError, DetectorInputError, DetectorSettingsError, DetectorStateError } from './errors';
export type {
  AssetDetectorState,
  DetectionSettings,
  DetectorSettings,
  EpisodeEvent,
  EpisodeVerdict,
  FollowedDrift,
  MetricLimit,
  MetricsLeftOut,
  Quality,
  ResolvedDetectionSettings,
  ResolvedDetectorSettings,
  Sample,
  SampleValue,
  Verdict,
} from './types';
