/** Streaming anomaly detection shared by the processor Lambda and the replay tool. */
export { AssetDetector } from './AssetDetector';
export { resolveDetectorSettings } from './resolveDetectorSettings';
export { restoreDetectorState } from './restoreDetectorState';
export { DETECTOR_DEFAULTS, DETECTOR_SETTING_BOUNDS, DETECTOR_STATE_VERSION } from './constants';
export { DetectorError, DetectorInputError, DetectorSettingsError, DetectorStateError } from './errors';
export type {
  AssetDetectorState,
  DetectorSettings,
  EpisodeEvent,
  EpisodeVerdict,
  MetricLimit,
  Quality,
  ResolvedDetectorSettings,
  Sample,
  SampleValue,
  Verdict,
} from './types';
