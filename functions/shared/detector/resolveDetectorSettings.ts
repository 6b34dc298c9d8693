import { DETECTION_SETTING_NAMES, resolveDetectionSettings } from './resolveDetectionSettings';
import type { DetectorSettings, ResolvedDetectorSettings } from './types';

/** The detection settings the detector itself uses (the status heartbeat and the acknowledgements are the processor's). */
export const DETECTOR_SETTING_NAMES = DETECTION_SETTING_NAMES.filter((name) => name !== 'statusHeartbeatSeconds' && name !== 'acknowledge');

/**
 * Fills in the defaults and validates every setting once against the shared schema, so the hot
 * path never re-checks them. Throws `DetectorSettingsError` quoting the setting, the value and
 * the rule.
 */
export function resolveDetectorSettings(settings: DetectorSettings = {}): ResolvedDetectorSettings {
  const { statusHeartbeatSeconds: _heartbeat, acknowledge: _acknowledge, ...detector } = resolveDetectionSettings(settings, DETECTOR_SETTING_NAMES);
  return Object.freeze(detector);
}
