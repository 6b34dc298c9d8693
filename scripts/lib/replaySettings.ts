import { readFileSync } from 'node:fs';
import type { DetectorSettings } from '../../functions/shared/detector';
import { ReplayUsageError } from './replayErrors';

/**
 * Detector settings from a JSON file (the `detection` block of an environment config, as JSON).
 * Only the shape is checked here; the detector validates every value when it starts.
 */
export function readReplaySettings(path: string): DetectorSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ReplayUsageError(`cannot read settings file ${path}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as DetectorSettings;
  } catch (error) {
    throw new ReplayUsageError(`settings file ${path} is not a JSON object: ${(error as Error).message}`);
  }
}
