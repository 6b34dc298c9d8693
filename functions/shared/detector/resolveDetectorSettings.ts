import { DETECTION_SETTING_NAMES, resolveDetectionSettings } from './resolveDetectionSettings';
import type { DetectorSettings, ResolvedDetectorSettings } from './types';

/** Settings of the detection block the processor applies per asset, not given to the detector's constructor. */
export const OPERATOR_REQUEST_NAMES = ['acknowledge', 'relearn'] as const;
const PROCESSOR_ONLY_NAMES: readonly string[] = ['statusHeartbeatSeconds', ...OPERATOR_REQUEST_NAMES];

/** The detection settings the detector itself uses (the status heartbeat and the operators' requests are the processor's). */
export const DETECTOR_SETTING_NAMES = DETECTION_SETTING_NAMES.filter((name) => !PROCESSOR_ONLY_NAMES.includes(name));

/**
 * Fills in the defaults and validates every setting once against the shared schema, so the hot
 * path never re-checks them. Throws `DetectorSettingsError` quoting the setting, the value and
 * the rule.
 */
export function resolveDetectorSettings(settings: DetectorSettings = {}): ResolvedDetectorSettings {
  const { statusHeartbeatSeconds: _heartbeat, acknowledge: _acknowledge, relearn: _relearn, ...detector } = resolveDetectionSettings(settings, DETECTOR_SETTING_NAMES);
  return Object.freeze(detector);
}
