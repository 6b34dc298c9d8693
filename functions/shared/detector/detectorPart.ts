import { PROCESSOR_ONLY_NAMES } from './resolveDetectionSettings';
import type { DetectionSettings } from './types';

type ProcessorOnlyName = (typeof PROCESSOR_ONLY_NAMES)[number];

/**
 * The detector's own settings of a detection block, in their order: without the status heartbeat
 * and the operators' per-asset requests, which the processor (and replay) apply themselves and the
 * detector's constructor refuses. Every reader of a detection block splits it here.
 */
export function detectorPart<T extends DetectionSettings>(settings: T): Omit<T, ProcessorOnlyName> {
  const processorOnly: readonly string[] = PROCESSOR_ONLY_NAMES;
  return Object.fromEntries(Object.entries(settings).filter(([name]) => !processorOnly.includes(name))) as Omit<T, ProcessorOnlyName>;
}
