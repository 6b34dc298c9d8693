import type { LocalManifests } from './LocalManifests';

/**
 * Per function with a detector (DETECTOR_CONFIG in its environment): the rendered DETECTOR_CONFIG with
 * `warmupSamples` replaced, so a short run can get past the warm-up. This is the only local override.
 */
export function detectorOverrides(manifests: LocalManifests, warmupSamples: number | undefined): Record<string, Record<string, string>> {
  const overrides: Record<string, Record<string, string>> = {};
  for (const fn of manifests.functions) {
    const rendered = fn.variables.DETECTOR_CONFIG;
    if (rendered === undefined) continue;
    const variables: Record<string, string> = {};
    if (warmupSamples !== undefined) variables.DETECTOR_CONFIG = JSON.stringify({ ...(JSON.parse(rendered) as Record<string, unknown>), warmupSamples });
    overrides[fn.name] = variables;
  }
  return overrides;
}
