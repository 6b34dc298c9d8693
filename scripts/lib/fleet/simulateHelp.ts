import { ASSET_TYPES, FAULT_KINDS, FLEET_LIMITS } from './constants';
import { manifestEnvironments } from './manifestEnvironments';
import { MANIFESTS, SIMULATE_USAGE } from './parseSimulateArgs';

/** What `--help` prints: the usage, and the values --fault and --env take here. */
export function simulateHelp(environments: readonly string[] = manifestEnvironments(MANIFESTS)): string {
  const metrics = Object.entries(ASSET_TYPES).map(([type, models]) => `${type} ${models.map((m) => m.metric).join(', ')}`);
  return [
    SIMULATE_USAGE,
    `  --fault kinds: ${FAULT_KINDS.join(', ')} (metric for step, drift, spike, stuck, bad; size for step and spike in sd, drift in sd/s, skew in whole ms)`,
    `  metrics: ${metrics.join('; ')}`,
    `  --env: ${environments.join(', ') || 'none rendered (npm run synth)'}`,
    `  --connect-rate: CONNECTs a second of the whole fleet, and at most one a second per device (default ${FLEET_LIMITS.iotConnectRate} with --endpoint, unpaced locally); a device publishes at most ${FLEET_LIMITS.maxPublishesPerSecond} a second`,
    '  details: docs/local.md',
  ].join('\n');
}
