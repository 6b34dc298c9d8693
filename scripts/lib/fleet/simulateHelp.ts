import { ASSET_TYPES, FAULT_KINDS } from './constants';
import { manifestEnvironments } from './manifestEnvironments';
import { MANIFESTS, SIMULATE_USAGE } from './parseSimulateArgs';

/** What `--help` prints: the usage, and the values --fault and --env take here. */
export function simulateHelp(environments: readonly string[] = manifestEnvironments(MANIFESTS)): string {
  const metrics = Object.entries(ASSET_TYPES).map(([type, models]) => `${type} ${models.map((m) => m.metric).join(', ')}`);
  return [
    SIMULATE_USAGE,
    `  --fault kinds: ${FAULT_KINDS.join(', ')} (metric for step, drift, spike, stuck, bad; size for step, drift, spike in sd, skew in ms)`,
    `  metrics: ${metrics.join('; ')}`,
    `  --env: ${environments.join(', ') || 'none rendered (npm run synth)'}`,
    '  details: docs/local.md',
  ].join('\n');
}
