import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { DetectorSettingsError, resolveDetectionSettings, type DetectionSettings } from '../../functions/shared/detector';
import { ReplayUsageError } from './replayErrors';

/**
 * Detection settings from a file: the `detection` block of an environment config, checked
 * against the same schema as `config/<env>.yaml`, so what is tuned here deploys as is. The file
 * is JSON or YAML holding either the block itself or a whole environment config (its `detection`
 * block is taken). Returns the detector's part and the operators' requests (the status heartbeat
 * is the processor's alone).
 */
export type ReplaySettings = Omit<DetectionSettings, 'statusHeartbeatSeconds'>;

/** Reads `path`; messages name the file `name` (the path as the user gave it). */
export function readReplaySettings(path: string, name: string = path): ReplaySettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ReplayUsageError(`cannot read settings file ${name}`);
  }
  let parsed: unknown;
  try {
    // YAML is a superset of JSON, so one parser reads both.
    parsed = parse(text);
  } catch (error) {
    throw new ReplayUsageError(`settings file ${name} is not JSON or YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ReplayUsageError(`settings file ${name} must hold a mapping of detection settings (or an environment config)`);
  }
  const block = 'detection' in parsed ? (parsed as { detection: unknown }).detection : parsed;
  try {
    const { statusHeartbeatSeconds: _heartbeat, ...detector } = resolveDetectionSettings(block);
    // Only what the file says: defaults stay the detector's, and --warmup can still override.
    const given = block as Record<string, unknown>;
    return Object.fromEntries(Object.entries(detector).filter(([key]) => key in given)) as ReplaySettings;
  } catch (error) {
    if (error instanceof DetectorSettingsError) throw new ReplayUsageError(`settings file ${name}: ${error.message}`);
    throw error;
  }
}
