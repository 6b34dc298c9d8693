import { detectorPart, type DetectionSettings, type DetectorSettings } from '../../../functions/shared/detector';
import type { LocalManifests } from './LocalManifests';

/**
 * The detector's settings as rendered into the processor's DETECTOR_CONFIG, for the load test's own
 * detector runs (screening the fleet's assets). Operators' requests (acknowledge, relearn) name the
 * plant's assets, not the fleet's, and the detector's constructor refuses them: they are left out.
 */
export function renderedDetectorSettings(manifests: Pick<LocalManifests, 'functions'>): DetectorSettings {
  const text = manifests.functions.find((f) => f.variables.DETECTOR_CONFIG !== undefined)?.variables.DETECTOR_CONFIG;
  if (!text) return {};
  return detectorPart(JSON.parse(text) as DetectionSettings);
}
