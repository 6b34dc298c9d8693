import { detectorPart } from './detectorPart';
import { DETECTION_SETTING_NAMES, PROCESSOR_ONLY_NAMES, resolveDetectionSettings } from './resolveDetectionSettings';
import type { DetectorSettings, ResolvedDetectorSettings } from './types';

const processorOnly: readonly string[] = PROCESSOR_ONLY_NAMES;

/** The detection settings the detector itself uses (the status heartbeat and the operators' requests are the processor's). */
export const DETECTOR_SETTING_NAMES = DETECTION_SETTING_NAMES.filter((name) => !processorOnly.includes(name));

/**
 * Fills in the defaults and validates every setting once against the shared schema, so the hot
 * path never re-checks them. Throws `DetectorSettingsError` quoting the setting, the value and
 * the rule.
 */
export function resolveDetectorSettings(settings: DetectorSettings = {}): ResolvedDetectorSettings {
  return Object.freeze(detectorPart(resolveDetectionSettings(settings, DETECTOR_SETTING_NAMES)));
}
