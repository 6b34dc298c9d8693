import { DETECTION_SETTING_RULES, DETECTOR_DEFAULTS } from '../../../functions/shared/detector';
import { numberFlag } from '../fleet/numberFlag';

/**
 * The `--warmup-samples` flag of `local` and `loadtest`: a local override of the processor's detector warm-up
 * (DETECTOR_CONFIG.warmupSamples), held to the bounds the config schema allows it; undefined = as rendered.
 */
export function warmupSamplesFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const { min, max, integer } = DETECTION_SETTING_RULES.warmupSamples;
  return numberFlag('warmup-samples', text, DETECTOR_DEFAULTS.warmupSamples, min, max, integer);
}
