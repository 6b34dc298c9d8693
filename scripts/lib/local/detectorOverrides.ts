import type { LocalManifests } from './LocalManifests';

/**
 * Per function with a detector (DETECTOR_CONFIG in its environment): the rendered DETECTOR_CONFIG with
 * `warmupSamples` replaced, so a short run can get past the warm-up, and optionally
 * CHECKPOINT_INTERVAL_SECONDS (not rendered; the function's default is 60 s), which the load test sets to 0
 * on a stream of several shards under random placement, so every move restores exactly what was judged. These are the only local overrides.
 */
export function detectorOverrides(manifests: LocalManifests, warmupSamples: number | undefined, checkpointIntervalSeconds?: number): Record<string, Record<string, string>> {
  const overrides: Record<string, Record<string, string>> = {};
  for (const fn of manifests.functions) {
    const rendered = fn.variables.DETECTOR_CONFIG;
    if (rendered === undefined) continue;
    const variables: Record<string, string> = {};
    if (warmupSamples !== undefined) variables.DETECTOR_CONFIG = JSON.stringify({ ...(JSON.parse(rendered) as Record<string, unknown>), warmupSamples });
    if (checkpointIntervalSeconds !== undefined) variables.CHECKPOINT_INTERVAL_SECONDS = String(checkpointIntervalSeconds);
    overrides[fn.name] = variables;
  }
  return overrides;
}
